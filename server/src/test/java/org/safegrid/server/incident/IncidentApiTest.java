package org.safegrid.server.incident;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Incidents end to end on a real PostGIS with the reference city and a real broker: events inserted
 * with SQL as the ingest workers commit them, picked up by the event feed, raised as alerts, grouped
 * into incidents, worked over HTTP, seen on the live stream and on Kafka, each message checked
 * against its JSON Schema in {@code docs/schema/}.
 *
 * <p>All events are observed within 30 minutes after one night time T (02:00 in Shanghai, the latest
 * before now), so the coastal rule is armed and no incident is quiet by event time; each test works
 * around its own anchor in the coastal zone, at least 8 km from the others, so that no grouping radius
 * or inhibition radius reaches another test's alerts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.security.admin-password=test-admin-pw",
        // the tests close and escalate with their own clocks
        "safegrid.incidents.check-interval=1h"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, IncidentApiTest.class);
    registry.add("safegrid.alerts.kafka-bootstrap", KafkaExtension::bootstrapServers);
    // topics of this class alone: other test classes' databases number their incidents from 1 too
    registry.add("safegrid.alerts.kafka-topic", () -> ALERTS_TOPIC);
    registry.add("safegrid.incidents.kafka-topic", () -> INCIDENTS_TOPIC);
  }

  private static final String ALERTS_TOPIC = "test.alerts." + System.nanoTime();
  private static final String INCIDENTS_TOPIC = "test.incidents." + System.nanoTime();

  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final Path SCHEMAS = Path.of("..", "docs", "schema");

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService users;
  @Autowired
  IncidentService incidents;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private Instant night;
  private final List<String> anchors = new java.util.ArrayList<>();

  @BeforeAll
  void setUp() {
    ZonedDateTime now = ZonedDateTime.now(SHANGHAI);
    ZonedDateTime t = now.with(LocalTime.of(2, 0)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    if (t.plusHours(1).isAfter(now)) {
      t = t.minusDays(1);
    }
    night = t.toInstant();
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 2, current_date + 1)");
    users.createUser("duty", "duty-pw", List.of(Role.VIEWER));
    users.createUser("planner", "planner-pw", List.of(Role.PLANNER));
    // anchors: points of the coastal zone at least 8 km from each other, chosen greedily
    List<double[]> candidates = jdbc.query("SELECT ST_X(p.geom), ST_Y(p.geom) FROM (SELECT (ST_Dump(ST_GeneratePoints("
        + "geom, 20, 7))).geom FROM overlay_feature WHERE layer = 'coastal_zone' ORDER BY ST_Area(geom) DESC LIMIT 20) p",
        (rs, n) -> new double[] {rs.getDouble(1), rs.getDouble(2)});
    List<double[]> chosen = new java.util.ArrayList<>();
    for (double[] c : candidates) {
      if (chosen.size() < 5 && chosen.stream().allMatch(a -> metres(a, c) > 8000)) {
        chosen.add(c);
        anchors.add("POINT(" + c[0] + " " + c[1] + ")");
      }
    }
    assertThat(anchors).as("five places in the coastal zone 8 km apart").hasSize(5);
  }

  /** Great-circle distance in metres between two lon/lat points. */
  private static double metres(double[] a, double[] b) {
    double p1 = Math.toRadians(a[1]);
    double p2 = Math.toRadians(b[1]);
    double h = Math.pow(Math.sin((p2 - p1) / 2), 2)
        + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(Math.toRadians(b[0] - a[0]) / 2), 2);
    return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
  }

  /** A point of the coastal zone {@code meters} from {@code from} (WKT), searched round the compass. */
  private String inZoneAt(String from, double meters) {
    return jdbc.queryForObject("SELECT ST_AsText(q) FROM (SELECT az, ST_Project(ST_GeomFromText(?, 4326)::geography, ?, "
        + "radians(az))::geometry AS q FROM generate_series(0, 355, 5) az) x WHERE EXISTS (SELECT 1 FROM overlay_feature f "
        + "WHERE f.layer = 'coastal_zone' AND ST_Contains(f.geom, x.q)) ORDER BY az LIMIT 1", String.class, from, meters);
  }

  private void insertEvent(String id, String source, String sourceId, String kind, Instant observedAt, String wkt,
                           String attrsJson) {
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
        + "(?, ?, ?, ?, 3, ?, ST_GeomFromText(?, 4326), CAST(? AS jsonb))", id, source, sourceId, kind,
        Timestamp.from(observedAt), wkt, attrsJson);
  }

  /** The incident that holds the alert raised by an event, waiting for it. */
  private long incidentOf(String eventId) throws InterruptedException {
    String sql = "SELECT ia.incident_id FROM alert a JOIN incident_alert ia ON ia.alert_id = a.id WHERE a.event_id = ?";
    await(() -> !jdbc.queryForList(sql, Long.class, eventId).isEmpty(), Duration.ofSeconds(5),
        "no incident for event " + eventId);
    return jdbc.queryForObject(sql, Long.class, eventId);
  }

  private HttpResponse<String> call(String method, String path, String user, String password, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (user != null) {
      b.header("Authorization", basic(user, password));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private long auditCount(long incidentId, String action) {
    return jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE object_type = 'incident' AND object_id = ? "
        + "AND action = ?", Long.class, Long.toString(incidentId), action);
  }

  @Test
  void coastalDetectionsWithin500mAnd15MinutesAreOneIncidentWhateverTheCamera() throws Exception {
    String p = anchors.get(0);
    String near = inZoneAt(p, 300);
    String far = inZoneAt(p, 3_000);
    insertEvent("cz-1", "camera", "CAM-CZ-1", "intrusion", night, p, "{}");
    long first = incidentOf("cz-1");
    insertEvent("cz-2", "camera", "CAM-CZ-2", "loitering", night.plus(Duration.ofMinutes(10)), near, "{}");
    insertEvent("cz-far", "camera", "CAM-CZ-3", "intrusion", night.plus(Duration.ofMinutes(11)), far, "{}");
    // 16 minutes after the last one nearby: outside the 15-minute window
    insertEvent("cz-late", "camera", "CAM-CZ-4", "intrusion", night.plus(Duration.ofMinutes(26)), near, "{}");

    assertThat(incidentOf("cz-2")).as("300 m and 10 min from the first, another camera").isEqualTo(first);
    assertThat(incidentOf("cz-far")).as("3 km away").isNotEqualTo(first);
    assertThat(incidentOf("cz-late")).as("16 min after the last").isNotEqualTo(first).isNotEqualTo(incidentOf("cz-far"));
    Incident i = incidents.getIncident(first);
    assertThat(i.alertCount()).isEqualTo(2);
    assertThat(i.ruleId()).isEqualTo("coastal-night-detection");
    assertThat(i.firstObservedAt().toInstant()).isEqualTo(night);
    assertThat(i.lastObservedAt().toInstant()).isEqualTo(night.plus(Duration.ofMinutes(10)));
    assertThat(i.extent()).as("two places: the extent is the line between them").containsEntry("type", "LineString");
  }

  @Test
  void checkpointHitsOnOnePlateAreOneIncidentAndTheApiShowsItsAlertsEventsAndTimeline() throws Exception {
    String p = anchors.get(1);
    String q = inZoneAt(p, 3_000);
    insertEvent("cp-a1", "checkpoint", "CP-1", "check", night, p,
        "{\"checkpointId\":\"CP-1\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L00001\"}");
    insertEvent("cp-a2", "checkpoint", "CP-9", "check", night.plus(Duration.ofMinutes(20)), q,
        "{\"checkpointId\":\"CP-9\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L00001\"}");
    insertEvent("cp-b1", "checkpoint", "CP-1", "check", night.plus(Duration.ofMinutes(21)), p,
        "{\"checkpointId\":\"CP-1\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L00002\"}");
    long plate1 = incidentOf("cp-a1");
    assertThat(incidentOf("cp-a2")).as("same plate at another checkpoint").isEqualTo(plate1);
    assertThat(incidentOf("cp-b1")).as("another plate").isNotEqualTo(plate1);

    assertThat(call("GET", "/api/incidents/" + plate1, null, null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> got = call("GET", "/api/incidents/" + plate1, "planner", "planner-pw", null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    JsonNode detail = json.readTree(got.body());
    assertThat(detail.path("incident").path("groupKey").asText()).isEqualTo("粤L00001");
    assertThat(detail.path("incident").path("alertCount").asInt()).isEqualTo(2);
    assertThat(detail.path("alerts").findValuesAsText("eventId")).containsExactly("cp-a1", "cp-a2");
    assertThat(detail.path("events").findValuesAsText("id")).containsExactly("cp-a1", "cp-a2");
    assertThat(detail.path("events").get(1).path("attrs").path("checkpointId").asText()).isEqualTo("CP-9");
    assertThat(detail.path("timeline").findValuesAsText("action")).containsExactly("opened", "alert.joined");

    JsonNode open = json.readTree(call("GET", "/api/incidents?status=open&severity=high", "duty", "duty-pw", null).body());
    assertThat(open.findValuesAsText("groupKey")).contains("粤L00001", "粤L00002");
    for (JsonNode n : open) {
      assertThat(n.path("status").asText()).isEqualTo("open");
      assertThat(n.path("severity").asText()).isEqualTo("high");
    }
    assertThat(call("GET", "/api/incidents?status=closed", "duty", "duty-pw", null).body()).contains("not one of");
    assertThat(call("GET", "/api/incidents?status=closed", "duty", "duty-pw", null).statusCode()).isEqualTo(400);
    assertThat(call("GET", "/api/incidents?since=yesterday", "duty", "duty-pw", null).statusCode()).isEqualTo(400);
    assertThat(call("GET", "/api/incidents/999999", "duty", "duty-pw", null).statusCode()).isEqualTo(404);
  }

  @Test
  void anOfficerAcknowledgesAssignsAndResolvesWithAReasonEachStepAudited() throws Exception {
    String p = inZoneAt(anchors.get(1), 1_000);
    insertEvent("cp-c1", "checkpoint", "CP-2", "check", night.plus(Duration.ofMinutes(1)), p,
        "{\"checkpointId\":\"CP-2\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L00003\"}");
    insertEvent("cp-c2", "checkpoint", "CP-2", "check", night.plus(Duration.ofMinutes(2)), p,
        "{\"checkpointId\":\"CP-2\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L00003\"}");
    long id = incidentOf("cp-c1");
    assertThat(incidentOf("cp-c2")).isEqualTo(id);
    String base = "/api/incidents/" + id;

    assertThat(call("POST", base + "/ack", "planner", "planner-pw", null).statusCode())
        .as("planners do not act on incidents").isEqualTo(403);
    HttpResponse<String> ack = call("POST", base + "/ack", "duty", "duty-pw", "{\"note\":\"on it\"}");
    assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
    assertThat(json.readTree(ack.body()).path("status").asText()).isEqualTo("acknowledged");
    assertThat(jdbc.queryForList("SELECT a.status FROM alert a JOIN incident_alert ia ON ia.alert_id = a.id "
        + "WHERE ia.incident_id = ?", String.class, id)).as("its alerts are acknowledged with it")
        .containsOnly("acknowledged").hasSize(2);
    assertThat(call("POST", base + "/ack", "duty", "duty-pw", null).statusCode()).as("twice").isEqualTo(409);

    HttpResponse<String> noAssignee = call("POST", base + "/assign", "duty", "duty-pw", "{}");
    assertThat(noAssignee.statusCode()).isEqualTo(400);
    assertThat(noAssignee.body()).contains("assignee");
    HttpResponse<String> assigned = call("POST", base + "/assign", "duty", "duty-pw",
        "{\"assignee\":\"Officer Wang\",\"note\":\"nearest car\"}");
    assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(200);
    assertThat(json.readTree(assigned.body()).path("assignedTo").asText()).isEqualTo("Officer Wang");

    HttpResponse<String> noReason = call("POST", base + "/resolve", "duty", "duty-pw", "{\"reason\":\"  \"}");
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("reason");
    HttpResponse<String> resolved = call("POST", base + "/resolve", "duty", "duty-pw",
        "{\"reason\":\"vehicle stopped at CP-2, driver detained\"}");
    assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
    JsonNode r = json.readTree(resolved.body());
    assertThat(r.path("status").asText()).isEqualTo("resolved");
    assertThat(r.path("closedBy").asText()).isEqualTo("duty");
    assertThat(jdbc.queryForList("SELECT a.status FROM alert a JOIN incident_alert ia ON ia.alert_id = a.id "
        + "WHERE ia.incident_id = ?", String.class, id)).containsOnly("resolved");
    assertThat(call("POST", base + "/dismiss", "duty", "duty-pw", "{\"reason\":\"x\"}").statusCode())
        .as("a resolved incident cannot be dismissed").isEqualTo(409);
    assertThat(call("POST", "/api/incidents/999999/ack", "duty", "duty-pw", null).statusCode()).isEqualTo(404);

    assertThat(auditCount(id, "incident.acknowledged")).isEqualTo(1);
    assertThat(auditCount(id, "incident.assigned")).isEqualTo(1);
    assertThat(auditCount(id, "incident.resolved")).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT username FROM audit_event WHERE object_type = 'incident' AND object_id = ? "
        + "AND action = 'incident.resolved'", String.class, Long.toString(id))).isEqualTo("duty");
    JsonNode timeline = json.readTree(call("GET", base, "duty", "duty-pw", null).body()).path("timeline");
    assertThat(timeline.findValuesAsText("action"))
        .containsExactly("opened", "alert.joined", "acknowledged", "assigned", "resolved");
  }

  @Test
  void anOpenCriticalCampusIncidentSuppressesTheCoastalDetectionsItExplains() throws Exception {
    String campus = anchors.get(2);
    insertEvent("alarm-c", "camera", "ALM-C", "campus_alarm", night.plus(Duration.ofMinutes(1)), campus,
        "{\"cameraId\":\"ALM-C\",\"detectionClass\":\"button\",\"campusCode\":\"SCH-9001\"}");
    long critical = incidentOf("alarm-c");
    insertEvent("cz-near-campus", "camera", "CAM-CZ-8", "intrusion", night.plus(Duration.ofMinutes(3)),
        inZoneAt(campus, 400), "{}");
    insertEvent("cz-away", "camera", "CAM-CZ-9", "intrusion", night.plus(Duration.ofMinutes(3)),
        inZoneAt(campus, 2_500), "{}");

    assertThat(incidentOf("cz-near-campus")).as("explained by the campus alarm").isEqualTo(critical);
    assertThat(incidentOf("cz-away")).as("2.5 km away: an incident of its own").isNotEqualTo(critical);
    assertThat(jdbc.queryForObject("SELECT ia.suppressed FROM incident_alert ia JOIN alert a ON a.id = ia.alert_id "
        + "WHERE a.event_id = 'cz-near-campus'", Boolean.class)).isTrue();
    Incident i = incidents.getIncident(critical);
    assertThat(i.severity()).isEqualTo("critical");
    assertThat(i.alertCount()).as("its own alerts").isEqualTo(1);
    assertThat(i.suppressedCount()).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM incident WHERE rule_id = 'coastal-night-detection' "
        + "AND group_key = '*' AND ST_DWithin(geom::geography, (SELECT geom::geography FROM alert WHERE event_id = "
        + "'cz-near-campus'), 1)", Long.class)).as("no coastal incident for the suppressed alert").isZero();
    JsonNode detail = json.readTree(call("GET", "/api/incidents/" + critical, "duty", "duty-pw", null).body());
    assertThat(detail.path("suppressed").findValuesAsText("eventId")).containsExactly("cz-near-campus");
  }

  @Test
  void aQuietIncidentClosesAndAnUnacknowledgedOneEscalates() throws Exception {
    insertEvent("cp-q1", "checkpoint", "CP-5", "check", night.plus(Duration.ofMinutes(4)), inZoneAt(anchors.get(3), 700),
        "{\"checkpointId\":\"CP-5\",\"subject\":\"vehicle\",\"result\":\"hit\",\"plate\":\"粤L00005\"}");
    long id = incidentOf("cp-q1");
    Instant deadline = incidents.getIncident(id).ackDeadline().toInstant();
    assertThat(incidents.escalateDue(deadline.plusSeconds(1))).filteredOn(x -> x.id() == id).singleElement()
        .satisfies(x -> assertThat(x.escalationLevel()).isEqualTo("town"));

    assertThat(incidents.closeQuiet(Instant.now().plus(Duration.ofMinutes(30)))).as("within the hour's quiet period")
        .noneMatch(x -> x.id() == id);
    assertThat(incidents.closeQuiet(Instant.now().plus(Duration.ofMinutes(61)))).filteredOn(x -> x.id() == id)
        .singleElement().satisfies(x -> {
          assertThat(x.status()).isEqualTo("resolved");
          assertThat(x.closedBy()).isEqualTo("system");
          assertThat(x.closeReason()).contains("quiet");
        });
    assertThat(jdbc.queryForObject("SELECT status FROM alert WHERE event_id = 'cp-q1'", String.class)).isEqualTo("resolved");
    assertThat(auditCount(id, "incident.closed")).isEqualTo(1);
    assertThat(auditCount(id, "incident.escalated")).isEqualTo(1);
  }

  @Test
  void aNewIncidentReachesTheLiveStreamAndKafkaAsMessagesTheSchemasAccept() throws Exception {
    JsonSchema live = schema("incident-live.schema.json");
    JsonSchema onKafka = schema("incident-message.schema.json");
    JsonSchema alertOnKafka = schema("alert-message.schema.json");
    HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live"))
        .header("Authorization", basic("duty", "duty-pw")).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      long[] receivedAt = new long[1];
      CompletableFuture<JsonNode> message = CompletableFuture.supplyAsync(() -> {
        JsonNode n = readIncidentMessage(reader, "SCH-9100");
        receivedAt[0] = System.nanoTime();
        return n;
      });
      Thread.sleep(300);
      long committedAt = System.nanoTime();
      insertEvent("alarm-live", "camera", "ALM-L", "campus_alarm", night.plus(Duration.ofMinutes(6)),
          anchors.get(4), "{\"cameraId\":\"ALM-L\",\"detectionClass\":\"button\",\"campusCode\":\"SCH-9100\"}");
      JsonNode m = message.get(10, TimeUnit.SECONDS);
      long millis = (receivedAt[0] - committedAt) / 1_000_000;
      System.out.println("campus alarm: event commit -> incident message on the live stream " + millis + " ms");
      assertThat(millis).as("event commit to the incident on the live stream").isLessThanOrEqualTo(1000);
      assertThat(live.validate(m)).as("live message %s", m).isEmpty();
      assertThat(m.path("change").asText()).isEqualTo("opened");
      assertThat(m.path("severity").asText()).isEqualTo("critical");
      long id = m.path("id").asLong();
      assertThat(id).isEqualTo(incidentOf("alarm-live"));

      JsonNode k = json.readTree(readTopic(INCIDENTS_TOPIC, Long.toString(id)));
      assertThat(onKafka.validate(k)).as("Kafka message %s", k).isEmpty();
      assertThat(k.path("incident").path("groupKey").asText()).isEqualTo("SCH-9100");
      long alertId = jdbc.queryForObject("SELECT id FROM alert WHERE event_id = 'alarm-live'", Long.class);
      JsonNode a = json.readTree(readTopic(ALERTS_TOPIC, Long.toString(alertId)));
      assertThat(alertOnKafka.validate(a)).as("Kafka message %s", a).isEmpty();
      // a broken message is refused: the schemas are not vacuous
      ((com.fasterxml.jackson.databind.node.ObjectNode) k.path("incident")).put("severity", "extreme");
      assertThat(onKafka.validate(k)).isNotEmpty();
    } finally {
      stream.body().close();
    }
  }

  private JsonNode readIncidentMessage(BufferedReader reader, String mustContain) {
    try {
      String event = null;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:") && "incident".equals(event) && line.contains("\"critical\"")) {
          JsonNode n = json.readTree(line.substring(5));
          long id = n.path("id").asLong();
          String key = jdbc.queryForObject("SELECT group_key FROM incident WHERE id = ?", String.class, id);
          if (mustContain.equals(key)) {
            return n;
          }
        }
      }
      throw new AssertionError("stream ended without an incident message");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JsonSchema schema(String file) throws Exception {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(json.readTree(Files.readString(SCHEMAS.resolve(file))));
  }

  private String readTopic(String topic, String key) {
    Properties c = KafkaClientSecurity.fromEnvironment().clientProperties(KafkaExtension.bootstrapServers());
    c.put("group.id", "incident-test-" + System.nanoTime());
    c.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < end) {
        for (var rec : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(rec.key())) {
            return rec.value();
          }
        }
      }
    }
    throw new AssertionError("no message with key " + key + " on " + topic + " within 20 s");
  }

  private static void await(BooleanSupplier condition, Duration timeout, String failure) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(failure);
      }
      Thread.sleep(20);
    }
  }
}
