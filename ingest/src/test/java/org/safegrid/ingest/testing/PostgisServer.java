package org.safegrid.ingest.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one PostGIS server of a test JVM: external, a Testcontainers container, or a throwaway
 * local cluster. Created lazily, stopped by a shutdown hook.
 *
 * <p>PostgreSQL refuses to run as root, so when the JVM is root the local cluster runs as the
 * unprivileged system user {@value #OS_USER} (created if missing) through {@code runuser}.
 */
final class PostgisServer {

  static final String OS_USER = "safegrid";
  private static final String PG_BIN = System.getenv().getOrDefault("SAFEGRID_PG_BIN", "/usr/lib/postgresql/15/bin");
  private static final String INSTALL_HINT =
      "Install PostgreSQL 15 + PostGIS 3 (Debian: apt-get install postgresql-15 postgresql-15-postgis-3), "
          + "or point SAFEGRID_TEST_DB_URL at a PostGIS database, or run a Docker engine. "
          + "'./safegrid test' installs the packages for you.";
  private static PostgisServer instance;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String adminDb;

  private PostgisServer(String host, int port, String user, String password, String adminDb) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.adminDb = adminDb;
  }

  static synchronized PostgisServer get() {
    if (instance == null) {
      PostgisServer server = start();
      server.createRoles();
      instance = server;
    }
    return instance;
  }

  /**
   * Creates the deployment's roles ({@link DbRole}) on the cluster, once: roles belong to the cluster,
   * not to a database, so every test database grants to the same three.
   */
  private void createRoles() {
    try (Connection c = DriverManager.getConnection(adminUrl(), user, password);
         java.sql.Statement st = c.createStatement()) {
      for (DbRole role : DbRole.values()) {
        st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role.roleName()
            + "') THEN CREATE ROLE " + role.roleName() + " LOGIN; END IF; END $$");
        st.execute("ALTER ROLE " + role.roleName() + " LOGIN NOSUPERUSER PASSWORD '" + role.password() + "'");
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Could not create the database roles " + java.util.Arrays.toString(DbRole.values())
          + " on " + adminUrl() + " as " + user + " (the test database's user must be a superuser): " + e.getMessage(), e);
    }
  }

  String adminUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + adminDb;
  }

  String urlFor(String db) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + db;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  private static PostgisServer start() {
    String external = System.getenv("SAFEGRID_TEST_DB_URL");
    if (external != null && !external.isBlank()) {
      return external(external);
    }
    PostgisServer docker = tryTestcontainers();
    if (docker != null) {
      return docker;
    }
    return localCluster();
  }

  private static PostgisServer external(String url) {
    // jdbc:postgresql://host:port/db
    String rest = url.substring("jdbc:postgresql://".length());
    String hostPort = rest.substring(0, rest.indexOf('/'));
    String db = rest.substring(rest.indexOf('/') + 1);
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    int port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
    return new PostgisServer(host, port,
        System.getenv().getOrDefault("SAFEGRID_TEST_DB_USER", "postgres"),
        System.getenv().getOrDefault("SAFEGRID_TEST_DB_PASSWORD", ""), db);
  }

  private static PostgisServer tryTestcontainers() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory");
      if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
        return null;
      }
    } catch (Throwable e) {
      return null;
    }
    var image = org.testcontainers.utility.DockerImageName.parse("postgis/postgis:15-3.4")
        .asCompatibleSubstituteFor("postgres");
    var container = new org.testcontainers.containers.PostgreSQLContainer<>(image)
        .withCommand("postgres", "-c", "max_connections=500", "-c", "shared_preload_libraries=pg_stat_statements");
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    return new PostgisServer(container.getHost(), container.getFirstMappedPort(), container.getUsername(),
        container.getPassword(), container.getDatabaseName());
  }

  private static PostgisServer localCluster() {
    Path initdb = Path.of(PG_BIN, "initdb");
    if (!Files.isExecutable(initdb)) {
      throw new IllegalStateException("No PostGIS for tests: " + initdb + " not found. " + INSTALL_HINT);
    }
    if (!postgisInstalled()) {
      throw new IllegalStateException("No PostGIS for tests: PostgreSQL 15 is there but the PostGIS extension is not. "
          + INSTALL_HINT);
    }
    try {
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory("safegrid-pg-");
      Path data = dir.resolve("data");
      if (root) {
        ensureOsUser();
        run(List.of("chown", OS_USER + ":" + OS_USER, dir.toString()), false);
        run(List.of("chmod", "755", dir.toString()), false);
      }
      run(List.of(initdb.toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
          "--encoding=UTF8", "--locale=C", "--no-sync"), root);
      int port = freePort();
      run(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
          "-w", "-t", "60", "-o",
          "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
              + " -c max_connections=500 -c shared_buffers=128MB"
              // statement statistics, for the check that only parameterised statements reach the database
              + " -c shared_preload_libraries=pg_stat_statements",
          "start"), root);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          run(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-m", "immediate", "stop"), root);
          run(List.of("rm", "-rf", dir.toString()), false);
        } catch (Exception ignored) {
          // best effort at JVM exit
        }
      }));
      PostgisServer server = new PostgisServer("127.0.0.1", port, "postgres", "", "postgres");
      try (Connection c = DriverManager.getConnection(server.adminUrl(), "postgres", "")) {
        c.createStatement().execute("SELECT 1");
      }
      return server;
    } catch (Exception e) {
      throw new IllegalStateException("Could not start a local PostGIS cluster for tests: " + e.getMessage() + ". "
          + INSTALL_HINT, e);
    }
  }

  private static boolean postgisInstalled() {
    try {
      Process p = new ProcessBuilder(PG_BIN + "/pg_config", "--sharedir").redirectErrorStream(true).start();
      String share = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return Files.exists(Path.of(share, "extension", "postgis.control"));
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void ensureOsUser() throws IOException, InterruptedException {
    Process id = new ProcessBuilder("id", "-u", OS_USER).redirectErrorStream(true).start();
    id.getInputStream().readAllBytes();
    if (id.waitFor() != 0) {
      run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER), false);
    }
  }

  static void run(List<String> command, boolean asOsUser) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asOsUser) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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
