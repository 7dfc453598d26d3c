package org.safegrid.ingest.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.safegrid.gisdata.datum.Gcj02;

/**
 * Reads one message of a source topic, checks it against the contract and {@link EventRules}, and
 * either accepts it (coordinates converted to WGS84) or says why it is refused.
 *
 * <p>Checks, in order: size, JSON syntax, source (and that it matches the topic), kind, coordinate
 * range, JSON Schema, timestamp window, service area. Thread-safe; the schemas are loaded once.
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

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true).build();
  private static final Map<Source, JsonSchema> SCHEMAS = loadSchemas();

  private final EventRules rules;
  private final Clock clock;

  public EventDecoder(EventRules rules, Clock clock) {
    this.rules = rules;
    this.clock = clock;
  }

  public EventDecoder(EventRules rules) {
    this(rules, Clock.systemUTC());
  }

  /** The JSON Schema of a source, as loaded from the classpath. */
  public static JsonSchema schema(Source source) {
    return SCHEMAS.get(source);
  }

  /**
   * Decodes a message.
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
    JsonNode root;
    try {
      root = MAPPER.readTree(value);
    } catch (IOException e) {
      return new Refused(Refusal.MALFORMED_JSON, firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      return new Refused(Refusal.MALFORMED_JSON, "not a JSON object");
    }
    JsonNode sourceNode = root.get("source");
    Optional<Source> source = sourceNode != null && sourceNode.isTextual()
        ? Source.findByWireName(sourceNode.textValue()) : Optional.empty();
    if (source.isEmpty()) {
      return new Refused(Refusal.UNKNOWN_SOURCE, "source " + (sourceNode == null ? "missing" : sourceNode.toString())
          + "; expected camera, checkpoint, patrol or incident");
    }
    if (topicSource != null && topicSource != source.get()) {
      return new Refused(Refusal.SOURCE_TOPIC_MISMATCH, "source " + source.get().wireName() + " on the "
          + topicSource.wireName() + " topic");
    }
    Source src = source.get();
    JsonNode kindNode = root.get("kind");
    if (kindNode != null && kindNode.isTextual() && !src.kinds().contains(kindNode.textValue())) {
      return new Refused(Refusal.UNKNOWN_KIND, "kind '" + kindNode.textValue() + "' is not a " + src.wireName()
          + " kind; expected one of " + src.kinds().stream().sorted().toList());
    }
    JsonNode lonNode = root.get("lon");
    JsonNode latNode = root.get("lat");
    if (lonNode != null && lonNode.isNumber() && latNode != null && latNode.isNumber()) {
      double lon = lonNode.doubleValue();
      double lat = latNode.doubleValue();
      if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
        return new Refused(Refusal.COORDINATES_OUT_OF_RANGE, "lon " + lonNode + ", lat " + latNode);
      }
    }
    // the hand-written check answers exactly what the schema answers (ContractCheckTest holds them
    // equal); the schema itself only words the reasons of a refusal
    if (!ContractCheck.valid(src, root)) {
      String why;
      try {
        why = SCHEMAS.get(src).validate(root).stream().map(ValidationMessage::getMessage).sorted()
            .limit(5).collect(Collectors.joining("; "));
      } catch (NumberFormatException e) {
        // the validator cannot compare an infinite number such as 1e400 with a bound
        why = "a number is out of range: " + e.getMessage();
      }
      return new Refused(Refusal.SCHEMA_VIOLATION, why);
    }
    Instant observedAt;
    try {
      observedAt = parseInstant(root.get("observedAt").textValue());
    } catch (DateTimeParseException e) {
      return new Refused(Refusal.SCHEMA_VIOLATION, "observedAt is not an ISO-8601 date-time with offset: "
          + root.get("observedAt"));
    }
    if (src == Source.INCIDENT) {
      String bad = badIncidentTimes(root.get("attrs"));
      if (bad != null) {
        return new Refused(Refusal.SCHEMA_VIOLATION, bad);
      }
    }
    Instant now = clock.instant();
    Duration maxFuture = rules.maxFuture(src, kindNode.textValue());
    if (observedAt.isAfter(now.plus(maxFuture))) {
      return new Refused(Refusal.TIMESTAMP_IN_FUTURE, "observedAt " + observedAt + " is more than "
          + maxFuture + " after now (" + now + ")" + (maxFuture.equals(rules.maxFuture()) ? ""
          : "; a patrol position may be at most " + maxFuture + " ahead"));
    }
    if (observedAt.isBefore(now.minus(rules.maxAge()))) {
      return new Refused(Refusal.TIMESTAMP_TOO_OLD, "observedAt " + observedAt + " is more than " + rules.maxAge()
          + " before now (" + now + ")");
    }
    double lon = lonNode.doubleValue();
    double lat = latNode.doubleValue();
    JsonNode datumNode = root.get("datum");
    Datum datum = datumNode != null && "gcj02".equals(datumNode.textValue()) ? Datum.GCJ02 : Datum.WGS84;
    if (datum == Datum.GCJ02) {
      double[] w = Gcj02.toWgs84(lon, lat);
      lon = w[0];
      lat = w[1];
    }
    if (!rules.area().contains(lon, lat)) {
      return new Refused(Refusal.OUTSIDE_SERVICE_AREA, String.format("(%.6f, %.6f) is outside the service area %s",
          lon, lat, rules.area()));
    }
    JsonNode attrsNode = root.get("attrs");
    String attrsJson = sortedJson(attrsNode);
    String id = root.get("id").textValue();
    String sourceId = root.get("sourceId").textValue();
    String kind = kindNode.textValue();
    int severity = root.get("severity").intValue();
    byte[] sha = contentHash(id, src, sourceId, kind, severity, observedAt, lonNode.asText(), latNode.asText(), datum,
        attrsJson);
    Map<String, Object> attrs = toMap(attrsNode);
    Event event = new Event(id, src, sourceId, kind, severity, observedAt, lon, lat, Datum.WGS84, attrs);
    return new Accepted(event, attrsJson, sha);
  }

  /** Why an incident's reportedAt/occurredAt is not an ISO-8601 date-time with offset, or null when both are. */
  private static String badIncidentTimes(JsonNode attrs) {
    for (String field : new String[] {"reportedAt", "occurredAt"}) {
      JsonNode v = attrs.get(field);
      if (v == null) {
        continue;
      }
      try {
        parseInstant(v.textValue());
      } catch (DateTimeParseException e) {
        return "attrs." + field + " is not an ISO-8601 date-time with offset: " + v;
      }
    }
    return null;
  }

  /**
   * An event made by SafeGrid itself (a history import) in the form a decoded message takes: attrs as
   * sorted JSON and the content hash computed as {@link #decode} computes it. The caller has checked
   * the event against the contract.
   */
  public static Accepted accepted(Event e) {
    String attrsJson = sortedJson(MAPPER.valueToTree(e.attrs()));
    byte[] sha = contentHash(e.id(), e.source(), e.sourceId(), e.kind(), e.severity(), e.observedAt(),
        Double.toString(e.lon()), Double.toString(e.lat()), e.datum(), attrsJson);
    return new Accepted(e, attrsJson, sha);
  }

  /** SHA-256 of an event's content: the same content gives the same hash, whatever the key order or spacing. */
  private static byte[] contentHash(String id, Source source, String sourceId, String kind, int severity,
                                    Instant observedAt, String lonText, String latText, Datum datum, String attrsJson) {
    return sha256(id + '\u0000' + source.wireName() + '\u0000' + sourceId + '\u0000' + kind + '\u0000' + severity
        + '\u0000' + observedAt + '\u0000' + lonText + '\u0000' + latText + '\u0000' + datum.wireName() + '\u0000'
        + attrsJson);
  }

  /** A JSON value as text with the keys of every object sorted. */
  private static String sortedJson(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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

  /**
   * The attrs object as a map, as Jackson's untyped binding makes it (insertion order; Integer, Long,
   * BigInteger, Double, Boolean, String, null; nested values through Jackson), without its detour
   * through a token buffer for the flat values that make up nearly all attrs.
   */
  static Map<String, Object> toMap(JsonNode node) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      Object o;
      if (v.isTextual()) {
        o = v.textValue();
      } else if (v.isDouble()) {
        o = v.doubleValue();
      } else if (v.isInt()) {
        o = v.intValue();
      } else if (v.isBoolean()) {
        o = v.booleanValue();
      } else if (v.isNull()) {
        o = null;
      } else {
        o = MAPPER.convertValue(v, Object.class);
      }
      m.put(f.getKey(), o);
    }
    return m;
  }

  private static boolean containsNulEscape(byte[] v) {
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

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid JSON";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) : line;
  }

  private static Map<Source, JsonSchema> loadSchemas() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    Map<Source, JsonSchema> m = new EnumMap<>(Source.class);
    for (Source s : Source.values()) {
      try (InputStream in = EventDecoder.class.getResourceAsStream(s.schemaResource())) {
        if (in == null) {
          throw new IllegalStateException("schema " + s.schemaResource() + " missing from the classpath");
        }
        JsonNode schema = MAPPER.readTree(in);
        // observedAt is parsed strictly by decode() anyway; checking its format twice costs a parse per message
        ((com.fasterxml.jackson.databind.node.ObjectNode) schema.at("/properties/observedAt")).remove("format");
        m.put(s, factory.getSchema(schema));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return m;
  }
}
