package org.safegrid.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The differential test of the streaming decoder and its compiled contract check: one corpus (every
 * valid example, every single-field mutation of them, and hostile messages: duplicate keys, trailing
 * content, deep nesting, NaN and infinities, bytes that are not UTF-8, oversize strings, bad
 * timestamps) goes through
 * <ul>
 *   <li>the compiled {@link ContractCheck} and the general JSON Schema validator (networknt)
 *       interpreting the published schemas, for every source: the verdicts must agree;</li>
 *   <li>the {@link EventDecoder} and the tree-model {@link TreeDecoder} (SafeGrid's decoder before
 *       the streaming one): same acceptance, same refusal reason and message, and for an accepted
 *       message the same event, attrs text and content hash.</li>
 * </ul>
 */
class SchemaDifferentialTest {

  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-22T13:20:00Z");
  final EventDecoder decoder = new EventDecoder(EventRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));
  final TreeDecoder tree = new TreeDecoder(decoder);

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
      "{\"quality\":\"caller_gps\"}", "\"2026-11-22T21:15:30\"", "\"yesterday\"", "\"2026-02-30T00:00:00Z\"",
      "\"2026-11-22T21:20:00Z\"", "NaN", "Infinity", "-Infinity", "1e-400", "0x10", "01", "+1", "'x'");

  static final List<String> TOP_FIELDS = List.of("id", "source", "sourceId", "kind", "severity", "observedAt", "lon",
      "lat", "datum", "attrs", "extra", "Id");
  static final List<String> ATTR_FIELDS = List.of("cameraId", "class", "confidence", "campusCode", "checkpointId",
      "subject", "result", "plate", "unitId", "speed", "heading", "status", "note", "channel", "reportedAt",
      "occurredAt", "originalCode", "originalCategory", "location", "address", "extra");
  static final List<String> LOCATION_FIELDS = List.of("quality", "accuracyMeters", "districtCode", "extra");

  /** Stands for the value while a mutated message is serialised; replaced by the value's own text after. */
  static final String HOLE = "\u0001hole\u0001";

  /** A message of the corpus and the source whose schema it was made from. */
  record Message(Source source, byte[] bytes) {
  }

  /** Every valid example and every single-field mutation of it, as the bytes a producer would send. */
  static List<Message> mutations() throws IOException {
    List<Message> corpus = new ArrayList<>();
    for (Map.Entry<String, Source> e : BASES.entrySet()) {
      List<byte[]> of = new ArrayList<>();
      mutate((ObjectNode) MAPPER.readTree(e.getKey()), e.getValue() == Source.PATROL, of);
      of.forEach(b -> corpus.add(new Message(e.getValue(), b)));
    }
    return corpus;
  }

  /** The message's mutations; with {@code kinds}, each attrs mutation also under the kinds a patrol rule reads. */
  static void mutate(ObjectNode root, boolean kinds, List<byte[]> corpus) throws IOException {
    corpus.add(bytes(root));
    for (String f : TOP_FIELDS) {
      corpus.add(bytes(root.deepCopy().without(f)));
      for (String v : VALUES) {
        corpus.add(withValue(root.deepCopy().put(f, HOLE), v));
      }
    }
    for (String f : ATTR_FIELDS) {
      ObjectNode removed = root.deepCopy();
      ((ObjectNode) removed.get("attrs")).remove(f);
      corpus.add(bytes(removed));
      for (String v : VALUES) {
        ObjectNode changed = root.deepCopy();
        ((ObjectNode) changed.get("attrs")).put(f, HOLE);
        corpus.add(withValue(changed, v));
        // the patrol schema's conditional rule depends on two fields at once
        for (String kind : kinds ? List.of("position", "incident") : List.<String>of()) {
          corpus.add(withValue(changed.deepCopy().put("kind", kind), v));
        }
      }
    }
    if (root.get("attrs").has("location")) {
      for (String f : LOCATION_FIELDS) {
        ObjectNode removed = root.deepCopy();
        ((ObjectNode) removed.get("attrs").get("location")).remove(f);
        corpus.add(bytes(removed));
        for (String v : VALUES) {
          ObjectNode changed = root.deepCopy();
          ((ObjectNode) changed.get("attrs").get("location")).put(f, HOLE);
          corpus.add(withValue(changed, v));
        }
      }
    }
  }

  /** Hostile messages: what the mutations of single fields cannot make. */
  static Map<String, byte[]> hostile() {
    String camera = BASES.keySet().iterator().next();
    String head = camera.substring(0, camera.length() - 1);
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("empty object", utf8("{}"));
    m.put("array", utf8("[" + camera + "]"));
    m.put("string", utf8("\"" + camera.replace("\"", "\\\"") + "\""));
    m.put("null", utf8("null"));
    m.put("number", utf8("42"));
    m.put("white space only", utf8("  \n\t "));
    m.put("cut off", utf8(camera.substring(0, camera.length() / 2)));
    m.put("cut off before the last brace", utf8(head));
    m.put("not json", utf8("{not json"));
    m.put("single quotes", utf8(camera.replace('"', '\'')));
    m.put("comment", utf8("/* x */" + camera));
    m.put("trailing garbage", utf8(camera + " x"));
    m.put("trailing second object", utf8(camera + camera));
    m.put("trailing comma", utf8(head + ",}"));
    m.put("trailing white space", utf8(camera + " \n"));
    m.put("leading white space", utf8("\n " + camera));
    m.put("byte order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(camera)));
    m.put("duplicate id", utf8(head + ",\"id\":\"c-2\"}"));
    m.put("duplicate severity out of range", utf8(head + ",\"severity\":9}"));
    m.put("duplicate attrs key", utf8(camera.replace("\"confidence\":0.91", "\"confidence\":0.91,\"confidence\":7")));
    m.put("duplicate attrs key first null", utf8(camera.replace("\"confidence\"", "\"n\":null,\"n\":1,\"confidence\"")));
    m.put("duplicate key in an object in a list in attrs", utf8(camera.replace("\"confidence\"",
        "\"a\":[1,{\"z\":1,\"y\":2,\"z\":3}],\"confidence\"")));
    m.put("duplicate unknown field", utf8(head + ",\"extra\":1,\"extra\":2}"));
    m.put("duplicate datum", utf8(head + ",\"datum\":\"wgs84\",\"datum\":\"gcj02\"}"));
    m.put("the same key in two objects", utf8(camera.replace("\"confidence\"",
        "\"o\":{\"k\":1,\"j\":[{\"k\":2}]},\"p\":{\"k\":3},\"confidence\"")));
    m.put("NaN", utf8(camera.replace("0.91", "NaN")));
    m.put("Infinity", utf8(camera.replace("114.4152", "Infinity")));
    m.put("-Infinity", utf8(camera.replace("23.1115", "-Infinity")));
    m.put("lat 1e400", utf8(camera.replace("23.1115", "1e400")));
    m.put("confidence 1e400", utf8(camera.replace("0.91", "1e400")));
    m.put("confidence 1e-400", utf8(camera.replace("0.91", "1e-400")));
    m.put("nested 200 deep in attrs", utf8(camera.replace("\"confidence\"", "\"deep\":" + "[".repeat(200)
        + "]".repeat(200) + ",\"confidence\"")));
    m.put("nested 1500 deep in attrs", utf8(camera.replace("\"confidence\"", "\"deep\":" + "[".repeat(1500)
        + "]".repeat(1500) + ",\"confidence\"")));
    m.put("objects 1500 deep", utf8("{\"a\":".repeat(1500) + "1" + "}".repeat(1500)));
    m.put("unclosed nesting", utf8(camera.replace("\"confidence\"", "\"deep\":" + "[".repeat(50)
        + ",\"confidence\"")));
    byte[] ok = utf8(camera);
    for (byte[] bad : List.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC3, 0x28},
        new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        new byte[] {(byte) 0xE7, (byte) 0xB2}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80})) {
      int at = indexOf(ok, utf8("CAM-1\",\"class"));
      m.put("not UTF-8 in a string: " + Arrays.toString(bad), concat(Arrays.copyOf(ok, at), bad,
          Arrays.copyOfRange(ok, at, ok.length)));
    }
    m.put("Latin-1 text", camera.replace("CAM-1\",\"class", "CAM-\u00e9\",\"class").getBytes(StandardCharsets.ISO_8859_1));
    m.put("UTF-16", camera.getBytes(StandardCharsets.UTF_16BE));
    m.put("escaped lone surrogate", utf8(camera.replace("CAM-1\",\"class", "CAM-\\ud800\",\"class")));
    m.put("escaped NUL", utf8(camera.replace("CAM-1\",\"class", "CAM-\\u0000\",\"class")));
    m.put("id of 129 code points", utf8(camera.replace("\"c-1\"", "\"" + "\u7ca4".repeat(129) + "\"")));
    m.put("id of 128 astral code points", utf8(camera.replace("\"c-1\"", "\"" + "\uD83D\uDE00".repeat(128) + "\"")));
    m.put("attrs of 60 KiB", utf8(camera.replace("\"confidence\"", "\"pad\":\"" + "x".repeat(60_000)
        + "\",\"confidence\"")));
    m.put("too large", utf8(camera.replace("\"confidence\"", "\"pad\":\"" + "x".repeat(70_000)
        + "\",\"confidence\"")));
    m.put("observedAt without offset", utf8(camera.replace("+08:00", "")));
    m.put("observedAt 30 February", utf8(camera.replace("2026-11-22T21", "2026-02-30T21")));
    m.put("observedAt an hour ahead", utf8(camera.replace("21:15:30", "22:15:30")));
    m.put("observedAt 40 days old", utf8(camera.replace("2026-11-22", "2026-10-13")));
    m.put("observedAt with lower-case t", utf8(camera.replace("22T21", "22t21")));
    m.put("observedAt in another offset", utf8(camera.replace("2026-11-22T21:15:30+08:00", "2026-11-22T08:15:30-05:00")));
    m.put("outside the service area", utf8(camera.replace("114.4152", "2.35")));
    m.put("gcj02 inside", utf8(head + ",\"datum\":\"gcj02\"}"));
    m.put("integral severity written 3.0", utf8(camera.replace("\"severity\":3", "\"severity\":3.0")));
    m.put("severity 3e0", utf8(camera.replace("\"severity\":3", "\"severity\":3e0")));
    m.put("lon as an integer", utf8(camera.replace("114.4152", "114")));
    m.put("lon with exponent", utf8(camera.replace("114.4152", "1.144152E2")));
    m.put("lon with many digits", utf8(camera.replace("114.4152", "114.41520000000000000000001")));
    m.put("attrs of every JSON type", utf8(camera.replace("\"confidence\"", "\"s\":\"x\",\"i\":3,\"l\":4000000000,"
        + "\"b\":99999999999999999999,\"d\":0.91,\"e\":1e3,\"t\":true,\"f\":false,\"n\":null,"
        + "\"a\":[1,\"y\",{\"z\":2.5,\"a\":[]}],\"o\":{\"k\":[],\"b\":{\"y\":1,\"x\":2}},\"Z\":1,\"\":0,"
        + "\"\u00e9\":1,\"confidence\"")));
    m.put("fields in another order with spaces", utf8("{ \"attrs\" : {\"confidence\":0.91,\"class\":\"person\","
        + "\"cameraId\":\"CAM-1\"}, \"lat\":23.1115,\"lon\":114.4152,\"observedAt\":\"2026-11-22T21:15:30+08:00\","
        + "\"severity\":3,\"kind\":\"intrusion\",\"sourceId\":\"CAM-1\",\"source\":\"camera\",\"id\":\"c-1\" }"));
    return m;
  }

  @Test
  void theCompiledCheckAndTheSchemaValidatorGiveTheSameVerdictOnEveryMessage() throws Exception {
    List<String> disagreements = new ArrayList<>();
    int valid = 0;
    int invalid = 0;
    List<Message> corpus = new ArrayList<>(mutations());
    hostile().values().forEach(b -> corpus.add(new Message(Source.CAMERA, b)));
    for (Message each : corpus) {
      byte[] message = each.bytes();
      WireMessage wire;
      try {
        wire = MessageReader.read(message);
      } catch (IOException e) {
        wire = null;
      }
      JsonNode root;
      try {
        root = strictTree(message);
      } catch (IOException e) {
        root = null;
      }
      if ((wire == null) != (root == null || !root.isObject())) {
        disagreements.add("read: stream=" + (wire != null) + " tree=" + (root != null) + ": " + text(message));
        continue;
      }
      if (wire == null) {
        continue;
      }
      // judged by the schema it was made from and by one other (a message of another source fails the
      // const of "source" at once, so more would add time, not cases)
      for (Source source : List.of(each.source(), Source.values()[(each.source().ordinal() + 1) % 4])) {
        boolean bySchema = TreeDecoder.schemaAccepts(source, root);
        boolean byCheck = ContractCheck.valid(source, wire);
        if (bySchema != byCheck) {
          disagreements.add(source + " schema=" + bySchema + " check=" + byCheck + ": " + text(message));
        }
        if (bySchema) {
          valid++;
        } else {
          invalid++;
        }
      }
    }
    assertThat(disagreements).as("messages judged differently").isEmpty();
    // the corpus exercises both verdicts in earnest
    assertThat(valid).isGreaterThan(1000);
    assertThat(invalid).isGreaterThan(10000);
  }

  @Test
  void theStreamingDecoderAndTheTreeDecoderGiveTheSameResultOnEveryMessage() throws Exception {
    List<String> differences = new ArrayList<>();
    Map<Refusal, Integer> reasons = new java.util.EnumMap<>(Refusal.class);
    int accepted = 0;
    List<Message> corpus = new ArrayList<>(mutations());
    hostile().values().forEach(b -> corpus.add(new Message(null, b)));
    for (Message each : corpus) {
      byte[] message = each.bytes();
      // a mutation on its own topic; a hostile message on no topic, the camera topic (whose source it
      // names) and another one
      Source[] topics = each.source() != null ? new Source[] {each.source()}
          : new Source[] {null, Source.CAMERA, Source.PATROL};
      for (Source topic : topics) {
        EventDecoder.Result fast = decoder.decode(topic, message);
        EventDecoder.Result reference = byTree(topic, message);
        String difference = difference(fast, reference);
        if (difference != null) {
          differences.add("topic " + topic + ": " + difference + ": " + text(message));
        }
        if (fast instanceof EventDecoder.Refused r) {
          reasons.merge(r.reason(), 1, Integer::sum);
        } else {
          accepted++;
        }
      }
    }
    assertThat(differences).as("messages decoded differently").isEmpty();
    assertThat(accepted).isGreaterThan(1000);
    // every refusal the decoder itself can give comes up (the database's and the sender check's come
    // after decoding, in the worker)
    assertThat(reasons.keySet()).containsAll(java.util.EnumSet.complementOf(
        java.util.EnumSet.of(Refusal.DATABASE_REJECTED, Refusal.UNAUTHORISED_SOURCE)));
  }

  @Test
  void eachClassOfHostileMessageIsRefusedForTheReasonItAlwaysWas() {
    Map<String, byte[]> h = hostile();
    Map<String, Refusal> expected = new LinkedHashMap<>();
    expected.put("array", Refusal.MALFORMED_JSON);
    expected.put("cut off", Refusal.MALFORMED_JSON);
    expected.put("comment", Refusal.MALFORMED_JSON);
    expected.put("NaN", Refusal.MALFORMED_JSON);
    expected.put("Infinity", Refusal.MALFORMED_JSON);
    expected.put("nested 1500 deep in attrs", Refusal.MALFORMED_JSON);
    expected.put("not UTF-8 in a string: [-1]", Refusal.MALFORMED_JSON);
    expected.put("Latin-1 text", Refusal.MALFORMED_JSON);
    expected.put("empty object", Refusal.UNKNOWN_SOURCE);
    expected.put("lat 1e400", Refusal.COORDINATES_OUT_OF_RANGE);
    expected.put("confidence 1e400", Refusal.SCHEMA_VIOLATION);
    expected.put("escaped NUL", Refusal.SCHEMA_VIOLATION);
    expected.put("id of 129 code points", Refusal.SCHEMA_VIOLATION);
    expected.put("observedAt without offset", Refusal.SCHEMA_VIOLATION);
    expected.put("observedAt 30 February", Refusal.SCHEMA_VIOLATION);
    expected.put("observedAt an hour ahead", Refusal.TIMESTAMP_IN_FUTURE);
    expected.put("observedAt 40 days old", Refusal.TIMESTAMP_TOO_OLD);
    expected.put("outside the service area", Refusal.OUTSIDE_SERVICE_AREA);
    expected.put("too large", Refusal.TOO_LARGE);
    // tightened with the streaming decoder: a lenient tree read took the last of two values for a key
    // and ignored what followed the object; both are now refused as malformed JSON
    expected.put("duplicate id", Refusal.MALFORMED_JSON);
    expected.put("duplicate severity out of range", Refusal.MALFORMED_JSON);
    expected.put("duplicate attrs key", Refusal.MALFORMED_JSON);
    expected.put("duplicate attrs key first null", Refusal.MALFORMED_JSON);
    expected.put("duplicate key in an object in a list in attrs", Refusal.MALFORMED_JSON);
    expected.put("duplicate unknown field", Refusal.MALFORMED_JSON);
    expected.put("duplicate datum", Refusal.MALFORMED_JSON);
    expected.put("trailing garbage", Refusal.MALFORMED_JSON);
    expected.put("trailing second object", Refusal.MALFORMED_JSON);
    Map<String, Refusal> actual = new LinkedHashMap<>();
    expected.keySet().forEach(name -> actual.put(name, decoder.decode(Source.CAMERA, h.get(name))
        instanceof EventDecoder.Refused r ? r.reason() : null));
    assertThat(actual).isEqualTo(expected);
    for (String fine : List.of("trailing white space", "leading white space", "byte order mark", "gcj02 inside",
        "integral severity written 3.0", "lon as an integer", "attrs of every JSON type", "nested 200 deep in attrs",
        "id of 128 astral code points", "attrs of 60 KiB", "observedAt in another offset",
        "the same key in two objects")) {
      assertThat(decoder.decode(Source.CAMERA, h.get(fine))).as(fine).isInstanceOf(EventDecoder.Accepted.class);
    }
  }

  @Test
  void theSameContentInAnotherKeyOrderAndSpacingHasTheSameHash() {
    Map<String, byte[]> h = hostile();
    byte[] a = ((EventDecoder.Accepted) decoder.decode(Source.CAMERA, utf8(BASES.keySet().iterator().next()))).sha256();
    byte[] b = ((EventDecoder.Accepted) decoder.decode(Source.CAMERA, h.get("fields in another order with spaces")))
        .sha256();
    byte[] c = ((EventDecoder.Accepted) decoder.decode(Source.CAMERA, h.get("lon as an integer"))).sha256();
    assertThat(b).isEqualTo(a);
    assertThat(c).isNotEqualTo(a);
  }

  /** What SafeGrid's tree-model decoder made of a message (the byte checks before parsing are shared). */
  EventDecoder.Result byTree(Source topic, byte[] message) {
    if (message.length == 0 || message.length > EventRules.DEFAULT.maxBytes() || EventDecoder.containsNulEscape(message)) {
      return decoder.decode(topic, message);
    }
    return tree.decode(topic, message);
  }

  /** How two results differ, or null when they are the same. */
  static String difference(EventDecoder.Result a, EventDecoder.Result b) {
    if (a instanceof EventDecoder.Refused ra && b instanceof EventDecoder.Refused rb) {
      return ra.equals(rb) ? null : ra + " vs " + rb;
    }
    if (a instanceof EventDecoder.Accepted aa && b instanceof EventDecoder.Accepted ab) {
      if (!aa.event().equals(ab.event()) || !aa.attrsJson().equals(ab.attrsJson())
          || !Arrays.equals(aa.sha256(), ab.sha256())) {
        return aa.event() + " " + aa.attrsJson() + " vs " + ab.event() + " " + ab.attrsJson();
      }
      String types = valueTypes(aa.event().attrs());
      return types.equals(valueTypes(ab.event().attrs())) ? null : "attrs value types " + types;
    }
    return a + " vs " + b;
  }

  /** The Java types of a decoded value, nested: equal maps may still hold an Integer where the other has a Long. */
  static String valueTypes(Object v) {
    if (v instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      m.forEach((k, x) -> sb.append(k).append(':').append(valueTypes(x)).append(','));
      return sb.append('}').toString();
    }
    if (v instanceof List<?> l) {
      return l.stream().map(SchemaDifferentialTest::valueTypes).toList().toString();
    }
    return v == null ? "null" : v.getClass().getSimpleName();
  }

  static JsonNode strictTree(byte[] message) throws IOException {
    return new ObjectMapper(MessageReader.PARSING)
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(message);
  }

  static byte[] bytes(JsonNode n) throws IOException {
    return MAPPER.writeValueAsBytes(n);
  }

  static byte[] withValue(JsonNode n, String value) throws IOException {
    return utf8(MAPPER.writeValueAsString(n).replace(MAPPER.writeValueAsString(HOLE), value));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8);
    return s.length() > 400 ? s.substring(0, 400) + "…" : s;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
