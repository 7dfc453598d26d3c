package org.safegrid.ingest.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL 15 + PostGIS cluster of the chaos tests' own, which a test may stop
 * ({@code pg_ctl stop -m immediate}: a crash as far as clients and recovery see it), kill
 * (SIGKILL to the postmaster) and start again on the same port. The schema is migrated once into the
 * template database {@code chaos}; each check works in a copy of it ({@link #createDatabase}), so the
 * checks share one cluster (one initdb and one migration for the tier) without seeing each other's
 * rows. The checks run one after another, so one check's crash never hits another's work. Local
 * binaries ({@code SAFEGRID_PG_BIN}, default {@code /usr/lib/postgresql/15/bin}); as root the cluster
 * runs as the unprivileged user {@code safegrid} through {@code runuser}.
 */
public final class ChaosPostgres implements AutoCloseable {

  private static final String PG_BIN = System.getenv().getOrDefault("SAFEGRID_PG_BIN", "/usr/lib/postgresql/15/bin");
  private static final String OS_USER = "safegrid";

  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean root = "root".equals(System.getProperty("user.name"));

  /** Creates and starts a fresh cluster with database {@code chaos}, PostGIS and the migrated schema. */
  public ChaosPostgres() throws Exception {
    if (!Files.isExecutable(Path.of(PG_BIN, "initdb"))) {
      throw new IllegalStateException("chaos tests need PostgreSQL 15 + PostGIS 3 binaries in " + PG_BIN
          + " (Debian: apt-get install postgresql-15 postgresql-15-postgis-3)");
    }
    dir = Files.createTempDirectory("safegrid-chaos-pg-");
    data = dir.resolve("data");
    if (root) {
      Process id = new ProcessBuilder("id", "-u", OS_USER).redirectErrorStream(true).start();
      id.getInputStream().readAllBytes();
      if (id.waitFor() != 0) {
        run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER), false);
      }
      run(List.of("chown", OS_USER + ":" + OS_USER, dir.toString()), false);
      run(List.of("chmod", "755", dir.toString()), false);
    }
    run(List.of(PG_BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
        "--locale=C"), root);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    start();
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
         Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE chaos");
    }
    try (Connection c = DriverManager.getConnection(url("chaos"), "postgres", "");
         Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION postgis");
    }
    Flyway.configure().dataSource(url("chaos"), "postgres", "").load().migrate();
  }

  /** Creates database {@code name} as a copy of the migrated {@code chaos} database; returns {@code name}. */
  public String createDatabase(String name) throws Exception {
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
         Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name + " TEMPLATE chaos");
    }
    return name;
  }

  /** A data source on database {@code db} of this cluster (user postgres, trust). */
  public DataSource dataSource(String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url(db));
    ds.setUser("postgres");
    ds.setPassword("");
    ds.setConnectTimeout(5);
    return ds;
  }

  /** JDBC URL of a database of this cluster. */
  public String url(String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  public int port() {
    return port;
  }


  /** Starts the cluster (again) and waits until it accepts connections. */
  public void start() throws IOException, InterruptedException {
    // after a SIGKILL of the postmaster its orphaned backends may hold the shared memory a little longer
    for (int attempt = 1; ; attempt++) {
      try {
        startOnce();
        return;
      } catch (IOException e) {
        if (attempt >= 30) {
          throw e;
        }
        Thread.sleep(1000);
      }
    }
  }

  private void startOnce() throws IOException, InterruptedException {
    run(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t",
        "120", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
            + " -c max_connections=100 -c shared_buffers=64MB", "start"), root);
  }

  /** {@code pg_ctl stop -m immediate}: every backend is gone at once, crash recovery at the next start. */
  public void stopImmediate() throws IOException, InterruptedException {
    run(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop"), root);
  }

  /** SIGKILL to the postmaster, then waits until its backends are gone too. */
  public void killPostmaster() throws IOException, InterruptedException {
    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    run(List.of("kill", "-9", Long.toString(pid)), false);
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
  }

  private static void run(List<String> command, boolean asOsUser) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asOsUser) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  @Override
  public void close() {
    try {
      run(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-m", "immediate", "stop"), root);
    } catch (Exception ignored) {
      // already stopped
    }
    try {
      run(List.of("rm", "-rf", dir.toString()), false);
    } catch (Exception ignored) {
      // best effort
    }
  }
}
