package org.safegrid.server.web;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A request parameter that is a point in time: ISO-8601 with an offset. */
public final class TimeParam {

  private TimeParam() {
  }

  /**
   * Parses {@code value} (e.g. {@code 2026-11-22T21:00:00+08:00}); null or blank gives null. Throws
   * IllegalArgumentException (a 400 with the reason) naming the parameter otherwise.
   */
  public static Instant parseOrNull(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be an ISO-8601 time with offset, e.g. 2026-11-22T21:00:00+08:00");
    }
  }
}
