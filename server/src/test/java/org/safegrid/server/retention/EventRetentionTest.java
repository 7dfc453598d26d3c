package org.safegrid.server.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Retention on a real PostGIS: an expired partition of {@code event} is rolled up into per-cell hourly
 * counts and dropped by {@code safegrid_drop_event_partition}, and no roll-up is ever lost, not even when
 * the session dies between the roll-up and the drop. The expected counts come from the fixture itself
 * (each event is generated inside a known cell), not from the database.
 *
 * <pre>
 *   lat 22.71 +---------+---------+
 *             | cell 1  | cell 2  |        x  outside: lon 114.05
 *   lat 22.70 +---------+---------+
 *          114.00    114.01    114.02     a point on lon 114.01 counts in cell 1
 * </pre>
 */
@ExtendWith(PostgisExtension.class)
class EventRetentionTest {

  private static final String[] SOURCES = {"camera", "checkpoint", "patrol", "incident"};
  private static final String[] KINDS = {"intrusion", "loitering", "position"};

  private final TestDatabase db;
  private final JdbcClient jdbc;
  private long gridSetId;

  /** What the roll-up must hold: key is hour|cell|source|kind|severity ("-" for no cell). */
  private final Map<String, Long> expected = new HashMap<>();

  EventRetentionTest(TestDatabase db) {
    this.db = db;
    this.jdbc = JdbcClient.create(db.dataSource());
  }

  @BeforeEach
  void fixture() throws SQLException {
    expected.clear();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("DELETE FROM event_rollup_hourly");
      st.execute("TRUNCATE event, event_key");
      st.execute("DELETE FROM grid_set");
      for (String p : List.of("event_m202001", "event_m202002")) {
        st.execute("DROP TABLE IF EXISTS " + p);
      }
      try (ResultSet rs = st.executeQuery("INSERT INTO grid_set (name, city_code, status) "
          + "VALUES ('retention', '441300', 'active') RETURNING id")) {
        rs.next();
        gridSetId = rs.getLong(1);
      }
      st.execute("INSERT INTO grid_cell (grid_set_id, cell_id, code, area_m2, geom) VALUES "
          + "(" + gridSetId + ", 1, 'C1', 1, ST_Multi(ST_MakeEnvelope(114.00, 22.70, 114.01, 22.71, 4326))), "
          + "(" + gridSetId + ", 2, 'C2', 1, ST_Multi(ST_MakeEnvelope(114.01, 22.70, 114.02, 22.71, 4326)))");
      // January and February 2020: long expired, each in one monthly partition; today: a daily one
      st.execute("SELECT safegrid_ensure_event_partitions(DATE '2020-01-01', DATE '2020-02-29')");
      st.execute("SELECT safegrid_ensure_event_partitions(current_date, current_date)");
    }
    insertEvents(Instant.parse("2020-01-01T00:00:00Z"), 31, 3000, 1, true);
    insertEvents(Instant.parse("2020-02-01T00:00:00Z"), 29, 2000, 2, true);
    insertEvents(Instant.now().truncatedTo(ChronoUnit.DAYS), 0, 500, 3, false);
  }

  /** Random events over {@code days} days from {@code start} (0: within the past hours of today). */
  private void insertEvents(Instant start, int days, int n, long seed, boolean expect) throws SQLException {
    Random r = new Random(seed);
    try (Connection c = db.connect();
         PreparedStatement ev = c.prepareStatement("INSERT INTO event (event_id, source, source_id, kind, severity, "
             + "observed_at, geom) VALUES (?, ?, 's', ?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326))");
         PreparedStatement key = c.prepareStatement(
             "INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
                 + "VALUES (?, ?, 's', ?, '\\x00')")) {
      for (int i = 0; i < n; i++) {
        long seconds = days == 0 ? r.nextInt(3600) : r.nextLong(days * 86_400L);
        Instant at = start.plusSeconds(seconds);
        int where = r.nextInt(10);
        double lon;
        String cell;
        if (where < 4) {
          lon = 114.001 + r.nextDouble() * 0.008;
          cell = "1";
        } else if (where < 8) {
          lon = 114.011 + r.nextDouble() * 0.008;
          cell = "2";
        } else if (where == 8) {
          lon = 114.01; // the shared border
          cell = "1";
        } else {
          lon = 114.05;
          cell = "-";
        }
        String source = SOURCES[r.nextInt(SOURCES.length)];
        String kind = KINDS[r.nextInt(KINDS.length)];
        int severity = r.nextInt(6);
        String id = "ev-" + seed + "-" + i;
        ev.setString(1, id);
        ev.setString(2, source);
        ev.setString(3, kind);
        ev.setInt(4, severity);
        ev.setTimestamp(5, Timestamp.from(at));
        ev.setDouble(6, lon);
        ev.setDouble(7, 22.701 + r.nextDouble() * 0.008);
        ev.addBatch();
        key.setString(1, id);
        key.setString(2, source);
        key.setTimestamp(3, Timestamp.from(at));
        key.addBatch();
        if (expect) {
          expected.merge(at.truncatedTo(ChronoUnit.HOURS) + "|" + cell + "|" + source + "|" + kind + "|" + severity,
              1L, Long::sum);
        }
      }
      ev.executeBatch();
      key.executeBatch();
    }
  }

  private EventRetention retention() {
    return new EventRetention(jdbc, new RetentionProperties(Duration.ofDays(400), null, null), new SimpleMeterRegistry());
  }

  private Map<String, Long> rollup() {
    Map<String, Long> rows = new HashMap<>();
    jdbc.sql("SELECT hour, grid_set_id, cell_id, source, kind, severity, events FROM event_rollup_hourly")
        .query(rs -> {
          Long gs = (Long) rs.getObject("grid_set_id");
          assertThat(gs == null || gs == gridSetId).isTrue();
          Object cell = rs.getObject("cell_id");
          rows.put(rs.getTimestamp("hour").toInstant() + "|" + (cell == null ? "-" : cell) + "|" + rs.getString("source")
              + "|" + rs.getString("kind") + "|" + rs.getShort("severity"), rs.getLong("events"));
        });
    return rows;
  }

  private boolean exists(String table) {
    return jdbc.sql("SELECT to_regclass(?) IS NOT NULL").param(table).query(Boolean.class).single();
  }

  private long count(String sql) {
    return jdbc.sql(sql).query(Long.class).single();
  }

  @Test
  void expiredPartitionsAreRolledUpPerCellHourSourceKindAndSeverityThenDropped() {
    EventRetention retention = retention();
    assertThat(retention.dropOldest()).contains("event_m202001");
    assertThat(retention.dropOldest()).contains("event_m202002");
    assertThat(retention.dropOldest()).isEmpty();

    assertThat(rollup()).isEqualTo(expected);
    assertThat(exists("event_m202001")).isFalse();
    assertThat(exists("event_m202002")).isFalse();
    // today's partition stays whole, and so do its keys; the dropped ones' keys are gone
    assertThat(count("SELECT count(*) FROM event")).isEqualTo(500);
    assertThat(count("SELECT count(*) FROM event_key")).isEqualTo(500);
    assertThat(count("SELECT count(*) FROM audit_event WHERE action = 'event.partition.drop'")).isEqualTo(2);
    assertThat(jdbc.sql("SELECT (detail->>'events')::bigint FROM audit_event WHERE action = 'event.partition.drop' "
        + "AND object_id = 'event_m202001'").query(Long.class).single()).isEqualTo(3000);
  }

  @Test
  void aSessionKilledBetweenRollUpAndDropLeavesThePartitionAndNoRollUpAndTheRetryRollsItUpOnce() throws Exception {
    long before = count("SELECT count(*) FROM event_m202001");
    try (Connection holder = db.connect(); Connection dropper = db.connect()) {
      // another session reading the partition: the drop, after its roll-up, waits for its lock
      holder.setAutoCommit(false);
      holder.createStatement().execute("LOCK TABLE event_m202001 IN ACCESS SHARE MODE");
      int pid;
      try (ResultSet rs = dropper.createStatement().executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      CompletableFuture<Long> drop = CompletableFuture.supplyAsync(() -> {
        try (ResultSet rs = dropper.createStatement()
            .executeQuery("SELECT safegrid_drop_event_partition('event_m202001')")) {
          rs.next();
          return rs.getLong(1);
        } catch (SQLException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      });
      awaitLockWait(pid);
      // the roll-up is written but not committed: nobody sees it
      assertThat(count("SELECT count(*) FROM event_rollup_hourly")).isZero();
      jdbc.sql("SELECT pg_terminate_backend(?)").param(pid).query(Boolean.class).single();
      assertThatThrownBy(() -> drop.get(30, TimeUnit.SECONDS)).hasMessageContaining("terminat");
      holder.commit();
    }
    assertThat(exists("event_m202001")).isTrue();
    assertThat(count("SELECT count(*) FROM event_m202001")).isEqualTo(before);
    assertThat(count("SELECT count(*) FROM event_rollup_hourly")).isZero();

    // the retry: rolled up once, dropped
    EventRetention retention = retention();
    assertThat(retention.dropOldest()).contains("event_m202001");
    assertThat(retention.dropOldest()).contains("event_m202002");
    assertThat(rollup()).isEqualTo(expected);
  }

  @Test
  void aRollUpThatSurvivedIsOverwrittenNotAddedTo() {
    // as if an earlier roll-up of January had been kept without its drop: the drop must not count it twice
    jdbc.sql("""
        INSERT INTO event_rollup_hourly (hour, grid_set_id, cell_id, source, kind, severity, events)
        SELECT date_trunc('hour', observed_at, 'UTC'), NULL, NULL, source, kind, severity, count(*)
        FROM event_m202001 WHERE ST_X(geom) = 114.05 GROUP BY 1, 4, 5, 6""").update();
    EventRetention retention = retention();
    retention.dropOldest();
    retention.dropOldest();
    assertThat(rollup()).isEqualTo(expected);
  }

  @Test
  void youngPartitionsAndTheDefaultPartitionAreNeverDropped() {
    EventRetention retention = retention();
    while (retention.dropOldest().isPresent()) {
      // drop all expired
    }
    String today = jdbc.sql("SELECT partition::text FROM safegrid_event_partitions() ORDER BY from_at DESC LIMIT 1")
        .query(String.class).single();
    assertThat(exists(today)).isTrue();
    assertThatThrownBy(() -> jdbc.sql("SELECT safegrid_drop_event_partition('event_default')").query(Long.class).single())
        .hasMessageContaining("not a dated partition of event");
    assertThatThrownBy(() -> jdbc.sql("SELECT safegrid_drop_event_partition('grid_cell')").query(Long.class).single())
        .hasMessageContaining("not a dated partition of event");
    assertThat(exists("event_default")).isTrue();
    assertThat(exists("grid_cell")).isTrue();
  }

  @Test
  void aRoleWithoutDdlRightsDropsThroughTheFunctionAndOnlyWithExecute() throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'retention_app') THEN "
          + "CREATE ROLE retention_app NOLOGIN; END IF; END $$");
      st.execute("GRANT USAGE ON SCHEMA public TO retention_app");
      st.execute("SET ROLE retention_app");
      assertThatThrownBy(() -> st.execute("SELECT safegrid_drop_event_partition('event_m202001')"))
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> st.execute("DROP TABLE event_m202001")).hasMessageContaining("must be owner");
      st.execute("RESET ROLE");
      st.execute("GRANT EXECUTE ON FUNCTION safegrid_drop_event_partition(regclass) TO retention_app");
      st.execute("SET ROLE retention_app");
      try (ResultSet rs = st.executeQuery("SELECT safegrid_drop_event_partition('event_m202001')")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(3000);
      }
      st.execute("RESET ROLE");
    }
    assertThat(exists("event_m202001")).isFalse();
  }

  private void awaitLockWait(int pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Optional<String> wait = jdbc.sql("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?").param(pid)
          .query(String.class).optional();
      if (wait.isPresent() && "Lock".equals(wait.get())) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the drop never waited for the partition's lock");
  }
}
