package org.safegrid.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.OutputFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Holds the hand-written contract check and the JSON Schemas to the same verdict on a corpus of
 * valid messages and of every single-field mutation of them.
 */
class ContractCheckTest {

  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Valid messages of every source and shape: required fields only, and every optional field. */
  static final Map<String, Source> BASES = new LinkedHashMap<>();

  static {
    String common = "\"severity\":3,\"observedAt\":\"2026-11-22T21:15:30+08:00\",\"lon\":114.4152,\"lat\":23.1115";
    BASES.put("{\"id\":\"c-1\",\"source\":\"camera\",\"sourceId\":\"CAM-1\",\"kind\":\"intrusion\"," + common
        + ",\"attrs\":{\"cameraId\":\"CAM-1\",\"class\":\"person\",\"confidence\":0.91}}", Source.CAMERA);
    BASES.put("{\"id\":\"c-2\",\"source\":\"camera\",\"sourceId\":\"CAM-2\",\"kind\":\"campus_alarm\"," + common
        + ",\"datum\":\"gcj02\",\"attrs\":{\"cameraId\":\"CAM-2\",\"class\":\"button\",\"confidence\":1,"
        + "\"campusCode\":\"HZ-01\",\"extra\":[1,2]}}", Source.CAMERA);
    BASES.put("{\"id\":\"k-1\",\"source\":\"checkpoint\",\"sourceId\":\"KP-1\",\"kind\":\"check\"," + common
        + ",\"attrs\":{\"checkpointId\":\"KP-1\",\"subject\":\"vehicle\",\"result\":\"clear\",\"plate\":\"粤LK2468\"}}",
        Source.CHECKPOINT);
    BASES.put("{\"id\":\"k-2\",\"source\":\"checkpoint\",\"sourceId\":\"KP-2\",\"kind\":\"check\"," + common
        + ",\"datum\":\"wgs84\",\"attrs\":{\"checkpointId\":\"KP-2\",\"subject\":\"person\",\"result\":\"hit\"}}",
        Source.CHECKPOINT);
    BASES.put("{\"id\":\"p-1\",\"source\":\"patrol\",\"sourceId\":\"PU-1\",\"kind\":\"position\"," + common
        + ",\"attrs\":{\"unitId\":\"PU-1\",\"speed\":37.1,\"heading\":50.1,\"status\":\"patrolling\"}}", Source.PATROL);
    BASES.put("{\"id\":\"p-2\",\"source\":\"patrol\",\"sourceId\":\"PU-2\",\"kind\":\"incident\"," + common
        + ",\"attrs\":{\"unitId\":\"PU-2\",\"note\":\"window broken\"}}", Source.PATROL);
    BASES.put("{\"id\":\"i-1\",\"source\":\"incident\",\"sourceId\":\"110-HZ\",\"kind\":\"violent\"," + common
        + ",\"attrs\":{\"channel\":\"110\",\"reportedAt\":\"2026-11-22T21:16:02+08:00\",\"occurredAt\":\"2026-11-22T21:10:00+08:00\","
        + "\"originalCode\":\"0101\",\"originalCategory\":\"殴打他人\",\"location\":{\"quality\":\"caller_gps\",\"accuracyMeters\":35}}}",
        Source.INCIDENT);
    BASES.put("{\"id\":\"i-2\",\"source\":\"incident\",\"sourceId\":\"12345-HZ\",\"kind\":\"disorder\"," + common
        + ",\"attrs\":{\"channel\":\"12345\",\"reportedAt\":\"2026-11-22T21:16:02+08:00\",\"address\":\"惠城区某路\","
        + "\"location\":{\"quality\":\"district_centroid\",\"accuracyMeters\":5000,\"districtCode\":\"441302\"}}}",
        Source.INCIDENT);
  }

  /** Values every field is set to in turn: wrong types, bounds, edge lengths, every enum value. */
  static final List<String> VALUES = List.of("null", "true", "[]", "{}", "\"\"", "\"x\"", "\"xy\"", "0", "1", "5",
      "6", "-1", "3.0", "3.5", "0.5", "1.0000001", "-0.0", "180", "180.0000001", "-180", "90", "-90.5", "300",
      "300.5", "360", "361", "2000", "1e400", "-1e400", "99999999999999999999", "-99999999999999999999",
      "0.99999999999999999999999", "\"" + "a".repeat(16) + "\"", "\"" + "a".repeat(17) + "\"",
      "\"" + "a".repeat(64) + "\"", "\"" + "a".repeat(65) + "\"", "\"" + "a".repeat(128) + "\"",
      "\"" + "a".repeat(129) + "\"", "\"" + "😀".repeat(64) + "\"", "\"" + "😀".repeat(65) + "\"",
      "\"" + "😀".repeat(128) + "\"", "\"" + "😀".repeat(129) + "\"", "\"" + "a".repeat(2000) + "\"",
      "\"" + "a".repeat(2001) + "\"", "\"😀\"", "\"camera\"", "\"checkpoint\"", "\"patrol\"", "\"Camera\"",
      "\"wgs84\"", "\"gcj02\"", "\"WGS84\"", "\"intrusion\"", "\"loitering\"", "\"crowd\"", "\"fight\"", "\"fire\"",
      "\"abandoned_object\"", "\"vehicle_alert\"", "\"campus_alarm\"", "\"check\"", "\"position\"", "\"incident\"",
      "\"suspicious_person\"", "\"suspicious_vehicle\"", "\"disturbance\"", "\"traffic_accident\"",
      "\"assist_request\"", "\"person\"", "\"vehicle\"", "\"non_motor_vehicle\"", "\"object\"", "\"button\"",
      "\"clear\"", "\"hit\"", "\"patrolling\"", "\"responding\"", "\"stationary\"", "\"off_duty\"", "\"teleport\"",
      "\"2026-11-22T21:15:30+08:00\"", "[\"person\"]", "{\"a\":1}", "\"incident\"", "\"violent\"", "\"property\"",
      "\"disorder\"", "\"traffic\"", "\"dispute\"", "\"fraud\"", "\"other\"", "\"110\"", "\"12345\"", "\"grid\"",
      "110", "\"geocoded_address\"", "\"caller_gps\"", "\"district_centroid\"", "100000", "100000.5",
      "\"" + "a".repeat(200) + "\"", "\"" + "a".repeat(201) + "\"", "\"" + "a".repeat(500) + "\"",
      "\"" + "a".repeat(501) + "\"", "{\"quality\":\"caller_gps\",\"accuracyMeters\":10}",
      "{\"quality\":\"caller_gps\"}");

  static final List<String> TOP_FIELDS = List.of("id", "source", "sourceId", "kind", "severity", "observedAt", "lon",
      "lat", "datum", "attrs", "extra", "Id");
  static final List<String> ATTR_FIELDS = List.of("cameraId", "class", "confidence", "campusCode", "checkpointId",
      "subject", "result", "plate", "unitId", "speed", "heading", "status", "note", "channel", "reportedAt",
      "occurredAt", "originalCode", "originalCategory", "location", "address", "extra");
  static final List<String> LOCATION_FIELDS = List.of("quality", "accuracyMeters", "districtCode", "extra");

  @Test
  void theCheckAndTheSchemasGiveTheSameVerdictOnEveryMessageOfTheCorpus() throws Exception {
    List<String> disagreements = new ArrayList<>();
    int valid = 0;
    int invalid = 0;
    for (Map.Entry<String, Source> base : BASES.entrySet()) {
      for (Source source : Source.values()) {
        List<JsonNode> corpus = new ArrayList<>();
        ObjectNode root = (ObjectNode) MAPPER.readTree(base.getKey());
        corpus.add(root);
        for (String f : TOP_FIELDS) {
          corpus.add(root.deepCopy().without(f));
          for (String v : VALUES) {
            corpus.add(root.deepCopy().set(f, MAPPER.readTree(v)));
          }
        }
        for (String f : ATTR_FIELDS) {
          ObjectNode removed = root.deepCopy();
          ((ObjectNode) removed.get("attrs")).remove(f);
          corpus.add(removed);
          for (String v : VALUES) {
            ObjectNode changed = root.deepCopy();
            ((ObjectNode) changed.get("attrs")).set(f, MAPPER.readTree(v));
            corpus.add(changed);
            // the conditional rules depend on two fields at once
            for (String kind : List.of("\"position\"", "\"incident\"")) {
              ObjectNode both = changed.deepCopy();
              both.set("kind", MAPPER.readTree(kind));
              corpus.add(both);
            }
          }
        }
        if (root.get("attrs").has("location")) {
          for (String f : LOCATION_FIELDS) {
            ObjectNode removed = root.deepCopy();
            ((ObjectNode) removed.get("attrs").get("location")).remove(f);
            corpus.add(removed);
            for (String v : VALUES) {
              ObjectNode changed = root.deepCopy();
              ((ObjectNode) changed.get("attrs").get("location")).set(f, MAPPER.readTree(v));
              corpus.add(changed);
            }
          }
        }
        for (JsonNode message : corpus) {
          boolean bySchema;
          try {
            bySchema = EventDecoder.schema(source).validate(message, OutputFormat.BOOLEAN);
          } catch (NumberFormatException e) {
            // the validator cannot compare an infinite number (1e400) with a bound: not a valid message
            bySchema = false;
          }
          boolean byCheck = ContractCheck.valid(source, message);
          if (bySchema != byCheck) {
            disagreements.add(source + " schema=" + bySchema + " check=" + byCheck + ": " + message);
          }
          if (bySchema) {
            valid++;
          } else {
            invalid++;
          }
        }
      }
    }
    assertThat(disagreements).as("messages judged differently").isEmpty();
    // the corpus exercises both verdicts in earnest
    assertThat(valid).isGreaterThan(1000);
    assertThat(invalid).isGreaterThan(10000);
  }
}
