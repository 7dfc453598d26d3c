package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.feedhealth.FeedHealthMonitor;
import org.safegrid.server.incident.Incident;
import org.safegrid.server.incident.IncidentService;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Alerts end to end on a real PostGIS with the reference city: events inserted with SQL the way the
 * ingest workers commit them, picked up by the event feed, judged, stored, published, acted on over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.security.admin-password=test-admin-pw"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, AlertApiTest.class);
    registry.add("safegrid.alerts.kafka-bootstrap", KafkaExtension::bootstrapServers);
    // a topic of this class alone: other test classes' databases number their alerts from 1 too
    registry.add("safegrid.alerts.kafka-topic", () -> ALERTS_TOPIC);
  }

  private static final String ALERTS_TOPIC = "test.alerts." + System.nanoTime();

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  ConfigurableApplicationContext context;
  @Autowired
  ApplicationEventPublisher publisher;
  @Autowired
  AlertEngine engine;
  @Autowired
  FeedHealthMonitor feedHealth;
  @Autowired
  UserAccountService users;
  @Autowired
  IncidentService incidents;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<Object> published = new CopyOnWriteArrayList<>();
  private final List<Long> publishedAtMillis = new CopyOnWriteArrayList<>();

  @BeforeAll
  void setUp() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    users.createUser("duty", "duty-pw", List.of(Role.VIEWER));
    users.createUser("planner", "planner-pw", List.of(Role.PLANNER));
    context.addApplicationListener((ApplicationListener<PayloadApplicationEvent<?>>) e -> {
      Object p = e.getPayload();
      if (p instanceof AlertEvents.AlertRaised || p instanceof AlertEvents.AlertChanged) {
        published.add(p);
        publishedAtMillis.add(System.currentTimeMillis());
      }
    });
  }

  @BeforeEach
  void clear() {
    published.clear();
    publishedAtMillis.clear();
  }

  /** Inserts one event (auto-commit) and returns the wall time just after the commit. */
  private long insertEvent(String id, String source, String sourceId, String kind, String observedAtSql, String pointSql,
                           String attrsJson) {
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES (?, ?, ?, ?, 3, "
        + observedAtSql + ", " + pointSql + ", CAST(? AS jsonb))", id, source, sourceId, kind, attrsJson);
    return System.currentTimeMillis();
  }

  private String campusPoint(int n) {
    return jdbc.queryForObject("SELECT 'ST_GeomFromText(''' || ST_AsText(ST_PointOnSurface(geom)) || ''', 4326)' "
        + "FROM overlay_feature WHERE layer = 'campuses' ORDER BY id OFFSET ? LIMIT 1", String.class, n);
  }

  private AlertEvents.AlertRaised awaitRaised(Predicate<Alert> which, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (Object p : published) {
        if (p instanceof AlertEvents.AlertRaised r && which.test(r.alert())) {
          return r;
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no alert published within " + timeout + "; published: " + published);
  }

  private HttpResponse<String> call(String method, String path, String user, String password, String body,
                                    String contentType) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The first message about this alert on the alerts topic. */
  private String readAlertsTopic(long alertId) {
    java.util.Properties c = KafkaClientSecurity.fromEnvironment().clientProperties(KafkaExtension.bootstrapServers());
    c.put("group.id", "alert-test-" + System.nanoTime());
    c.put("auto.offset.reset", "earliest");
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(c,
        new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.StringDeserializer())) {
      consumer.subscribe(List.of(ALERTS_TOPIC));
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < end) {
        for (var rec : consumer.poll(Duration.ofMillis(200))) {
          if (rec.key().equals(Long.toString(alertId))) {
            return rec.value();
          }
        }
      }
    }
    throw new AssertionError("alert " + alertId + " not on topic " + ALERTS_TOPIC + " within 20 s");
  }

  private long auditCount(long alertId, String action) {
    return jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE object_type = 'alert' AND object_id = ? AND action = ?",
        Long.class, Long.toString(alertId), action);
  }

  @Test
  void campusAlarmYieldsOneCriticalAlertWithinASecondNamingTheNearestAvailableUnits() throws Exception {
    String point = campusPoint(0);
    // three units: two available at ~300 m and ~1.5 km, one off duty right next to the campus
    jdbc.update("INSERT INTO patrol_position (unit_id, event_id, observed_at, geom, status) VALUES "
        + "('U-NEAR', 'p1', now(), ST_Project(" + point + "::geography, 300, radians(90))::geometry, 'patrolling'), "
        + "('U-FAR', 'p2', now(), ST_Project(" + point + "::geography, 1500, radians(0))::geometry, 'stationary'), "
        + "('U-OFF', 'p3', now(), ST_Project(" + point + "::geography, 50, radians(0))::geometry, 'off_duty')");
    long committed = insertEvent("alarm-1", "camera", "CAM-SCH-1", "campus_alarm", "now()", point,
        "{\"cameraId\":\"CAM-SCH-1\",\"detectionClass\":\"button\",\"campusCode\":\"SCH-0001\"}");
    AlertEvents.AlertRaised raised = awaitRaised(a -> "alarm-1".equals(a.eventId()), Duration.ofSeconds(3));
    long latencyMillis = publishedAtMillis.get(published.indexOf(raised)) - committed;
    System.out.println("campus alarm: commit -> alert published " + latencyMillis + " ms");
    assertThat(latencyMillis).as("commit to alert published").isLessThanOrEqualTo(1000);

    Alert a = raised.alert();
    assertThat(a.severity()).isEqualTo("critical");
    assertThat(a.ruleId()).isEqualTo("campus-alarm");
    assertThat(a.cellCode()).as("located in a cell of the active grid set").isNotNull();
    @SuppressWarnings("unchecked")
    List<java.util.Map<String, Object>> units = (List<java.util.Map<String, Object>>) a.detail().get("nearestUnits");
    assertThat(units).extracting(u -> u.get("unitId")).containsExactly("U-NEAR", "U-FAR");
    assertThat(((Number) units.get(0).get("distanceMeters")).doubleValue()).isBetween(290.0, 310.0);
    // 300 m at 40 km/h is 0.45 min
    assertThat(((Number) units.get(0).get("etaMinutes")).doubleValue()).isBetween(0.4, 0.5);
    assertThat(auditCount(a.id(), "alert.raise")).isEqualTo(1);
    assertThat(readAlertsTopic(a.id())).as("on the Kafka alerts topic").contains("\"type\":\"raised\"", "SCH-0001");

    // a few more alarms at other campuses, one at a time: every one within a second
    List<Long> lags = new java.util.ArrayList<>(List.of(latencyMillis));
    for (int i = 1; i <= 5; i++) {
      String id = "alarm-more-" + i;
      long t0 = insertEvent(id, "camera", "ALM-" + i, "campus_alarm", "now()", campusPoint(i),
          "{\"cameraId\":\"ALM-" + i + "\",\"detectionClass\":\"button\",\"campusCode\":\"SCH-10" + i + "\"}");
      AlertEvents.AlertRaised r = awaitRaised(x -> id.equals(x.eventId()), Duration.ofSeconds(3));
      lags.add(publishedAtMillis.get(published.indexOf(r)) - t0);
    }
    java.util.Collections.sort(lags);
    System.out.println("campus alarms: commit -> alert published, sorted ms " + lags);
    assertThat(lags.get(lags.size() - 1)).as("slowest of %s", lags).isLessThanOrEqualTo(1000);

    // the same campus pressing again while the alert is open is the same cause: no second alert
    insertEvent("alarm-2", "camera", "CAM-SCH-1", "campus_alarm", "now()", point,
        "{\"cameraId\":\"CAM-SCH-1\",\"detectionClass\":\"button\",\"campusCode\":\"SCH-0001\"}");
    Thread.sleep(1200);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM alert WHERE rule_id = 'campus-alarm' AND dedupe_key = 'SCH-0001'",
        Long.class)).isEqualTo(1);
    // and the database itself refuses a second open alert for the cause
    assertThatThrownBy(() -> jdbc.update("INSERT INTO alert (rule_id, dedupe_key, severity, title, observed_at) "
        + "VALUES ('campus-alarm', 'SCH-0001', 'critical', 'x', now())"))
        .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
  }

  @Test
  void coastalDetectionAtNightRaisesButTheSameDetectionByDayDoesNot() throws Exception {
    String inZone = jdbc.queryForObject("SELECT 'ST_GeomFromText(''' || ST_AsText(ST_PointOnSurface(geom)) || ''', 4326)' "
        + "FROM overlay_feature WHERE layer = 'coastal_zone' LIMIT 1", String.class);
    // yesterday 21:00 and 13:00 in Shanghai; events arrive now, judged at their observed time
    String night = "(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - interval '3 hours') AT TIME ZONE 'Asia/Shanghai'";
    String day = "(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - interval '11 hours') AT TIME ZONE 'Asia/Shanghai'";
    insertEvent("coast-day", "camera", "CAM-COAST-1", "intrusion", day, inZone, "{}");
    insertEvent("coast-night", "camera", "CAM-COAST-2", "intrusion", night, inZone, "{}");
    Alert a = awaitRaised(x -> "coast-night".equals(x.eventId()), Duration.ofSeconds(3)).alert();
    assertThat(a.ruleId()).isEqualTo("coastal-night-detection");
    Thread.sleep(500);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM alert WHERE event_id = 'coast-day'", Long.class)).isZero();
  }

  static final String INCIDENT_ATTRS = "{\"channel\":\"110\",\"location\":{\"quality\":\"caller_gps\",\"accuracyMeters\":30}}";

  @Test
  void aViolentIncidentNearACampusInSchoolHoursRaisesButNotAtNightNorAPropertyIncident() throws Exception {
    // ~90 m east of a campus: inside the rule's 300 m band
    String nearCampus = "ST_Translate(" + campusPoint(20) + ", 0.0009, 0)";
    // the last weekday before today, 10:00 and 22:00 in Shanghai
    String weekday = "(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - (CASE extract(isodow FROM now() AT TIME "
        + "ZONE 'Asia/Shanghai') WHEN 1 THEN 3 WHEN 7 THEN 2 ELSE 1 END) * interval '1 day')";
    String school = "(" + weekday + " + interval '10 hours') AT TIME ZONE 'Asia/Shanghai'";
    String night = "(" + weekday + " + interval '22 hours') AT TIME ZONE 'Asia/Shanghai'";
    insertEvent("inc-campus-night", "incident", "110-HZ", "violent", night, nearCampus, INCIDENT_ATTRS);
    insertEvent("inc-campus-property", "incident", "110-HZ", "property", school, nearCampus, INCIDENT_ATTRS);
    insertEvent("inc-campus-day", "incident", "110-HZ", "violent", school, nearCampus, INCIDENT_ATTRS);
    Alert a = awaitRaised(x -> "inc-campus-day".equals(x.eventId()), Duration.ofSeconds(5)).alert();
    assertThat(a.ruleId()).isEqualTo("campus-violent-incident");
    Thread.sleep(500);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM alert WHERE rule_id = 'campus-violent-incident'", Long.class))
        .isEqualTo(1);
  }

  @Test
  void threeDisorderReportsInOneCellWithinAnHourRaiseOnceAndACentroidOnlyReportDoesNotCount() throws Exception {
    String here = campusPoint(40);
    // about 5.5 km away: another cell of the 1,830 m grid
    String elsewhere = "ST_Translate(" + here + ", 0.05, 0.0)";
    String centroid = "{\"channel\":\"12345\",\"location\":{\"quality\":\"district_centroid\",\"accuracyMeters\":5000}}";
    insertEvent("dis-1", "incident", "12345-HZ", "disorder", "now() - interval '50 minutes'", here, INCIDENT_ATTRS);
    insertEvent("dis-centroid", "incident", "12345-HZ", "disorder", "now() - interval '40 minutes'", here, centroid);
    insertEvent("dis-other-cell", "incident", "12345-HZ", "disorder", "now() - interval '30 minutes'", elsewhere,
        INCIDENT_ATTRS);
    insertEvent("dis-2", "incident", "12345-HZ", "disorder", "now() - interval '20 minutes'", here, INCIDENT_ATTRS);
    Thread.sleep(1500);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM alert WHERE rule_id = 'disorder-cluster'", Long.class))
        .as("two reports in the cell, one only to the district centroid, one in another cell").isZero();
    insertEvent("dis-3", "incident", "12345-HZ", "disorder", "now()", here, INCIDENT_ATTRS);
    Alert a = awaitRaised(x -> "dis-3".equals(x.eventId()), Duration.ofSeconds(5)).alert();
    assertThat(a.ruleId()).isEqualTo("disorder-cluster");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM alert WHERE rule_id = 'disorder-cluster'", Long.class))
        .isEqualTo(1);
  }

  @Test
  void lifecycleOverHttpWithRolesReasonsAndAudit() throws Exception {
    insertEvent("cp-1", "checkpoint", "CP-7", "check", "now()", campusPoint(5),
        "{\"checkpointId\":\"CP-7\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L12345\"}");
    long id = awaitRaised(x -> "cp-1".equals(x.eventId()), Duration.ofSeconds(3)).alert().id();

    assertThat(call("GET", "/api/alerts/" + id, null, null, null, null).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/api/alerts/" + id + "/ack", "planner", "planner-pw", null, null).statusCode())
        .as("planners do not act on alerts").isEqualTo(403);
    HttpResponse<String> got = call("GET", "/api/alerts/" + id, "planner", "planner-pw", null, null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(json.readTree(got.body()).path("severity").asText()).isEqualTo("high");

    HttpResponse<String> ack = call("POST", "/api/alerts/" + id + "/ack", "duty", "duty-pw", "{\"note\":\"on it\"}",
        "application/json");
    assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
    JsonNode acked = json.readTree(ack.body());
    assertThat(acked.path("status").asText()).isEqualTo("acknowledged");
    assertThat(acked.path("acknowledgedBy").asText()).isEqualTo("duty");
    assertThat(call("POST", "/api/alerts/" + id + "/ack", "duty", "duty-pw", null, null).statusCode())
        .as("acknowledging twice").isEqualTo(409);

    HttpResponse<String> noReason = call("POST", "/api/alerts/" + id + "/dismiss", "duty", "duty-pw", "{}", "application/json");
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("reason");
    HttpResponse<String> dismissed = call("POST", "/api/alerts/" + id + "/dismiss", "duty", "duty-pw",
        "{\"reason\":\"plate misread, verified on camera\"}", "application/json");
    assertThat(dismissed.statusCode()).isEqualTo(200);
    assertThat(json.readTree(dismissed.body()).path("closeReason").asText()).contains("misread");
    assertThat(call("POST", "/api/alerts/999999/ack", "duty", "duty-pw", null, null).statusCode()).isEqualTo(404);

    assertThat(auditCount(id, "alert.ack")).isEqualTo(1);
    assertThat(auditCount(id, "alert.dismiss")).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT username FROM audit_event WHERE object_id = ? AND action = 'alert.dismiss'",
        String.class, Long.toString(id))).isEqualTo("duty");

    JsonNode list = json.readTree(call("GET", "/api/alerts?status=dismissed&format=geojson", "duty", "duty-pw", null, null).body());
    assertThat(list.path("type").asText()).isEqualTo("FeatureCollection");
    assertThat(list.path("features").size()).isPositive();
    for (JsonNode f : list.path("features")) {
      assertThat(f.path("properties").path("status").asText()).isEqualTo("dismissed");
    }
    assertThat(call("GET", "/api/alerts?severity=extreme", "duty", "duty-pw", null, null).statusCode()).isEqualTo(400);
    JsonNode rules = json.readTree(call("GET", "/api/alerts/rules", "duty", "duty-pw", null, null).body());
    assertThat(rules.findValuesAsText("id")).contains("campus-alarm", "checkpoint-hit", "coastal-night-detection");
  }

  @Test
  void riskRiseIsAssignedToTheGridOfficerAndItsIncidentEscalatesToTownThenDistrictAfterTheDeadline() throws Exception {
    var cell = jdbc.queryForMap("SELECT c.code, c.town_code, c.district_code, ST_X(ST_PointOnSurface(c.geom)) AS lon, "
        + "ST_Y(ST_PointOnSurface(c.geom)) AS lat FROM grid_cell c JOIN grid_set s ON s.id = c.grid_set_id "
        + "AND s.status = 'active' ORDER BY c.cell_id OFFSET 100 LIMIT 1");
    String csv = "level,area_code,officer,contact\n"
        + "grid," + cell.get("code") + ",Officer Li,13800000001\n"
        + "town," + cell.get("town_code") + ",Town Desk Chen,\n"
        + "district," + cell.get("district_code") + ",\"District Duty Desk, Huicheng\",0752-110\n";
    assertThat(call("POST", "/api/alerts/roster", "duty", "duty-pw", csv, "text/csv").statusCode()).isEqualTo(403);
    assertThat(call("POST", "/api/alerts/roster", "admin", "test-admin-pw", "level,area_code,officer\nstreet,1,x\n",
        "text/csv").statusCode()).isEqualTo(400);
    HttpResponse<String> up = call("POST", "/api/alerts/roster", "admin", "test-admin-pw", csv, "text/csv");
    assertThat(up.statusCode()).as(up.body()).isEqualTo(200);

    publisher.publishEvent(new EngineSignals.RiskLevelChanged((String) cell.get("code"), "elevated", "high",
        ((Number) cell.get("lon")).doubleValue(), ((Number) cell.get("lat")).doubleValue(), Instant.now()));
    Alert a = awaitRaised(x -> "grid-risk-high".equals(x.ruleId()), Duration.ofSeconds(3)).alert();
    assertThat(a.cellCode()).isEqualTo(cell.get("code"));
    assertThat(a.assignedTo()).isEqualTo("Officer Li");
    assertThat(a.escalationLevel()).isEqualTo("grid");

    Instant deadline = a.ackDeadline().toInstant();
    // the alert is worked as part of its incident: the incident escalates, the alert not on its own
    assertThat(engine.escalate(deadline.plusSeconds(1))).filteredOn(x -> x.id() == a.id()).isEmpty();
    long incident = jdbc.queryForObject("SELECT incident_id FROM incident_alert WHERE alert_id = ?", Long.class, a.id());
    Predicate<Incident> mine = x -> x.id() == incident;
    assertThat(incidents.escalateDue(deadline.minusSeconds(1))).filteredOn(mine).as("not yet due").isEmpty();
    List<Incident> once = incidents.escalateDue(deadline.plusSeconds(1)).stream().filter(mine).toList();
    assertThat(once).singleElement().satisfies(x -> {
      assertThat(x.escalationLevel()).isEqualTo("town");
      assertThat(x.assignedTo()).isEqualTo("Town Desk Chen");
    });
    // high severity has 5 minutes per level
    List<Incident> twice = incidents.escalateDue(deadline.plus(Duration.ofMinutes(6))).stream().filter(mine).toList();
    assertThat(twice).singleElement().satisfies(x -> {
      assertThat(x.escalationLevel()).isEqualTo("district");
      assertThat(x.assignedTo()).isEqualTo("District Duty Desk, Huicheng");
    });
    assertThat(incidents.escalateDue(deadline.plus(Duration.ofHours(1)))).filteredOn(mine)
        .as("the district desk is the last level").isEmpty();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE object_type = 'incident' AND object_id = ? "
        + "AND action = 'incident.escalated'", Long.class, Long.toString(incident))).isEqualTo(2);
  }

  @Test
  void aSilentPatrolUnitShowsOnTheFeedHealthLayerAndRaisesAnAlertThatClosesWhenItIsHeardAgain() throws Exception {
    Instant sixMinutesAgo = Instant.now().minus(Duration.ofMinutes(6));
    feedHealth.onEvents(List.of(new LiveEvent("ping-old", "patrol", "GPS-55", "position", 0, sixMinutesAgo,
        sixMinutesAgo, 114.41, 23.11, "{\"unitId\":\"U-55\",\"status\":\"patrolling\"}")));
    JsonNode layer = json.readTree(call("GET", "/api/feed-health", "duty", "duty-pw", null, null).body());
    JsonNode unit = null;
    for (JsonNode f : layer.path("features")) {
      if (f.path("properties").path("sourceId").asText().equals("U-55")) {
        unit = f;
      }
    }
    assertThat(unit).as("silent unit on the layer: %s", layer).isNotNull();
    assertThat(unit.path("properties").path("expectedIntervalSeconds").asLong()).isEqualTo(120);
    assertThat(unit.path("properties").path("lastSeenAt").asText()).isEqualTo(sixMinutesAgo.toString());

    feedHealth.check(Instant.now());
    Alert a = awaitRaised(x -> "patrol-unit-silent".equals(x.ruleId()), Duration.ofSeconds(3)).alert();
    assertThat(a.detail()).containsEntry("sourceId", "U-55");

    insertEvent("ping-new", "patrol", "GPS-55", "position", "now()", "ST_SetSRID(ST_MakePoint(114.41, 23.11), 4326)",
        "{\"unitId\":\"U-55\",\"status\":\"patrolling\"}");
    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (!jdbc.queryForObject("SELECT status FROM alert WHERE id = ?", String.class, a.id()).equals("resolved")) {
      assertThat(System.nanoTime()).as("silence alert closed when the unit is heard again").isLessThan(end);
      Thread.sleep(20);
    }
    assertThat(auditCount(a.id(), "alert.resolve")).isEqualTo(1);
  }
}
