package org.safegrid.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.datum.Gcj02;

class EventDecoderTest {

  static final Instant NOW = Instant.parse("2026-11-22T13:20:00Z");
  final EventDecoder decoder = new EventDecoder(EventRules.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));

  static String camera(String overrides) {
    return "{\"id\":\"c-1\",\"source\":\"camera\",\"sourceId\":\"CAM-441302-0042\",\"kind\":\"intrusion\","
        + "\"severity\":3,\"observedAt\":\"2026-11-22T21:15:30+08:00\",\"lon\":114.4152,\"lat\":23.1115,"
        + "\"attrs\":{\"cameraId\":\"CAM-441302-0042\",\"class\":\"person\",\"confidence\":0.91}" + overrides + "}";
  }

  EventDecoder.Result decode(Source topic, String json) {
    return decoder.decode(topic, json.getBytes(StandardCharsets.UTF_8));
  }

  Refusal refusal(Source topic, String json) {
    EventDecoder.Result r = decode(topic, json);
    assertThat(r).as(json).isInstanceOf(EventDecoder.Refused.class);
    return ((EventDecoder.Refused) r).reason();
  }

  @Test
  void acceptsTheDesignExampleAndKeepsItsFields() {
    EventDecoder.Result r = decode(Source.CAMERA, camera(""));
    assertThat(r).isInstanceOf(EventDecoder.Accepted.class);
    Event e = ((EventDecoder.Accepted) r).event();
    assertThat(e.observedAt()).isEqualTo(Instant.parse("2026-11-22T13:15:30Z"));
    assertThat(e.lon()).isEqualTo(114.4152);
    assertThat(e.attrs()).containsEntry("class", "person");
  }

  @Test
  void sameContentInAnotherKeyOrderHasTheSameHashAndOtherCoordinatesAnother() {
    String reordered = "{\"attrs\":{\"confidence\":0.91,\"class\":\"person\",\"cameraId\":\"CAM-441302-0042\"},"
        + "\"lat\":23.1115,\"lon\":114.4152,\"observedAt\":\"2026-11-22T21:15:30+08:00\",\"severity\":3,"
        + "\"kind\":\"intrusion\",\"sourceId\":\"CAM-441302-0042\",\"source\":\"camera\",\"id\":\"c-1\"}";
    byte[] a = ((EventDecoder.Accepted) decode(Source.CAMERA, camera(""))).sha256();
    byte[] b = ((EventDecoder.Accepted) decode(Source.CAMERA, reordered)).sha256();
    byte[] c = ((EventDecoder.Accepted) decode(Source.CAMERA,
        camera("").replace("114.4152", "114.4153"))).sha256();
    assertThat(b).isEqualTo(a);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void gcj02IsConvertedToWgs84() {
    double[] g = Gcj02.fromWgs84(114.4152, 23.1115);
    String json = camera(",\"datum\":\"gcj02\"").replace("114.4152", Double.toString(g[0]))
        .replace("23.1115", Double.toString(g[1]));
    Event e = ((EventDecoder.Accepted) decode(Source.CAMERA, json)).event();
    assertThat(e.lon()).isCloseTo(114.4152, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(e.lat()).isCloseTo(23.1115, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(e.datum()).isEqualTo(Datum.WGS84);
  }

  @Test
  void everyRefusalReasonIsRecognised() {
    Source t = Source.CAMERA;
    assertThat(refusal(t, "{not json")).isEqualTo(Refusal.MALFORMED_JSON);
    assertThat(refusal(t, camera("").replace("CAM-441302-0042\",\"class", "CAM\\u0000\",\"class")))
        .isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(refusal(t, camera(",\"x\":\"" + "a".repeat(70_000) + "\""))).isEqualTo(Refusal.TOO_LARGE);
    assertThat(refusal(t, camera("").replace("\"source\":\"camera\"", "\"source\":\"drone\"")))
        .isEqualTo(Refusal.UNKNOWN_SOURCE);
    assertThat(refusal(Source.PATROL, camera(""))).isEqualTo(Refusal.SOURCE_TOPIC_MISMATCH);
    assertThat(refusal(t, camera("").replace("intrusion", "teleport"))).isEqualTo(Refusal.UNKNOWN_KIND);
    assertThat(refusal(t, camera("").replace("23.1115", "95.0"))).isEqualTo(Refusal.COORDINATES_OUT_OF_RANGE);
    assertThat(refusal(t, camera("").replace("23.1115", "1e400"))).isEqualTo(Refusal.COORDINATES_OUT_OF_RANGE);
    assertThat(refusal(t, camera("").replace("\"severity\":3", "\"severity\":\"high\"")))
        .isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(refusal(t, camera("").replace("\"confidence\":0.91", "\"confidence\":1.5")))
        .isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(refusal(t, camera("").replace("2026-11-22T21:15:30+08:00", "yesterday")))
        .isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(refusal(t, camera("").replace("114.4152", "2.35"))).isEqualTo(Refusal.OUTSIDE_SERVICE_AREA);
    assertThat(refusal(t, camera("").replace("2026-11-22T21:15:30+08:00", "2026-11-22T21:40:00+08:00")))
        .isEqualTo(Refusal.TIMESTAMP_IN_FUTURE);
    assertThat(refusal(t, camera("").replace("2026-11-22T21:15:30+08:00", "2026-10-01T21:15:30+08:00")))
        .isEqualTo(Refusal.TIMESTAMP_TOO_OLD);
  }

  @Test
  void checkpointVehicleNeedsAPlateAndPatrolPositionNeedsSpeedHeadingStatus() {
    String vehicle = "{\"id\":\"k-1\",\"source\":\"checkpoint\",\"sourceId\":\"KP-17\",\"kind\":\"check\",\"severity\":1,"
        + "\"observedAt\":\"2026-11-22T21:15:30+08:00\",\"lon\":114.41,\"lat\":23.11,"
        + "\"attrs\":{\"checkpointId\":\"KP-17\",\"subject\":\"vehicle\",\"result\":\"clear\"%s}}";
    assertThat(refusal(Source.CHECKPOINT, vehicle.formatted(""))).isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(decode(Source.CHECKPOINT, vehicle.formatted(",\"plate\":\"粤L12345\"")))
        .isInstanceOf(EventDecoder.Accepted.class);
    String ping = "{\"id\":\"p-1\",\"source\":\"patrol\",\"sourceId\":\"U-1\",\"kind\":\"%s\",\"severity\":0,"
        + "\"observedAt\":\"2026-11-22T21:15:30+08:00\",\"lon\":114.41,\"lat\":23.11,\"attrs\":{\"unitId\":\"U-1\"}}";
    assertThat(refusal(Source.PATROL, ping.formatted("position"))).isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(decode(Source.PATROL, ping.formatted("incident"))).isInstanceOf(EventDecoder.Accepted.class);
  }

  @Test
  void codecOutputIsAccepted() {
    Event e = new Event("p-9", Source.PATROL, "U-9", "position", 0, Instant.parse("2026-11-22T13:00:00Z"), 114.4,
        23.1, Datum.WGS84, new PatrolAttrs("U-9", 32.5, 270.0, "patrolling", null).toMap());
    EventDecoder.Result r = decoder.decode(e.source(), EventCodec.encode(e));
    assertThat(r).isInstanceOf(EventDecoder.Accepted.class);
    Event back = ((EventDecoder.Accepted) r).event();
    assertThat(back).isEqualTo(e);
    assertThat(back.attrs()).isEqualTo(Map.of("unitId", "U-9", "speed", 32.5, "heading", 270.0, "status", "patrolling"));
  }

  @Test
  void attrsMapIsWhatJacksonsUntypedBindingMakes() throws Exception {
    String attrsJson = "{\"cameraId\":\"CAM-441302-0042\",\"class\":\"person\",\"confidence\":0.91,\"s\":\"x\","
        + "\"i\":3,\"l\":4000000000,\"b\":99999999999999999999,\"d\":0.91,\"e\":1e3,\"t\":true,\"n\":null,"
        + "\"a\":[1,\"y\",{\"z\":2.5}],\"o\":{\"k\":[]}}";
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    Map<String, Object> expected = m.readValue(attrsJson, new com.fasterxml.jackson.core.type.TypeReference<>() {
    });
    String json = camera("").replaceFirst("\"attrs\":\\{[^}]*}", "\"attrs\":" + java.util.regex.Matcher.quoteReplacement(attrsJson));
    Map<String, Object> actual = ((EventDecoder.Accepted) decode(Source.CAMERA, json)).event().attrs();
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach((k, v) -> assertThat(actual.get(k) == null ? null : actual.get(k).getClass()).as(k)
        .isEqualTo(v == null ? null : v.getClass()));
  }

  @Test
  void theFastTimestampParserAgreesWithTheFullParser() {
    java.util.List<String> corpus = new java.util.ArrayList<>(java.util.List.of("2026-11-22T21:15:30+08:00",
        "2026-11-22T21:15:30Z", "2026-11-22T21:15:30.1Z", "2026-11-22T21:15:30.123456789-03:30",
        "2026-11-22T21:15:30.1234567891Z", "2026-11-22T21:15:30.Z", "2026-11-22t21:15:30Z", "2026-11-22T21:15:30z",
        "2026-11-22T21:15Z", "2026-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T23:60:00Z",
        "2026-11-22T23:59:60Z", "2026-11-22T21:15:30+18:00", "2026-11-22T21:15:30+18:01",
        "2026-11-22T21:15:30+19:00", "2026-11-22T21:15:30-00:00", "2026-11-22T21:15:30+08:60",
        "2026-11-22T21:15:30+0800", "2026-11-22T21:15:30+08", "2026-11-22T21:15:30+08:00:00", "2026-11-22T21:15:30",
        "2026-11-22 21:15:30Z", "+2026-11-22T21:15:30Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        "+10000-01-01T00:00:00Z", "2026-1-22T21:15:30Z", "２０２６-11-22T21:15:30Z", "2026-11-22T21:15:30+08:00 ",
        ""));
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 2000; i++) {
      corpus.add(String.format(java.util.Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", r.nextInt(10000),
          r.nextInt(14), r.nextInt(33), r.nextInt(26), r.nextInt(62), r.nextInt(62),
          r.nextBoolean() ? "" : "." + Integer.toString(r.nextInt(1_000_000)),
          r.nextInt(4) == 0 ? "Z" : String.format(java.util.Locale.ROOT, "%s%02d:%02d", r.nextBoolean() ? "+" : "-",
              r.nextInt(20), r.nextInt(61))));
    }
    int fast = 0;
    for (String s : corpus) {
      Instant full;
      try {
        full = java.time.OffsetDateTime.parse(s).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        full = null;
      }
      Instant quick = EventDecoder.parseCommonForm(s);
      if (quick != null) {
        fast++;
        assertThat(quick).as(s).isEqualTo(full);
      }
      Instant both;
      try {
        both = EventDecoder.parseInstant(s);
      } catch (java.time.format.DateTimeParseException e) {
        both = null;
      }
      assertThat(both).as(s).isEqualTo(full);
    }
    // the fast path carries the common forms
    assertThat(fast).isGreaterThan(100);
  }

  static String incident(String attrs) {
    return "{\"id\":\"110-20261122-0001\",\"source\":\"incident\",\"sourceId\":\"110-HZ\",\"kind\":\"violent\","
        + "\"severity\":4,\"observedAt\":\"2026-11-22T21:10:00+08:00\",\"lon\":114.4152,\"lat\":23.1115,"
        + "\"attrs\":{" + attrs + "}}";
  }

  static final String INCIDENT_ATTRS = "\"channel\":\"110\",\"reportedAt\":\"2026-11-22T21:16:02+08:00\","
      + "\"originalCode\":\"0101\",\"location\":{\"quality\":\"caller_gps\",\"accuracyMeters\":35}";

  @Test
  void acceptsAReportedIncidentAndKeepsTheCallersCode() {
    EventDecoder.Result r = decode(Source.INCIDENT, incident(INCIDENT_ATTRS));
    assertThat(r).isInstanceOf(EventDecoder.Accepted.class);
    Event e = ((EventDecoder.Accepted) r).event();
    assertThat(e.source()).isEqualTo(Source.INCIDENT);
    assertThat(e.kind()).isEqualTo("violent");
    assertThat(e.attrs()).containsEntry("originalCode", "0101").containsEntry("channel", "110");
  }

  @Test
  void refusesAnIncidentWithoutChannelOrLocationOrWithAnUnparseableReportTime() {
    assertThat(refusal(Source.INCIDENT, incident(INCIDENT_ATTRS.replace("\"channel\":\"110\",", ""))))
        .isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(refusal(Source.INCIDENT, incident(INCIDENT_ATTRS.replace("\"channel\":\"110\"", "\"channel\":\"119\""))))
        .isEqualTo(Refusal.SCHEMA_VIOLATION);
    assertThat(refusal(Source.INCIDENT, incident(INCIDENT_ATTRS.replace(
        ",\"location\":{\"quality\":\"caller_gps\",\"accuracyMeters\":35}", "")))).isEqualTo(Refusal.SCHEMA_VIOLATION);
    EventDecoder.Result r = decode(Source.INCIDENT, incident(INCIDENT_ATTRS.replace("2026-11-22T21:16:02+08:00",
        "yesterday evening")));
    assertThat(r).isInstanceOf(EventDecoder.Refused.class);
    assertThat(((EventDecoder.Refused) r).message()).contains("attrs.reportedAt");
    assertThat(refusal(Source.INCIDENT, incident(INCIDENT_ATTRS).replace("\"violent\"", "\"murder\"")))
        .isEqualTo(Refusal.UNKNOWN_KIND);
    assertThat(refusal(Source.CAMERA, incident(INCIDENT_ATTRS))).isEqualTo(Refusal.SOURCE_TOPIC_MISMATCH);
  }

  static String patrol(String kind, Instant observedAt, String attrs) {
    return "{\"id\":\"p-1\",\"source\":\"patrol\",\"sourceId\":\"PU-0016\",\"kind\":\"" + kind + "\","
        + "\"severity\":0,\"observedAt\":\"" + observedAt + "\",\"lon\":114.4071,\"lat\":23.0889,"
        + "\"attrs\":{\"unitId\":\"PU-0016\"" + attrs + "}}";
  }

  static final String POSITION_ATTRS = ",\"speed\":37.1,\"heading\":50.1,\"status\":\"patrolling\"";

  /** A ping from the future would pin the unit's latest position (it only moves forward) until then. */
  @Test
  void aPatrolPositionMoreThanThirtySecondsAheadIsRefusedWithTheSkewItBroke() {
    assertThat(decode(Source.PATROL, patrol("position", NOW.plusSeconds(30), POSITION_ATTRS)))
        .isInstanceOf(EventDecoder.Accepted.class);
    EventDecoder.Result r = decode(Source.PATROL, patrol("position", NOW.plusSeconds(31), POSITION_ATTRS));
    assertThat(r).isInstanceOf(EventDecoder.Refused.class);
    assertThat(((EventDecoder.Refused) r).reason()).isEqualTo(Refusal.TIMESTAMP_IN_FUTURE);
    assertThat(((EventDecoder.Refused) r).message()).contains("patrol position").contains("PT30S");
    // a patrol report (not a ping) and the other sources keep the general 5 min allowance
    assertThat(decode(Source.PATROL, patrol("incident", NOW.plusSeconds(240), ""))).isInstanceOf(
        EventDecoder.Accepted.class);
    assertThat(decode(Source.CAMERA, camera("").replace("2026-11-22T21:15:30+08:00", NOW.plusSeconds(240).toString())))
        .isInstanceOf(EventDecoder.Accepted.class);
  }

  @Test
  void thePatrolPositionSkewIsConfigurable() {
    EventRules tenSeconds = new EventRules(ServiceArea.HUIZHOU, java.time.Duration.ofMinutes(5),
        java.time.Duration.ofDays(30), 64 * 1024, java.time.Duration.ofSeconds(10));
    EventDecoder strict = new EventDecoder(tenSeconds, Clock.fixed(NOW, ZoneOffset.UTC));
    byte[] ping = patrol("position", NOW.plusSeconds(11), POSITION_ATTRS).getBytes(StandardCharsets.UTF_8);
    assertThat(strict.decode(Source.PATROL, ping)).isInstanceOf(EventDecoder.Refused.class);
    assertThat(decoder.decode(Source.PATROL, ping)).isInstanceOf(EventDecoder.Accepted.class);
  }

  /**
   * Imported events now take their attrs text from the streaming decoder's writer: it must be the tree
   * model's text, byte for byte, or a re-run of an import made before would raise integrity alarms.
   */
  @Test
  void anImportedEventsAttrsTextAndHashAreTheTreeModelsOfBefore() {
    Map<String, Object> location = new LinkedHashMap<>();
    location.put("quality", "geocoded_address");
    location.put("accuracyMeters", 35.5);
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("channel", "110");
    attrs.put("reportedAt", "2026-03-04T14:15:00Z");
    attrs.put("originalCategory", "殴打他人 \"街头\"\\ \u0001");
    attrs.put("location", location);
    attrs.put("city", "惠州市");
    attrs.put("imported", true);
    Event e = new Event("hz-1", Source.INCIDENT, "history:惠州市", "violent", 4, Instant.parse("2026-03-04T14:15:00Z"),
        114.41, 23.11, Datum.WGS84, attrs);
    EventDecoder.Accepted a = EventDecoder.accepted(e);
    String tree = TreeDecoder.sortedJson(attrs);
    assertThat(a.attrsJson()).isEqualTo(tree);
    assertThat(a.sha256()).isEqualTo(EventDecoder.contentHash("hz-1", Source.INCIDENT, "history:惠州市", "violent", 4,
        e.observedAt(), "114.41", "23.11", Datum.WGS84, tree));
    for (double accuracy : new double[] {100, 0.1, 1e-7, 12345.678, 100_000}) {
      location.put("accuracyMeters", accuracy);
      assertThat(EventDecoder.accepted(e).attrsJson()).isEqualTo(TreeDecoder.sortedJson(attrs));
    }
  }
}
