package org.safegrid.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./safegrid backup} and {@code ./safegrid restore} on real PostgreSQL clusters: a cluster that
 * archives its WAL is backed up, written to before and after a target time, and restored to that time
 * into a fresh cluster, which must hold every event, alert, audit row and grid set committed up to the
 * target (row for row) and none after it. Needs the PostgreSQL 15 + PostGIS binaries (fails saying so).
 *
 * <p>{@code -Dsafegrid.backup.events=N} stores N events before the backup (default 20,000) and prints
 * how long the restore took, for the restore-time figure in docs/operations.md.
 */
class BackupRestoreTest {

  private static final String PG_BIN = System.getenv().getOrDefault("SAFEGRID_PG_BIN", "/usr/lib/postgresql/15/bin");
  private static final String OS_USER = "safegrid";
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  private static final Path LAUNCHER = Path.of("..", "safegrid").toAbsolutePath().normalize();

  private static Path dir;
  private static final List<Path> clusters = new ArrayList<>();

  @BeforeAll
  static void folder() throws Exception {
    if (!Files.isExecutable(Path.of(PG_BIN, "pg_basebackup")) || !Files.isExecutable(LAUNCHER)) {
      throw new IllegalStateException("BackupRestoreTest needs PostgreSQL 15 (" + PG_BIN + "/pg_basebackup; Debian: "
          + "apt-get install postgresql-15 postgresql-15-postgis-3) and the launcher at " + LAUNCHER);
    }
    dir = Files.createTempDirectory("safegrid-backup-test-");
    run(List.of("chmod", "755", dir.toString()), false, Map.of());
  }

  @AfterAll
  static void cleanUp() throws Exception {
    for (Path c : clusters) {
      try {
        run(List.of(PG_BIN + "/pg_ctl", "-D", c.toString(), "-m", "immediate", "stop"), ROOT, Map.of());
      } catch (IOException notRunning) {
        // already stopped
      }
    }
    if (dir != null) {
      run(List.of("rm", "-rf", dir.toString()), false, Map.of());
    }
  }

  @Test
  void aBackupIntoAMissingFolderSaysSoAndWritesNothing() throws Exception {
    Path missing = dir.resolve("no-such-folder");
    List<String> before = listing();
    Result r = launcher(List.of("backup", "--to", missing.toString()), Map.of("PGHOST", "127.0.0.1", "PGPORT", "1"));
    assertThat(r.exit).isNotZero();
    assertThat(r.output).contains("backup folder " + missing + " does not exist; nothing was written");
    assertThat(missing).doesNotExist();
    assertThat(listing()).isEqualTo(before);
  }

  @Test
  void pointInTimeRestoreHoldsEverythingUpToTheTargetAndNothingAfter() throws Exception {
    int events = Integer.getInteger("safegrid.backup.events", 20_000);
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path wal = Files.createDirectories(repo.resolve("wal"));
    if (ROOT) {
      run(List.of("chown", "-R", OS_USER, repo.toString()), false, Map.of());
    }
    int port = freePort();
    Path source = cluster("source", port, "archive_mode = on\n"
        + "archive_command = 'test ! -f " + wal + "/%f && cp %p " + wal + "/%f'\n");
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/safegrid";
    Flyway.configure().dataSource(url, "postgres", "").load().migrate();

    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
      phase(st, "before-backup", events);
      Result backup = launcher(List.of("backup", "--to", repo.toString()),
          Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(port), "PGUSER", "postgres"));
      assertThat(backup.exit).as(backup.output).isZero();
      phase(st, "after-backup", 500);
      String target = single(st, "SELECT clock_timestamp()::text");
      Thread.sleep(1_100);
      phase(st, "after-target", 500);
      // the WAL holding the last phase must reach the archive: recovery needs a commit past the target
      String segment = single(st, "SELECT pg_walfile_name(pg_switch_wal())");
      awaitArchived(st, segment);
      Map<String, List<String>> expected = contents(st, "phase <> 'after-target'");
      assertThat(expected.get("event")).hasSize(events + 500);

      Path restored = dir.resolve("restored");
      int restoredPort = freePort();
      long t0 = System.nanoTime();
      Result restore = launcher(List.of("restore", "--from", repo.toString(), "--to-time", target, "--into",
          restored.toString(), "--port", String.valueOf(restoredPort)), Map.of());
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(restore.exit).as(restore.output).isZero();
      System.out.printf("restore of %,d events in the base backup + 500 replayed from WAL: %.1f s; %s%n", events, seconds,
          restore.output.lines().reduce((a, b) -> b).orElse(""));

      clusters.add(restored);
      startCluster(restored, restoredPort);
      try (Connection r = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + restoredPort + "/safegrid",
          "postgres", ""); Statement rs = r.createStatement()) {
        Map<String, List<String>> actual = contents(rs, "true");
        for (String table : expected.keySet()) {
          assertThat(actual.get(table)).as(table + " rows after the restore").isEqualTo(expected.get(table));
        }
        assertThat(single(rs, "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
      }
    }
  }

  /** Writes events, an alert, audit rows and a grid set tagged with the phase. */
  private static void phase(Statement st, String phase, int events) throws SQLException {
    st.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) "
        + "SELECT '" + phase + "-' || i, 'camera', 'cam-' || (i % 50), 'intrusion', i % 6, now() - (i % 3600) * "
        + "interval '1 second', ST_SetSRID(ST_MakePoint(114.0 + (i % 100) * 0.001, 22.7), 4326), "
        + "jsonb_build_object('phase', '" + phase + "') FROM generate_series(1, " + events + ") i");
    st.execute("INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
        + "SELECT event_id, source, source_id, observed_at, "
        + "sha256(event_id::bytea) FROM event WHERE attrs->>'phase' = '" + phase + "'");
    st.execute("INSERT INTO grid_set (name, city_code, status, source) VALUES ('grid " + phase + "', '441300', "
        + "'draft', '" + phase + "')");
    st.execute("INSERT INTO alert (rule_id, dedupe_key, severity, title, observed_at, detail) VALUES ('r', '" + phase
        + "', 'high', 'alert " + phase + "', now(), jsonb_build_object('phase', '" + phase + "'))");
    for (int i = 0; i < 3; i++) {
      st.execute("INSERT INTO audit_event (username, action, outcome, detail) VALUES ('admin', 'test.write', "
          + "'success', jsonb_build_object('phase', '" + phase + "', 'n', " + i + "))");
    }
  }

  /** Every row of the checked tables (as text, in key order) whose phase matches. */
  private static Map<String, List<String>> contents(Statement st, String phaseFilter) throws SQLException {
    return Map.of(
        "event", rows(st, "SELECT e::text FROM (SELECT *, attrs->>'phase' AS phase FROM event) e WHERE "
            + phaseFilter + " ORDER BY event_id"),
        "event_key", rows(st, "SELECT k::text FROM event_key k JOIN (SELECT event_id, source, source_id, attrs->>'phase' AS "
            + "phase FROM event) e USING (event_id, source, source_id) WHERE " + phaseFilter
            + " ORDER BY event_id, source, source_id"),
        "grid_set", rows(st, "SELECT g::text FROM (SELECT *, source AS phase FROM grid_set) g WHERE " + phaseFilter
            + " ORDER BY id"),
        "alert", rows(st, "SELECT a::text FROM (SELECT *, detail->>'phase' AS phase FROM alert) a WHERE " + phaseFilter
            + " ORDER BY id"),
        "audit_event", rows(st, "SELECT a::text FROM (SELECT *, detail->>'phase' AS phase FROM audit_event "
            + "WHERE action = 'test.write') a WHERE " + phaseFilter + " ORDER BY id"));
  }

  private static List<String> rows(Statement st, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  private static String single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void awaitArchived(Statement st, String segment) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String last = single(st, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
      if (last.compareTo(segment) >= 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("WAL segment " + segment + " was not archived within 60 s");
  }

  /** A new cluster with PostGIS and a 'safegrid' database, started on the port with the extra settings. */
  private static Path cluster(String name, int port, String settings) throws Exception {
    Path data = Files.createDirectories(dir.resolve(name));
    run(List.of("chmod", "700", data.toString()), false, Map.of());
    if (ROOT) {
      run(List.of("chown", OS_USER, data.toString()), false, Map.of());
    }
    run(List.of(PG_BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
        "--locale=C", "--no-sync"), ROOT, Map.of());
    Path conf = data.resolve("postgresql.conf");
    run(List.of("sh", "-c", "printf '%s' \"$1\" >> \"$2\"", "sh", settings, conf.toString()), ROOT, Map.of());
    clusters.add(data);
    startCluster(data, port);
    String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE safegrid");
    }
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/safegrid", "postgres", "");
         Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION postgis");
    }
    return data;
  }

  private static void startCluster(Path data, int port) throws Exception {
    run(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-l", data.resolve("test.log").toString(), "-w", "-t", "120",
        "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + data, "start"), ROOT,
        Map.of());
  }

  private record Result(int exit, String output) {
  }

  private static Result launcher(List<String> args, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("SAFEGRID_DATA_DIR", dir.resolve("launcher-data").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("launcher " + args + " did not finish: " + out);
    }
    return new Result(p.exitValue(), out);
  }

  private static List<String> listing() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(Path::toString).sorted().toList();
    }
  }

  private static void run(List<String> command, boolean asOsUser, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (asOsUser) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
