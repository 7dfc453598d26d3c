package org.safegrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole server on a real PostGIS with the reference city loaded, called over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.security.admin-password=test-admin-pw"})
class FoundationApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, FoundationApiTest.class);
  }

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> r = get(path, "admin", "test-admin-pw");
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void healthIsOpenAndUpOnceTheEngineHasLoaded() throws Exception {
    HealthProbe.awaitUp(port, "admin", "test-admin-pw", java.time.Duration.ofSeconds(120));
    HttpResponse<String> r = get("/actuator/health", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json.readTree(r.body()).path("status").asText()).isEqualTo("UP");
  }

  @Test
  void apiRefusesAnonymousAndWrongPassword() throws Exception {
    assertThat(get("/api/overlays/districts", null, null).statusCode()).isEqualTo(401);
    assertThat(get("/api/overlays/districts", "admin", "wrong").statusCode()).isEqualTo(401);
    assertThat(get("/api/grid-sets", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void unknownPathsAreDeniedEvenWhenSignedIn() throws Exception {
    assertThat(get("/api/nothing-here", "admin", "test-admin-pw").statusCode()).isEqualTo(403);
  }

  @Test
  void districtsAreTheFiveCountyLevelUnitsOfHuizhou() throws Exception {
    JsonNode fc = getJson("/api/overlays/districts");
    assertThat(fc.path("type").asText()).isEqualTo("FeatureCollection");
    assertThat(fc.path("features")).hasSize(5);
    assertThat(fc.findValuesAsText("name")).contains("惠城区", "惠阳区", "博罗县", "惠东县", "龙门县");
    assertThat(fc.path("features").get(0).path("geometry").path("type").asText()).isEqualTo("MultiPolygon");
  }

  @Test
  void syntheticLayersAreLoadedAndLabelled() throws Exception {
    JsonNode campuses = getJson("/api/overlays/campuses");
    assertThat(campuses.path("features").size()).isGreaterThan(1000);
    assertThat(campuses.path("synthetic").asBoolean()).isTrue();
    assertThat(campuses.path("features").get(0).path("properties").path("synthetic").asBoolean()).isTrue();
    assertThat(getJson("/api/overlays/coastline").path("features").size()).isPositive();
    assertThat(getJson("/api/overlays/coastal_zone").path("features").size()).isEqualTo(1);
    assertThat(getJson("/api/overlays/checkpoints").path("features")).hasSize(381);
  }

  @Test
  void unknownLayerIs404WithAReason() throws Exception {
    HttpResponse<String> r = get("/api/overlays/secrets", "admin", "test-admin-pw");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json.readTree(r.body()).path("detail").asText()).contains("no overlay layer");
  }

  @Test
  void defaultGridSetIsActiveWithAboutTheCitysNumberOfCellsAndBboxFilters() throws Exception {
    JsonNode sets = getJson("/api/grid-sets");
    assertThat(sets).hasSize(1);
    JsonNode set = sets.get(0);
    assertThat(set.path("status").asText()).isEqualTo("active");
    assertThat(set.path("cellCount").asInt()).isBetween(3000, 4000);
    JsonNode cells = getJson("/api/grid-sets/" + set.path("id").asLong() + "/cells");
    assertThat(cells.path("features").size()).isEqualTo(set.path("cellCount").asInt());
    JsonNode someCells = getJson("/api/grid-sets/" + set.path("id").asLong() + "/cells?bbox=114.3,23.0,114.5,23.2");
    assertThat(someCells.path("features").size()).isBetween(1, set.path("cellCount").asInt() - 1);
  }

  @Test
  void badBboxIs400WithAReason() throws Exception {
    HttpResponse<String> r = get("/api/overlays/campuses?bbox=1,2,three,4", "admin", "test-admin-pw");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("not a number").doesNotContain("Exception");
  }

  @Test
  void responsesCarryAContentSecurityPolicyThatForbidsInlineScript() throws Exception {
    HttpResponse<String> r = get("/login.html", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
        v -> assertThat(v).contains("script-src 'self'").doesNotContain("unsafe-inline"));
  }
}
