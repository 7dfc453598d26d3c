package org.safegrid.server.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import org.safegrid.ingest.event.Source;
import org.safegrid.server.geojson.BoundingBox;

/**
 * A validated {@code GET /api/events} request: filters, page size and the keyset cursor.
 *
 * @param bbox   WGS84 box, or null
 * @param from   observedAt at or after, or null
 * @param to     observedAt before, or null
 * @param source one source, or null
 * @param kind   one kind, or null
 * @param limit  page size, 1..1000
 * @param after  cursor: return events strictly older than this position, or null for the first page
 */
record EventQuery(BoundingBox bbox, Instant from, Instant to, Source source, String kind, int limit,
                  Cursor after) {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  /**
   * A position in the newest-first order: (observedAt, eventId).
   *
   * @param observedAt observedAt of the last event of the previous page
   * @param eventId    its id
   */
  record Cursor(Instant observedAt, String eventId) {

    String encode() {
      String raw = observedAt.toString() + "|" + eventId;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
      try {
        String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int bar = raw.indexOf('|');
        return new Cursor(Instant.parse(raw.substring(0, bar)), raw.substring(bar + 1));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor is not one this server handed out; start again without it");
      }
    }
  }

  /** Parses and checks the raw request parameters; throws IllegalArgumentException (400) with the reason. */
  static EventQuery parse(String bbox, String from, String to, String source, String kind, Integer limit,
                          String cursor) {
    Instant f = time("from", from);
    Instant t = time("to", to);
    if (f != null && t != null && !f.isBefore(t)) {
      throw new IllegalArgumentException("from must be before to");
    }
    Source s = null;
    if (source != null && !source.isBlank()) {
      s = Source.findByWireName(source).orElseThrow(() -> new IllegalArgumentException(
          "source must be camera, checkpoint or patrol"));
    }
    if (kind != null && kind.isBlank()) {
      kind = null;
    }
    if (kind != null && (kind.length() > 64 || !kind.matches("[a-z_]+"))) {
      throw new IllegalArgumentException("kind must be a lower-case event kind such as intrusion or position");
    }
    int l = limit == null ? DEFAULT_LIMIT : limit;
    if (l < 1 || l > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
    Cursor c = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor);
    return new EventQuery(BoundingBox.parse(bbox), f, t, s, kind, l, c);
  }

  private static Instant time(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException(name + " must be an ISO-8601 time with offset, e.g. 2026-11-22T21:00:00+08:00");
      }
    }
  }
}
