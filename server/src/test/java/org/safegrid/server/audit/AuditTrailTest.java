package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionTemplate;

/** The audit trail on a real PostGIS: same-transaction writes, tamper refusal, the auditor's API and CSV export. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
    "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.security.admin-password=test-admin-pw-123"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTest {

  static TestDatabase db;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    db = PostgisTestSupport.register(registry, AuditTrailTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  AuditLog audit;
  @Autowired
  TransactionTemplate tx;
  @Autowired
  JdbcClient jdbc;
  @Autowired
  UserAccountService users;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void users() {
    users.createUser("audrey", "auditor-password-1", List.of(Role.AUDITOR));
    users.createUser("victor", "viewer-password-1", List.of(Role.VIEWER));
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private long count(String where, Object... params) {
    return jdbc.sql("SELECT count(*) FROM audit_event WHERE " + where).params(params).query(Long.class).single();
  }

  @Test
  void recordOutsideATransactionFailsInsteadOfWritingAnOrphanRow() {
    assertThatThrownBy(() -> audit.record("test.orphan", null, null, Outcome.SUCCESS, Map.of()))
        .isInstanceOf(IllegalTransactionStateException.class);
    assertThat(count("action = 'test.orphan'")).isZero();
  }

  @Test
  void auditRowCommitsAndRollsBackWithTheAction() {
    tx.executeWithoutResult(s -> audit.record("test.commit", "thing", "1", Outcome.SUCCESS, Map.of("k", "v")));
    assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
      audit.record("test.rollback", "thing", "2", Outcome.SUCCESS, Map.of());
      throw new IllegalStateException("the action failed after its audit row was written");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(count("action = 'test.commit' AND object_id = '1' AND detail->>'k' = 'v'")).isEqualTo(1);
    assertThat(count("action = 'test.rollback'")).isZero();
  }

  @Test
  void updateDeleteAndTruncateOfAuditRowsAreRefusedVisibly() throws Exception {
    tx.executeWithoutResult(s -> audit.record("test.tamper", null, null, Outcome.SUCCESS, Map.of()));
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      for (String sql : List.of("UPDATE audit_event SET outcome = 'failure' WHERE action = 'test.tamper'",
          "DELETE FROM audit_event WHERE action = 'test.tamper'", "TRUNCATE audit_event")) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class)
            .hasMessageContaining("audit_event is append-only")
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
      }
      // the privileges of PUBLIC are gone too (the owner still holds its own; the trigger binds it)
      try (var rs = st.executeQuery("SELECT count(*) FROM information_schema.role_table_grants "
          + "WHERE table_name = 'audit_event' AND grantee = 'PUBLIC' AND privilege_type IN ('UPDATE','DELETE','TRUNCATE')")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
    assertThat(count("action = 'test.tamper' AND outcome = 'success'")).isEqualTo(1);
  }

  @Test
  void failedAndSuccessfulLoginsAreAuditedWithSourceIp() throws Exception {
    assertThat(get("/api/me", "victor", "wrong-password").statusCode()).isEqualTo(401);
    assertThat(count("action = 'login' AND outcome = 'failure' AND username = 'victor' "
        + "AND source_ip = '127.0.0.1' AND detail->>'reason' = 'bad_credentials' AND detail->>'method' = 'basic'"))
        .isEqualTo(1);
    assertThat(count("action = 'login' AND outcome = 'failure' AND username = 'nobody-such'")).isZero();
    get("/api/me", "nobody-such", "x");
    assertThat(count("action = 'login' AND outcome = 'failure' AND username = 'nobody-such'")).isEqualTo(1);

    HttpResponse<String> login = formLogin("victor", "viewer-password-1");
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
    assertThat(count("action = 'login' AND outcome = 'success' AND username = 'victor' AND source_ip = '127.0.0.1'"))
        .isEqualTo(1);
  }

  /** Logs in through the form with the CSRF cookie the login page hands out. */
  private HttpResponse<String> formLogin(String user, String password) throws Exception {
    HttpResponse<String> page = get("/login.html", null, null);
    String cookies = String.join("; ", page.headers().allValues("Set-Cookie").stream().map(c -> c.split(";")[0]).toList());
    String xsrf = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("XSRF-TOKEN="))
        .map(c -> c.split(";")[0].substring("XSRF-TOKEN=".length())).findFirst().orElseThrow();
    String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + xsrf;
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void auditorReadsFiltersAndPagesTheTrailAndTheReadIsAudited() throws Exception {
    tx.executeWithoutResult(s -> {
      for (int i = 0; i < 5; i++) {
        audit.recordAs("paging-user", "test.page", "thing", Integer.toString(i), Outcome.SUCCESS, Map.of("i", i));
      }
    });
    HttpResponse<String> r = get("/api/audit?user=paging-user&action=test.page&size=2&page=1", "audrey",
        "auditor-password-1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode page = json.readTree(r.body());
    assertThat(page.path("total").asLong()).isEqualTo(5);
    assertThat(page.path("items")).hasSize(2);
    assertThat(page.path("items").get(0).path("objectId").asText()).isEqualTo("2"); // newest first: 4,3 | 2,1 | 0
    assertThat(page.path("items").get(0).path("at").asText()).endsWith("Z");
    assertThat(count("action = 'audit.read' AND username = 'audrey' AND detail->>'user' = 'paging-user'")).isEqualTo(1);

    assertThat(get("/api/audit?action=test.*", "audrey", "auditor-password-1").body()).contains("test.page");
    assertThat(get("/api/audit", "victor", "viewer-password-1").statusCode()).isEqualTo(403);
    assertThat(get("/api/audit?size=100000", "audrey", "auditor-password-1").statusCode()).isEqualTo(400);
    assertThat(get("/api/audit?from=yesterday", "audrey", "auditor-password-1").statusCode()).isEqualTo(400);
  }

  @Test
  void csvExportQuotesCellsDefusesFormulasAndIsAudited() throws Exception {
    tx.executeWithoutResult(s -> audit.recordAs("csv-user", "test.csv", "thing", "=HYPERLINK(\"x\")",
        Outcome.DENIED, Map.of("note", "a, \"quoted\" value")));
    HttpResponse<String> r = get("/api/audit?format=csv&user=csv-user&from=2000-01-01T00:00:00Z", "audrey",
        "auditor-password-1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
    String[] lines = r.body().split("\r\n");
    assertThat(lines[0]).isEqualTo("id,at,username,source_ip,action,object_type,object_id,outcome,detail");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).contains(",csv-user,", ",test.csv,thing,\"'=HYPERLINK(\"\"x\"\")\",denied,")
        .contains("\"\"note\"\"");
    assertThat(count("action = 'audit.export' AND username = 'audrey' AND detail->>'rows' = '1'")).isEqualTo(1);
    assertThat(get("/api/audit?format=xml", "audrey", "auditor-password-1").statusCode()).isEqualTo(400);
  }
}
