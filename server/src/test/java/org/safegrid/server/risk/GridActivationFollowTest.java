package org.safegrid.server.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.upload.Actor;
import org.safegrid.server.upload.GridSetLifecycle;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Activating a grid set moves the risk engine onto it at once, not at its next periodic grid check. */
@SpringBootTest(properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false"})
class GridActivationFollowTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, GridActivationFollowTest.class);
  }

  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  GridSetLifecycle lifecycle;
  @Autowired
  LiveRiskService live;

  /** A draft set of 2 x 2 cells of 0.01° starting at (x0, y0). */
  private long draftSet(String name, double x0, double y0) {
    long id = jdbc.queryForObject("INSERT INTO grid_set (name, city_code, status, cell_count) VALUES (?, '441300', 'draft', 4) "
        + "RETURNING id", Long.class, name);
    for (int i = 0; i < 4; i++) {
      double x = x0 + (i % 2) * 0.01;
      double y = y0 + (i / 2) * 0.01;
      String wkt = String.format(Locale.ROOT, "MULTIPOLYGON(((%f %f,%f %f,%f %f,%f %f,%f %f)))",
          x, y, x + 0.01, y, x + 0.01, y + 0.01, x, y + 0.01, x, y);
      jdbc.update("INSERT INTO grid_cell (grid_set_id, cell_id, code, area_m2, geom) "
          + "VALUES (?, ?, ?, 1e6, ST_GeomFromText(?, 4326))", id, i, name + "-" + i, wkt);
    }
    return id;
  }

  private long waitForEngineOn(long gridSetId, Duration limit) throws InterruptedException {
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < limit.toNanos()) {
      var snap = live.current();
      if (snap.isPresent() && snap.get().grid().gridSetId() == gridSetId) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("risk engine not on grid set " + gridSetId + " after " + limit);
  }

  @Test
  void activationAndRollbackAreFollowedWithinSeconds() throws Exception {
    long a = draftSet("A", 114.40, 23.08);
    long b = draftSet("B", 114.50, 23.10);
    lifecycle.activateGridSet(a, new Actor("admin", "127.0.0.1"));
    waitForEngineOn(a, Duration.ofSeconds(20));
    // the engine checks for a new grid on its own only every 30 s: within 10 s means the event worked
    lifecycle.activateGridSet(b, new Actor("admin", "127.0.0.1"));
    assertThat(waitForEngineOn(b, Duration.ofSeconds(10))).isLessThan(10_000);
    lifecycle.activateGridSet(a, new Actor("admin", "127.0.0.1"));
    assertThat(waitForEngineOn(a, Duration.ofSeconds(10))).isLessThan(10_000);
  }
}
