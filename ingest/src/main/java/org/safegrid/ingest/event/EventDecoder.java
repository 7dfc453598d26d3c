package org.safegrid.ingest.event;

import com.networknt.schema.JsonSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.safegrid.gisdata.datum.Gcj02;

/**
 * Reads one message of a source topic, checks it against the contract and {@link EventRules}, and
 * either accepts it (coordinates converted to WGS84) or says why it is refused.
 *
 * <p>Checks, in order: size, JSON syntax, source (and that it matches the topic), kind, coordinate
 * range, JSON Schema, timestamp window, service area. Thread-safe; the schemas are loaded once.
 * Decoding, checking and hashing live here and in the classes it calls; what a caller does with an
 * accepted event (authorise its source, write it) is the caller's step.
 */
public final class EventDecoder {

  /** Outcome of {@link #decode}. */
  public sealed interface Result permits Accepted, Refused {
  }

  /**
   * An accepted event.
   *
   * @param event     the event, coordinates in WGS84
   * @param attrsJson its attrs as JSON text, keys sorted
   * @param sha256    SHA-256 of the event's canonical content (same content, same hash, whatever the
   *                  key order or spacing of the message); detects "same id, different payload"
   */
  public record Accepted(Event event, String attrsJson, byte[] sha256) implements Result {
  }

  /**
   * A refused message.
   *
   * @param reason  stable reason
   * @param message human-readable detail
   */
  public record Refused(Refusal reason, String message) implements Result {
  }

  private final EventRules rules;
  private final Clock clock;
  private final TreeDecoder tree;

  public EventDecoder(EventRules rules, Clock clock) {
    this.rules = rules;
    this.clock = clock;
    this.tree = new TreeDecoder(this);
  }

  public EventDecoder(EventRules rules) {
    this(rules, Clock.systemUTC());
  }

  /** The JSON Schema of a source, as loaded from the classpath. */
  public static JsonSchema schema(Source source) {
    return TreeDecoder.schema(source);
  }

  /**
   * Decodes a message.
   *
   * <p>The usual message takes the fast path: streamed into its fields ({@link MessageReader}), held
   * to the schema by the compiled {@link ContractCheck}, the record built from those fields. A
   * message that fails any check there is handed whole to {@link TreeDecoder}, the tree-model path
   * that words the refusal (reason and message) exactly as SafeGrid always has.
   *
   * @param topicSource the source whose topic the message came on, or null when unknown; when
   *                    given, the message's source must match it
   * @param value       the message bytes (may be null)
   */
  public Result decode(Source topicSource, byte[] value) {
    if (value == null || value.length == 0) {
      return new Refused(Refusal.MALFORMED_JSON, "empty message");
    }
    if (value.length > rules.maxBytes()) {
      return new Refused(Refusal.TOO_LARGE, value.length + " bytes > limit " + rules.maxBytes());
    }
    if (containsNulEscape(value)) {
      // PostgreSQL text and jsonb cannot hold U+0000
      return new Refused(Refusal.SCHEMA_VIOLATION, "text contains \\u0000, which cannot be stored");
    }
    WireMessage m;
    try {
      m = MessageReader.read(value);
    } catch (IOException | RuntimeException e) {
      return tree.refuse(topicSource, value);
    }
    Source src = m == null || !(m.source instanceof String s) ? null : Source.findByWireName(s).orElse(null);
    if (src == null || (topicSource != null && topicSource != src) || !ContractCheck.valid(src, m)) {
      return tree.refuse(topicSource, value);
    }
    String observedText = (String) m.observedAt;
    Instant observedAt;
    try {
      observedAt = parseInstant(observedText);
    } catch (DateTimeParseException e) {
      return tree.refuse(topicSource, value);
    }
    Map<String, Object> attrs = m.attrsMap();
    if (src == Source.INCIDENT && !incidentTimesParse(attrs)) {
      return tree.refuse(topicSource, value);
    }
    String kind = (String) m.kind;
    Refused late = checkTime(src, kind, observedAt);
    if (late != null) {
      return late;
    }
    Number lonValue = (Number) m.lon;
    Number latValue = (Number) m.lat;
    Datum datum = "gcj02".equals(m.datum) ? Datum.GCJ02 : Datum.WGS84;
    double[] wgs84 = toWgs84(lonValue.doubleValue(), latValue.doubleValue(), datum);
    if (!rules.area().contains(wgs84[0], wgs84[1])) {
      return outsideArea(wgs84);
    }
    String attrsJson = SortedJson.write(attrs);
    String id = (String) m.id;
    String sourceId = (String) m.sourceId;
    int severity = ((Number) m.severity).intValue();
    byte[] sha = contentHash(id, src, sourceId, kind, severity, observedAt, numberText(lonValue),
        numberText(latValue), datum, attrsJson);
    Event event = new Event(id, src, sourceId, kind, severity, observedAt, wgs84[0], wgs84[1], Datum.WGS84, attrs);
    return new Accepted(event, attrsJson, sha);
  }

  /** True when an incident's reportedAt and (if there) occurredAt parse as date-times with offset. */
  private static boolean incidentTimesParse(Map<String, Object> attrs) {
    try {
      parseInstant((String) attrs.get("reportedAt"));
      Object occurred = attrs.get("occurredAt");
      if (occurred != null) {
        parseInstant((String) occurred);
      }
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** The refusal of an observedAt outside the time window (clock skew, age), or null when inside. */
  Refused checkTime(Source src, String kind, Instant observedAt) {
    Instant now = clock.instant();
    Duration maxFuture = rules.maxFuture(src, kind);
    if (observedAt.isAfter(now.plus(maxFuture))) {
      return new Refused(Refusal.TIMESTAMP_IN_FUTURE, "observedAt " + observedAt + " is more than "
          + maxFuture + " after now (" + now + ")" + (maxFuture.equals(rules.maxFuture()) ? ""
          : "; a patrol position may be at most " + maxFuture + " ahead"));
    }
    if (observedAt.isBefore(now.minus(rules.maxAge()))) {
      return new Refused(Refusal.TIMESTAMP_TOO_OLD, "observedAt " + observedAt + " is more than " + rules.maxAge()
          + " before now (" + now + ")");
    }
    return null;
  }

  /** The rules' service area (with its margin). */
  EventRules rules() {
    return rules;
  }

  /** lon/lat in WGS84: GCJ-02 is converted. */
  static double[] toWgs84(double lon, double lat, Datum datum) {
    return datum == Datum.GCJ02 ? Gcj02.toWgs84(lon, lat) : new double[] {lon, lat};
  }

  Refused outsideArea(double[] wgs84) {
    return new Refused(Refusal.OUTSIDE_SERVICE_AREA, String.format("(%.6f, %.6f) is outside the service area %s",
        wgs84[0], wgs84[1], rules.area()));
  }

  /**
   * A JSON number as the tree model writes it in text ({@code JsonNode.asText()}): the content hash
   * has always covered the coordinates in that form.
   */
  static String numberText(Number n) {
    return n instanceof Double d ? Double.toString(d) : n.toString();
  }

  /**
   * An event made by SafeGrid itself (a history import) in the form a decoded message takes: attrs as
   * sorted JSON and the content hash computed as {@link #decode} computes it. The caller has checked
   * the event against the contract.
   */
  public static Accepted accepted(Event e) {
    // the streaming decoder's writer: byte for byte the tree model's sorted text (so the same hash as
    // before for rows imported earlier), without building a tree per event
    String attrsJson = SortedJson.write(e.attrs());
    byte[] sha = contentHash(e.id(), e.source(), e.sourceId(), e.kind(), e.severity(), e.observedAt(),
        Double.toString(e.lon()), Double.toString(e.lat()), e.datum(), attrsJson);
    return new Accepted(e, attrsJson, sha);
  }

  /** SHA-256 of an event's content: the same content gives the same hash, whatever the key order or spacing. */
  static byte[] contentHash(String id, Source source, String sourceId, String kind, int severity,
                                    Instant observedAt, String lonText, String latText, Datum datum, String attrsJson) {
    return sha256(id + '\u0000' + source.wireName() + '\u0000' + sourceId + '\u0000' + kind + '\u0000' + severity
        + '\u0000' + IsoInstant.format(observedAt) + '\u0000' + lonText + '\u0000' + latText + '\u0000'
        + datum.wireName() + '\u0000' + attrsJson);
  }

  /** Parses an ISO-8601 date-time with offset exactly as {@link OffsetDateTime#parse} does. */
  static Instant parseInstant(String s) {
    Instant fast = parseCommonForm(s);
    return fast != null ? fast : OffsetDateTime.parse(s).toInstant();
  }

  /**
   * The instant of the form producers send ({@code 2026-11-22T21:15:30[.f…f]+08:00} or {@code …Z}),
   * or null for anything else (any other form goes to the full parser, which accepts or refuses it).
   * A subset of what {@link OffsetDateTime#parse} accepts, with the same result; a few times faster.
   */
  static Instant parseCommonForm(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        nanos = nanos * 10 + (s.charAt(i) - '0');
        i++;
      }
      int len = i - start;
      if (len == 0) {
        return null;
      }
      for (int k = len; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if ((oh | om) < 0 || oh > 18 || om > 59 || (oh == 18 && om > 0)) {
        return null;
      }
      offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
          .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The non-negative number written with {@code len} ASCII digits at {@code at}, or -1. */
  private static int digits(String s, int at, int len) {
    int v = 0;
    for (int k = at; k < at + len; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static boolean containsNulEscape(byte[] v) {
    for (int i = 0; i + 5 < v.length; i++) {
      if (v[i] == '\\' && v[i + 1] == 'u' && v[i + 2] == '0' && v[i + 3] == '0' && v[i + 4] == '0'
          && v[i + 5] == '0') {
        return true;
      }
    }
    return false;
  }

  /** One digest per thread: looking the algorithm up for each message cost a quarter of the hashing. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private static byte[] sha256(String s) {
    // digest() resets the digest for the next call
    return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
