package org.safegrid.ingest.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.safegrid.ingest.event.EventDecoder.Accepted;
import org.safegrid.ingest.event.EventDecoder.Refused;
import org.safegrid.ingest.event.EventDecoder.Result;

/**
 * The tree-model decoder: reads a message into a Jackson tree and judges it with the general JSON
 * Schema validator (networknt) interpreting the published schemas, in the order and with the
 * wording SafeGrid has always used.
 *
 * <p>{@link EventDecoder} hands it the messages its fast path refuses, so that a refusal's reason and
 * message stay what they were; {@code SchemaDifferentialTest} runs it over the whole corpus as the
 * reference the fast path is held to. Too slow for every message (the tree and the schema
 * interpretation were most of a worker's CPU); thread-safe.
 */
final class TreeDecoder {

  /** Reads trees with the settings of {@link MessageReader#PARSING}; writes objects with sorted keys. */
  private static final ObjectMapper MAPPER = JsonMapper.builder(MessageReader.PARSING)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true).build();
  /** Binds untyped values in the order of the message (the sorting mapper would sort nested maps). */
  private static final ObjectMapper UNTYPED = new ObjectMapper();
  private static final Map<Source, JsonSchema> SCHEMAS = loadSchemas();

  private final EventDecoder decoder;

  TreeDecoder(EventDecoder decoder) {
    this.decoder = decoder;
  }

  /** The JSON Schema of a source, as loaded from the classpath. */
  static JsonSchema schema(Source source) {
    return SCHEMAS.get(source);
  }

  /**
   * The refusal of a message the fast path refused. Should the schema accept what the compiled check
   * refused (the differential test keeps that from happening), the message is refused all the same:
   * nothing is accepted that either refuses.
   */
  Refused refuse(Source topicSource, byte[] value) {
    return decode(topicSource, value) instanceof Refused r ? r
        : new Refused(Refusal.SCHEMA_VIOLATION, "refused by the compiled contract check");
  }

  /** Decodes a message the way the tree-model decoder always did; size and U+0000 are checked before. */
  Result decode(Source topicSource, byte[] value) {
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
    String why = schemaViolations(src, root);
    if (why != null) {
      return new Refused(Refusal.SCHEMA_VIOLATION, why);
    }
    Instant observedAt;
    try {
      observedAt = EventDecoder.parseInstant(root.get("observedAt").textValue());
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
    Refused late = decoder.checkTime(src, kindNode.textValue(), observedAt);
    if (late != null) {
      return late;
    }
    JsonNode datumNode = root.get("datum");
    Datum datum = datumNode != null && "gcj02".equals(datumNode.textValue()) ? Datum.GCJ02 : Datum.WGS84;
    double[] wgs84 = EventDecoder.toWgs84(lonNode.doubleValue(), latNode.doubleValue(), datum);
    if (!decoder.rules().area().contains(wgs84[0], wgs84[1])) {
      return decoder.outsideArea(wgs84);
    }
    JsonNode attrsNode = root.get("attrs");
    String attrsJson = sortedJson(attrsNode);
    String id = root.get("id").textValue();
    String sourceId = root.get("sourceId").textValue();
    String kind = kindNode.textValue();
    int severity = root.get("severity").intValue();
    byte[] sha = EventDecoder.contentHash(id, src, sourceId, kind, severity, observedAt, lonNode.asText(),
        latNode.asText(), datum, attrsJson);
    Event event = new Event(id, src, sourceId, kind, severity, observedAt, wgs84[0], wgs84[1], Datum.WGS84,
        toMap(attrsNode));
    return new Accepted(event, attrsJson, sha);
  }

  /** Whether the schema accepts a tree, by the general validator. */
  static boolean schemaAccepts(Source source, JsonNode root) {
    try {
      return SCHEMAS.get(source).validate(root, OutputFormat.BOOLEAN);
    } catch (NumberFormatException e) {
      // the validator cannot compare an infinite number (1e400) with a bound: not a valid message
      return false;
    }
  }

  /** The schema's first reasons to refuse a tree, or null when it accepts it. */
  private static String schemaViolations(Source source, JsonNode root) {
    try {
      var messages = SCHEMAS.get(source).validate(root);
      return messages.isEmpty() ? null : messages.stream().map(ValidationMessage::getMessage).sorted().limit(5)
          .collect(Collectors.joining("; "));
    } catch (NumberFormatException e) {
      // the validator cannot compare an infinite number such as 1e400 with a bound
      return "a number is out of range: " + e.getMessage();
    }
  }

  /** Why an incident's reportedAt/occurredAt is not an ISO-8601 date-time with offset, or null when both are. */
  private static String badIncidentTimes(JsonNode attrs) {
    for (String field : new String[] {"reportedAt", "occurredAt"}) {
      JsonNode v = attrs.get(field);
      if (v == null) {
        continue;
      }
      try {
        EventDecoder.parseInstant(v.textValue());
      } catch (DateTimeParseException e) {
        return "attrs." + field + " is not an ISO-8601 date-time with offset: " + v;
      }
    }
    return null;
  }

  /** A value (a tree, a map, a record) as JSON text with the keys of every object sorted. */
  static String sortedJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value instanceof JsonNode n ? n : MAPPER.valueToTree(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The attrs object as a map, as Jackson's untyped binding makes it (in the message's key order). */
  static Map<String, Object> toMap(JsonNode node) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      m.put(f.getKey(), UNTYPED.convertValue(f.getValue(), Object.class));
    }
    return m;
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
      try (InputStream in = TreeDecoder.class.getResourceAsStream(s.schemaResource())) {
        if (in == null) {
          throw new IllegalStateException("schema " + s.schemaResource() + " missing from the classpath");
        }
        JsonNode schema = MAPPER.readTree(in);
        // observedAt is parsed strictly by the decoder anyway; checking its format twice costs a parse per message
        ((ObjectNode) schema.at("/properties/observedAt")).remove("format");
        m.put(s, factory.getSchema(schema));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return m;
  }
}
