package org.safegrid.server.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.hotspot.HotspotService;
import org.safegrid.server.upload.Actor;
import org.safegrid.server.upload.GridSetLifecycle;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * While the live engine loads its first grid, risk and hotspot questions get 503 {@code engine_loading}
 * with Retry-After (not 404 "nothing here") and the readiness probe says not ready; once it has
 * loaded, both answer and the grid's hotspot weights are already built. The load is held at its
 * event read by another session's lock on {@code event}, so "loading" lasts as long as the test
 * needs instead of a few milliseconds.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=test-admin-pw"})
class EngineLoadingTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, EngineLoadingTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  DataSource dataSource;
  @Autowired
  GridSetLifecycle lifecycle;
  @Autowired
  LiveRiskService live;
  @Autowired
  HotspotService hotspots;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private HttpResponse<String> get(String path, boolean admin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (admin) {
      b.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString("admin:test-admin-pw".getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + " not reached within " + limit);
      }
      Thread.sleep(50);
    }
  }

  private long draftSet() {
    long id = jdbc.queryForObject("INSERT INTO grid_set (name, city_code, status, cell_count) "
        + "VALUES ('loading', '441300', 'draft', 9) RETURNING id", Long.class);
    for (int i = 0; i < 9; i++) {
      double x = 114.40 + (i % 3) * 0.01;
      double y = 23.08 + (i / 3) * 0.01;
      String wkt = String.format(Locale.ROOT, "MULTIPOLYGON(((%f %f,%f %f,%f %f,%f %f,%f %f)))",
          x, y, x + 0.01, y, x + 0.01, y + 0.01, x, y + 0.01, x, y);
      jdbc.update("INSERT INTO grid_cell (grid_set_id, cell_id, code, area_m2, geom) "
          + "VALUES (?, ?, ?, 1e6, ST_GeomFromText(?, 4326))", id, i, "L-" + i, wkt);
    }
    return id;
  }

  @Test
  void questionsDuringTheFirstLoadAreToldToRetryAndReadinessWaitsForIt() throws Exception {
    // no grid set yet: nothing to wait for, so "not found" and ready
    await(() -> !live.loading(), Duration.ofSeconds(20), "first engine cycle");
    assertThat(get("/api/hotspots", true).statusCode()).isEqualTo(404);
    assertThat(get("/actuator/health/readiness", false).statusCode()).isEqualTo(200);

    long set = draftSet();
    try (Connection holder = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("LOCK TABLE event IN ACCESS EXCLUSIVE MODE");
      }
      lifecycle.activateGridSet(set, new Actor("admin", "127.0.0.1"));
      await(live::loading, Duration.ofSeconds(10), "engine loading the activated grid");

      for (String path : new String[] {"/api/hotspots", "/api/risk?window=1h"}) {
        HttpResponse<String> r = get(path, true);
        assertThat(r.statusCode()).as(path).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).as(path).contains("2");
        JsonNode problem = json.readTree(r.body());
        assertThat(problem.path("reason").asText()).as(path).isEqualTo("engine_loading");
      }
      assertThat(get("/actuator/health/readiness", false).statusCode()).isEqualTo(503);
      JsonNode health = json.readTree(get("/actuator/health", true).body());
      assertThat(health.path("components").path("riskEngine").path("status").asText()).isEqualTo("OUT_OF_SERVICE");
      // liveness is not the engine's business: a loading server must not be restarted for it
      assertThat(get("/actuator/health/liveness", false).statusCode()).isEqualTo(200);
      holder.rollback();
    }

    await(() -> live.current().isPresent(), Duration.ofSeconds(30), "first snapshot");
    assertThat(live.loading()).isFalse();
    // the weights were built while loading, before the first snapshot: the first question does not pay for them
    assertThat(hotspots.hasWeightsFor(set)).isTrue();
    assertThat(get("/actuator/health/readiness", false).statusCode()).isEqualTo(200);
    assertThat(get("/api/hotspots", true).statusCode()).isEqualTo(200);
  }
}
