package org.safegrid.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.risk.RiskRepository;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Statement timeouts by query class on a real PostGIS: each class cancels a longer statement at its own
 * limit, and an API call whose query is cancelled answers 503 with a problem detail, not a 500 with a
 * stack trace. A slow query is made by holding an exclusive lock on the table it reads from another
 * session (statement_timeout covers lock waits), or by {@code pg_sleep}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=test-admin-pw-123", "spring.datasource.hikari.maximum-pool-size=4",
        // the table locks that make the slow queries here would also hold every background reader of the
        // event feed (live stream, alerts, feed health) on a pooled connection until the lock goes: with
        // four connections the request under test could then wait for a connection, not for its query
        "safegrid.feed.enabled=false", "safegrid.alerts.enabled=false",
        "safegrid.query-timeout.interactive=300ms", "safegrid.query-timeout.export=400ms",
        "safegrid.query-timeout.upload=500ms", "safegrid.query-timeout.engine=600ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatementTimeoutTest {

  static TestDatabase db;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    db = PostgisTestSupport.register(registry, StatementTimeoutTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  StatementTimeouts timeouts;
  @Autowired
  TransactionTemplate tx;
  @Autowired
  JdbcClient jdbc;
  @Autowired
  DataSource dataSource;
  @Autowired
  UserAccountService users;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void users() {
    users.createUser("vera", "viewer-password-1", List.of(Role.VIEWER));
    users.createUser("audra", "auditor-password-1", List.of(Role.AUDITOR));
    users.createUser("gil", "gis-admin-password-1", List.of(Role.GIS_ADMIN));
  }

  @Test
  void eachClassCancelsAStatementLongerThanItsOwnTimeout() {
    for (QueryClass c : List.of(QueryClass.INTERACTIVE, QueryClass.EXPORT, QueryClass.UPLOAD, QueryClass.ENGINE)) {
      long limitMs = timeouts.timeoutOf(c).toMillis();
      // a statement shorter than the limit runs
      tx.executeWithoutResult(s -> {
        timeouts.apply(c);
        jdbc.sql("SELECT pg_sleep(?)").param(limitMs / 4000.0).query().singleRow();
      });
      long start = System.nanoTime();
      assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
        timeouts.apply(c);
        jdbc.sql("SELECT pg_sleep(?)").param(limitMs / 1000.0 + 3).query().singleRow();
      })).as(c.name()).isInstanceOf(DataAccessException.class).satisfies(e ->
          assertThat(StatementTimeouts.isTimeout(e)).as("SQLSTATE 57014 in %s", e).isTrue());
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(tookMs).as("%s cancelled at its %d ms limit", c, limitMs).isBetween(limitMs - 50, limitMs + 2_000);
      // the limit ended with the transaction: the pooled connection is unbounded again
      assertThat(jdbc.sql("SHOW statement_timeout").query(String.class).single()).isEqualTo("0");
    }
  }

  @Test
  void applyingATimeoutOutsideATransactionFailsInsteadOfRunningUnbounded() {
    assertThatThrownBy(() -> timeouts.apply(QueryClass.INTERACTIVE)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a transaction");
  }

  @Test
  void engineReadsAreBoundedByTheEngineTimeout() throws Exception {
    RiskRepository repository = new RiskRepository(dataSource, timeouts.timeoutOf(QueryClass.ENGINE));
    try (Connection locker = lock("event")) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> repository.forEachEventObserved(Instant.now().minusSeconds(3600), Instant.now(),
          row -> { })).satisfies(e -> assertThat(StatementTimeouts.isTimeout(e)).as("%s", e).isTrue());
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(600 + 2_000);
    }
  }

  @Test
  void interactiveApiReadCancelledByItsTimeoutAnswers503ProblemDetail() throws Exception {
    try (Connection locker = lock("event")) {
      assertProblem503(get("/api/events?limit=10", "vera", "viewer-password-1"), 300);
    }
    assertThat(get("/api/events?limit=10", "vera", "viewer-password-1").response.statusCode()).isEqualTo(200);
  }

  @Test
  void exportCancelledByItsTimeoutAnswers503ProblemDetail() throws Exception {
    try (Connection locker = lock("audit_event")) {
      assertProblem503(get("/api/audit?format=csv", "audra", "auditor-password-1"), 400);
      assertProblem503(get("/api/audit", "audra", "auditor-password-1"), 300);
    }
    assertThat(get("/api/audit?format=csv", "audra", "auditor-password-1").response.statusCode()).isEqualTo(200);
  }

  @Test
  void uploadInsertCancelledByItsTimeoutAnswers503ProblemDetail() throws Exception {
    String file = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"T1\"},"
        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[114.40,22.75],[114.41,22.75],[114.41,22.76],"
        + "[114.40,22.76],[114.40,22.75]]]}}]}";
    try (Connection locker = lock("grid_set")) {
      assertProblem503(upload(file), 500);
    }
    assertThat(upload(file).response.statusCode()).isEqualTo(201);
  }

  private void assertProblem503(Timed r, long limitMs) {
    assertThat(r.response.statusCode()).as(r.response.body()).isEqualTo(503);
    assertThat(r.response.headers().firstValue("Content-Type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(r.response.headers().firstValue("Retry-After")).isPresent();
    assertThat(r.response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.response.body()).contains("Query took too long", "statement_timeout")
        .doesNotContain("Exception", "\tat ", "PSQL", "ERROR:", "canceling statement");
    assertThat(r.millis).as("answered soon after the %d ms limit", limitMs).isLessThan(limitMs + 3_000);
  }

  /** Holds an exclusive lock on {@code table} until the returned connection is closed (rolled back). */
  private Connection lock(String table) throws Exception {
    Connection c = db.connect();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
    }
    return c;
  }

  private record Timed(HttpResponse<String> response, long millis) {}

  private Timed get(String path, String user, String password) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization",
        basic(user, password)).GET());
  }

  private Timed upload(String geojson) throws Exception {
    String boundary = "----timeout" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\ngrid\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"datum\"\r\n\r\nwgs84\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.geojson\"\r\n"
        + "Content-Type: application/geo+json\r\n\r\n" + geojson + "\r\n--" + boundary + "--\r\n";
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/uploads"))
        .header("Authorization", basic("gil", "gis-admin-password-1"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private Timed send(HttpRequest.Builder b) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    return new Timed(r, (System.nanoTime() - start) / 1_000_000);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
