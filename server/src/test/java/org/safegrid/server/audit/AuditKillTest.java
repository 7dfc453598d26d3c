package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.SafeGridApplication;

/**
 * Check 36's crash case: the server runs in its own JVM while three clients upload grid sets, discard
 * drafts and create users as fast as it answers; the server is killed with SIGKILL in the middle of
 * that, and the database must hold no audited action without its audit row and no audit row without
 * its action. Tagged {@code chaos}: starting a second server JVM takes longer than a unit test should.
 */
@Tag("chaos")
class AuditKillTest {

  private static final String ADMIN_PW = "kill-test-admin-pw";

  @Test
  void noAuditedActionCommitsWithoutItsAuditRowWhenTheServerIsKilledMidAction() throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("AuditKillTest");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = File.createTempFile("audit-kill-server", ".log").toPath();
    Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), SafeGridApplication.class.getName(),
        "--server.port=" + port, "--spring.datasource.url=" + db.jdbcUrl(),
        "--spring.datasource.username=" + DbRole.APP.roleName(), "--spring.datasource.password=" + DbRole.APP.password(),
        "--spring.flyway.user=" + DbRole.OWNER.roleName(), "--spring.flyway.password=" + DbRole.OWNER.password(),
        "--safegrid.ingest.enabled=false", "--safegrid.reference.load=false",
        "--safegrid.security.admin-password=" + ADMIN_PW,
        "--safegrid.upload.max-concurrent-uploads=4")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + port;
    try {
      awaitUp(server, http, base, log);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger done = new AtomicInteger();
      AtomicInteger cutOff = new AtomicInteger();
      List<AssertionError> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int client = t;
        Thread worker = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            try {
              if (i % 3 == 2) {
                send(http, base + "/api/users", "POST", "application/json", "{\"username\":\"u" + client + "-" + i
                    + "\",\"password\":\"kill-test-user-pw-" + i + "\",\"roles\":[\"VIEWER\"]}", 201);
              } else {
                HttpResponse<String> up = upload(http, base, "c" + client + "x" + i);
                if (i % 3 == 1) {
                  String id = up.body().replaceAll("(?s).*\"draftId\":(\\d+).*", "$1");
                  send(http, base + "/api/grid-sets/" + id, "DELETE", "application/json", null, 204);
                }
              }
              done.incrementAndGet();
            } catch (IOException e) {
              cutOff.incrementAndGet(); // the request was in flight when the server died
              return;
            } catch (InterruptedException e) {
              return;
            } catch (AssertionError e) {
              failures.add(e);
              return;
            }
          }
        });
        worker.start();
        clients.add(worker);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (done.get() < 20 && failures.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      server.destroyForcibly(); // SIGKILL
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      for (Thread c : clients) {
        c.join(60_000);
      }
      assertThat(failures).as("answers before the kill").isEmpty();
      assertThat(done.get()).as("completed actions before the kill").isGreaterThanOrEqualTo(20);
      assertThat(cutOff.get()).as("requests in flight when the server was killed").isPositive();

      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        // every stored upload has exactly one upload row; every upload row has its set, or its discard row
        assertThat(ids(st, "SELECT g.id FROM grid_set g WHERE (SELECT count(*) FROM audit_event a WHERE "
            + "a.action = 'upload' AND a.outcome = 'success' AND a.object_type = 'grid_set' "
            + "AND a.object_id = g.id::text) <> 1")).as("grid sets without exactly one upload row").isEmpty();
        assertThat(ids(st, "SELECT a.object_id FROM audit_event a WHERE a.action = 'upload' AND a.outcome = 'success' "
            + "AND a.object_type = 'grid_set' AND NOT EXISTS (SELECT 1 FROM grid_set g WHERE g.id::text = a.object_id) "
            + "AND (SELECT count(*) FROM audit_event d WHERE d.action = 'discard' AND d.object_id = a.object_id) <> 1"))
            .as("upload rows whose set is gone without one discard row").isEmpty();
        assertThat(ids(st, "SELECT d.object_id FROM audit_event d WHERE d.action = 'discard' "
            + "AND EXISTS (SELECT 1 FROM grid_set g WHERE g.id::text = d.object_id)"))
            .as("discard rows whose set is still there").isEmpty();
        // an upload is all or nothing: each stored set has all its cells
        assertThat(ids(st, "SELECT g.id FROM grid_set g WHERE g.cell_count <> "
            + "(SELECT count(*) FROM grid_cell c WHERE c.grid_set_id = g.id)")).as("sets missing cells").isEmpty();
        // every created user has exactly one user.create row, and every row its user
        assertThat(ids(st, "SELECT u.username FROM app_user u WHERE u.username <> 'admin' AND (SELECT count(*) "
            + "FROM audit_event a WHERE a.action = 'user.create' AND a.object_id = u.username) <> 1"))
            .as("users without exactly one user.create row").isEmpty();
        assertThat(ids(st, "SELECT a.object_id FROM audit_event a WHERE a.action = 'user.create' "
            + "AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.username = a.object_id)"))
            .as("user.create rows without their user").isEmpty();
        try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM grid_set), (SELECT count(*) FROM audit_event "
            + "WHERE action IN ('upload', 'discard', 'user.create'))")) {
          rs.next();
          System.out.printf(Locale.ROOT, "audit kill: %d actions answered, %d cut off by SIGKILL; %d grid sets and "
              + "%d upload/discard/user.create rows committed, all paired%n", done.get(), cutOff.get(), rs.getLong(1),
              rs.getLong(2));
        }
      }
    } finally {
      server.destroyForcibly();
      server.waitFor(30, TimeUnit.SECONDS);
    }
    Files.deleteIfExists(log);
  }

  private static List<String> ids(Statement st, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void awaitUp(Process server, HttpClient http, String base, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      assertThat(server.isAlive()).as("server exited; its log:\n%s", Files.readString(log)).isTrue();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 || r.statusCode() == 503) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("server did not answer within 180 s; log " + log);
  }

  private static HttpResponse<String> send(HttpClient http, String url, String method, String contentType, String body,
      int expected) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PW)
            .getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", contentType).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new AssertionError(method + " " + url + " -> " + r.statusCode() + ": " + r.body());
    }
    return r;
  }

  /** Uploads a 10 × 10 grid of 0.005° cells with codes prefixed by {@code prefix}. */
  private static HttpResponse<String> upload(HttpClient http, String base, String prefix)
      throws IOException, InterruptedException {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      double x = 114.40 + (i % 10) * 0.005;
      double y = 22.75 + (i / 10) * 0.005;
      cells.add(String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"%s-%03d\"},"
          + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],"
          + "[%.4f,%.4f]]]}}", prefix, i, x, y, x + 0.005, y, x + 0.005, y + 0.005, x, y + 0.005, x, y));
    }
    String boundary = "----kill" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\ngrid\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"datum\"\r\n\r\nwgs84\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + prefix
        + ".geojson\"\r\nContent-Type: application/geo+json\r\n\r\n{\"type\":\"FeatureCollection\",\"features\":["
        + String.join(",", cells) + "]}\r\n--" + boundary + "--\r\n";
    return send(http, base + "/api/uploads", "POST", "multipart/form-data; boundary=" + boundary, body, 201);
  }
}
