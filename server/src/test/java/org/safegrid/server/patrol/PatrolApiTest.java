package org.safegrid.server.patrol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * Patrol coverage and plans over HTTP on a real PostGIS with a tiny grid:
 *
 * <pre>
 *   23.12 +-------+-------+
 *         |   C   |   D   |   C: 1 incident, unit U-PLAN parked here
 *   23.11 +-------+-------+
 *   ..U-1 driving east ..>|   A: 10 incidents (the hotspot), U-1 drives in along 23.105 and stops at 114.405
 *         |   A   |   B   |   B: 3 incidents
 *   23.10 +-------+-------+
 *      114.40  114.41  114.42
 * </pre>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=test-admin-pw"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatrolApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, PatrolApiTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService users;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void cityWithOneHotspotAndAUnitDrivingThroughIt() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    users.createUser("planner", "planner-pw", List.of(Role.PLANNER));
    users.createUser("duty", "duty-pw", List.of(Role.VIEWER));
    long set = jdbc.queryForObject("INSERT INTO grid_set (name, city_code, status) VALUES ('tiny', '441300', 'active') "
        + "RETURNING id", Long.class);
    String[][] cells = {{"A", "114.40", "23.10"}, {"B", "114.41", "23.10"}, {"C", "114.40", "23.11"}, {"D", "114.41", "23.11"}};
    for (int i = 0; i < cells.length; i++) {
      jdbc.update("INSERT INTO grid_cell (grid_set_id, cell_id, code, name, area_m2, geom) VALUES (?, ?, ?, ?, 1e6, "
              + "ST_Multi(ST_MakeEnvelope(?, ?, ? + 0.01, ? + 0.01, 4326)))", set, i, cells[i][0], "cell " + cells[i][0],
          Double.parseDouble(cells[i][1]), Double.parseDouble(cells[i][2]), Double.parseDouble(cells[i][1]),
          Double.parseDouble(cells[i][2]));
    }
    Map<String, Integer> incidents = Map.of("A", 10, "B", 3, "C", 1);
    Map<String, double[]> centre = new HashMap<>(Map.of("A", new double[] {114.405, 23.105},
        "B", new double[] {114.415, 23.105}, "C", new double[] {114.405, 23.115}));
    int n = 0;
    for (var e : incidents.entrySet()) {
      for (int i = 0; i < e.getValue(); i++) {
        double[] c = centre.get(e.getKey());
        jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
            + "(?, 'camera', 'CAM-1', 'intrusion', 3, now() - interval '1 hour', ST_SetSRID(ST_MakePoint(?, ?), 4326))",
            "inc-" + n++, c[0] + i * 1e-5, c[1]);
      }
    }
    // U-1 drives east along 23.105 from 114.385 to 114.405, a ping every 30 s (about 100 m apart)
    for (int i = 0; i <= 20; i++) {
      jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
              + "(?, 'patrol', 'GPS-1', 'position', 0, now() - interval '30 minutes' + ? * interval '30 seconds', "
              + "ST_SetSRID(ST_MakePoint(?, 23.105), 4326), '{\"unitId\":\"U-1\",\"status\":\"patrolling\"}')",
          "ping-" + i, i, 114.385 + i * 0.001);
    }
    jdbc.update("INSERT INTO patrol_position (unit_id, event_id, observed_at, geom, status) VALUES "
        + "('U-1', 'ping-20', now() - interval '20 minutes', ST_SetSRID(ST_MakePoint(114.405, 23.105), 4326), 'patrolling'), "
        + "('U-PLAN', 'x', now(), ST_SetSRID(ST_MakePoint(114.405, 23.115), 4326), 'patrolling')");
  }

  private HttpResponse<String> call(String method, String path, String user, String password, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode feature(JsonNode fc, String id) {
    for (JsonNode f : fc.path("features")) {
      if (f.path("id").asText().equals(id)) {
        return f;
      }
    }
    return null;
  }

  @Test
  void coverageShowsTheUnitThatDroveThroughTheHotspotAndLeavesTheOthersUncovered() throws Exception {
    HttpResponse<String> r = call("GET", "/api/patrol/coverage", "planner", "planner-pw", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode fc = json.readTree(r.body());
    assertThat(fc.path("features")).hasSize(3);
    assertThat(fc.path("features").get(0).path("id").asText()).as("riskiest first").isEqualTo("A");
    JsonNode a = feature(fc, "A").path("properties");
    assertThat(a.path("covered").asBoolean()).isTrue();
    assertThat(a.path("lastUnit").asText()).isEqualTo("U-1");
    // pings from 114.397 (300 m west of the cell) to 114.405: about 4 minutes of distinct unit-minutes
    assertThat(a.path("patrolMinutes").asLong()).isBetween(3L, 6L);
    assertThat(feature(fc, "B").path("properties").path("covered").asBoolean()).isFalse();
    assertThat(feature(fc, "C").path("properties").path("covered").asBoolean()).isFalse();

    JsonNode uncovered = json.readTree(call("GET", "/api/patrol/coverage?uncovered=true", "planner", "planner-pw", null).body());
    assertThat(uncovered.path("features").findValuesAsText("id")).doesNotContain("A");
    assertThat(uncovered.path("layer").asText()).isEqualTo("uncovered-hotspots");

    JsonNode wider = json.readTree(call("GET", "/api/patrol/coverage?distanceMeters=700", "planner", "planner-pw", null).body());
    assertThat(feature(wider, "B").path("properties").path("covered").asBoolean()).as("B is 510 m from the last ping").isTrue();
    assertThat(call("GET", "/api/patrol/coverage", "duty", "duty-pw", null).statusCode()).isEqualTo(403);
  }

  @Test
  void planCoversMoreRiskThanSendingTheUnitToTheNearestPlace() throws Exception {
    // 20 minutes: one stop of 15 minutes; the nearest place is C (where U-PLAN stands), the riskiest is A
    HttpResponse<String> r = call("POST", "/api/patrol/plan", "planner", "planner-pw",
        "{\"units\":[{\"id\":\"U-PLAN\"}],\"shiftMinutes\":20,\"speedKmh\":30,\"dwellMinutes\":15}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode plan = json.readTree(r.body());
    assertThat(plan.path("units").get(0).path("stops").findValuesAsText("placeId")).containsExactly("A");
    assertThat(plan.path("coveredShare").asDouble()).isGreaterThan(plan.path("nearestShare").asDouble());
    // A carries 10 of the 14 incidents, all of one kind and severity and about equally old; the
    // engine's time decay differs between them by the milliseconds that separate their inserts
    assertThat(plan.path("coveredShare").asDouble()).isCloseTo(10.0 / 14, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(plan.path("units").get(0).path("stops").get(0).path("arrivalAt").asText()).isNotBlank();
  }

  @Test
  void badPlanRequestsAre4xxWithAReason() throws Exception {
    assertThat(call("POST", "/api/patrol/plan", "planner", "planner-pw", "{\"units\":[],\"shiftMinutes\":60}").body())
        .contains("at least one");
    assertThat(call("POST", "/api/patrol/plan", "planner", "planner-pw", "{\"units\":[],\"shiftMinutes\":60}").statusCode())
        .isEqualTo(400);
    HttpResponse<String> negative = call("POST", "/api/patrol/plan", "planner", "planner-pw",
        "{\"units\":[{\"id\":\"U-PLAN\"}],\"shiftMinutes\":-30}");
    assertThat(negative.statusCode()).isEqualTo(400);
    assertThat(negative.body()).contains("shiftMinutes");
    HttpResponse<String> unknown = call("POST", "/api/patrol/plan", "planner", "planner-pw",
        "{\"units\":[{\"id\":\"U-PLAN\"},{\"id\":\"U-GHOST\"}],\"shiftMinutes\":60}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("U-GHOST");
    assertThat(call("POST", "/api/patrol/plan", "planner", "planner-pw", "not json").statusCode()).isEqualTo(400);
    assertThat(call("POST", "/api/patrol/plan", "duty", "duty-pw",
        "{\"units\":[{\"id\":\"U-PLAN\"}],\"shiftMinutes\":60}").statusCode()).isEqualTo(403);
  }
}
