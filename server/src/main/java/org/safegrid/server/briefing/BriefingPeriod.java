package org.safegrid.server.briefing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * The period a briefing covers, {@code [from, to)}, and the previous period of equal length it is
 * compared with, {@code [from - (to - from), from)}.
 */
public record BriefingPeriod(Instant from, Instant to) {

  public BriefingPeriod {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("'from' must be before 'to'");
    }
  }

  public Duration length() {
    return Duration.between(from, to);
  }

  public Instant previousFrom() {
    return from.minus(length());
  }

  /**
   * Parses the request's {@code from} and {@code to}: each an ISO-8601 date ({@code 2026-11-23}: the
   * start of that day in {@code zone}, so {@code to} names the first day not covered) or an instant with
   * an offset ({@code 2026-11-23T00:00:00+08:00}). Refuses (IllegalArgumentException, a 400) a missing
   * or unreadable value, {@code from} not before {@code to}, and a period longer than {@code maxSpan}.
   */
  public static BriefingPeriod parse(String from, String to, ZoneId zone, Duration maxSpan) {
    Instant f = instant("from", from, zone);
    Instant t = instant("to", to, zone);
    if (!f.isBefore(t)) {
      throw new IllegalArgumentException("'from' (" + from + ") must be before 'to' (" + to + ")");
    }
    if (Duration.between(f, t).compareTo(maxSpan) > 0) {
      throw new IllegalArgumentException("a briefing may cover at most " + maxSpan.toDays() + " days; asked for "
          + Duration.between(f, t).toDays() + " days");
    }
    return new BriefingPeriod(f, t);
  }

  private static Instant instant(String name, String value, ZoneId zone) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("'" + name + "' is required: an ISO-8601 date (2026-11-23) or time with "
          + "offset (2026-11-23T00:00:00+08:00)");
    }
    String v = value.trim();
    try {
      if (v.length() == 10) {
        return LocalDate.parse(v).atStartOfDay(zone).toInstant();
      }
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + name + "' must be an ISO-8601 date (2026-11-23) or time with offset "
          + "(2026-11-23T00:00:00+08:00), got '" + value + "'");
    }
  }
}
