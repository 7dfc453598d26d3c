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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.safegrid.server.risk.LiveRiskService;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit trail on a real PostGIS: same-transaction writes, tamper refusal and its record, retention,
 * the auditor's API and CSV export, and the scripted scenario of reliability check 36.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
    "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.security.admin-password=test-admin-pw-123", "safegrid.audit.tamper-check-interval=1h"})
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
  @Autowired
  AuditTamperWatch tamperWatch;
  @Autowired
  AuditRetention retention;
  @Autowired
  LiveRiskService liveRisk;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void users() {
    users.createUser("audrey", "auditor-password-1", List.of(Role.AUDITOR));
    users.createUser("victor", "viewer-password-1", List.of(Role.VIEWER));
    users.createUser("gina", "gis-admin-password-1", List.of(Role.GIS_ADMIN));
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

  @Test
  void auditorVerifiesTheHashChainAndATamperedRowIsNamed() throws Exception {
    tx.executeWithoutResult(s -> audit.record("test.chain", "thing", "7", Outcome.SUCCESS, Map.of("k", "v")));
    HttpResponse<String> r = get("/api/audit/verify", "audrey", "auditor-password-1");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode report = new ObjectMapper().readTree(r.body());
    assertThat(report.path("intact").asBoolean()).as(r.body()).isTrue();
    assertThat(report.path("rows").asLong()).isPositive();
    assertThat(count("action = 'audit.verify' AND username = 'audrey' AND outcome = 'success'")).isEqualTo(1);

    long tampered = jdbc.sql("SELECT id FROM audit_event WHERE action = 'test.chain'").query(Long.class).single();
    // as the cluster's superuser, with the append-only trigger switched off: what the chain is there to catch
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update");
      st.execute("UPDATE audit_event SET detail = '{\"k\": \"forged\"}' WHERE id = " + tampered);
      st.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update");
    }
    r = get("/api/audit/verify", "audrey", "auditor-password-1");
    report = new ObjectMapper().readTree(r.body());
    assertThat(report.path("intact").asBoolean()).as(r.body()).isFalse();
    assertThat(report.path("firstBroken").path("id").asLong()).as(r.body()).isEqualTo(tampered);
    assertThat(report.path("firstBroken").path("reason").asText()).contains("content does not match");
    assertThat(count("action = 'audit.verify' AND outcome = 'failure' AND detail->>'brokenId' = ?",
        Long.toString(tampered))).isEqualTo(1);
  }

  private long[] refusalTotals() {
    return jdbc.sql("SELECT updates, deletes, truncates FROM safegrid_audit_refusals()")
        .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
  }

  private long recordedRefusals(String kind) {
    return jdbc.sql("SELECT coalesce(sum((detail->>'" + kind + "')::bigint), 0) FROM audit_event "
        + "WHERE action = 'audit.tamper' AND outcome = 'denied'").query(Long.class).single();
  }

  @Test
  void tamperAttemptsByTheOwnerRoleAreRefusedAndTheRefusalIsRecorded() throws Exception {
    tx.executeWithoutResult(s -> audit.record("test.tamper2", null, null, Outcome.SUCCESS, Map.of()));
    long[] before = refusalTotals();
    List<String> tampering = List.of("UPDATE audit_event SET outcome = 'failure' WHERE action = 'test.tamper2'",
        "DELETE FROM audit_event WHERE action = 'test.tamper2'", "TRUNCATE audit_event");
    // the application's own pool, hence its database role: it holds no such privilege at all
    for (String sql : tampering) {
      assertThatThrownBy(() -> jdbc.sql(sql).update()).as(sql).isInstanceOf(DataAccessException.class)
          .rootCause().hasMessageContaining("permission denied for table audit_event");
    }
    assertThat(refusalTotals()).containsExactly(before);
    // the owner holds the privileges; the append-only trigger refuses it and counts each refusal
    try (Connection c = db.connect(DbRole.OWNER); Statement st = c.createStatement()) {
      for (String sql : tampering) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class)
            .hasMessageContaining("audit_event is append-only");
      }
    }
    long[] after = refusalTotals();
    assertThat(after).containsExactly(before[0] + 1, before[1] + 1, before[2] + 1);

    assertThat(tamperWatch.recordNewRefusals()).isPositive();
    // every refusal the database counted is in the trail, once; a second look finds nothing new
    assertThat(recordedRefusals("updates")).isEqualTo(after[0]);
    assertThat(recordedRefusals("deletes")).isEqualTo(after[1]);
    assertThat(recordedRefusals("truncates")).isEqualTo(after[2]);
    assertThat(tamperWatch.recordNewRefusals()).isZero();
    assertThat(count("action = 'audit.tamper' AND outcome = 'denied' AND object_type = 'audit_event' "
        + "AND (detail->'totals'->>'truncates')::bigint = ?", after[2])).isEqualTo(1);
    assertThat(count("action = 'test.tamper2' AND outcome = 'success'")).isEqualTo(1);
  }

  @Test
  void retentionPurgeNeverDeletesRowsYoungerThan365Days() throws Exception {
    tx.executeWithoutResult(s -> {
      for (int days : new int[] {364, 366, 401}) {
        jdbc.sql("INSERT INTO audit_event (at, username, action, outcome) "
                + "VALUES (now() - make_interval(days => ?), 'old-user', ?, 'success')")
            .params(days, "test.age." + days).update();
      }
    });
    retention.purgeOlderThan(Duration.ofDays(400));
    assertThat(count("action = 'test.age.401'")).isZero();
    assertThat(count("action IN ('test.age.364', 'test.age.366')")).isEqualTo(2);

    retention.purgeOlderThan(Duration.ofDays(365));
    assertThat(count("action = 'test.age.366'")).isZero();
    assertThat(count("action = 'test.age.364'")).isEqualTo(1);

    // asking for less than a year changes nothing, in the application or in the database
    retention.purgeOlderThan(Duration.ofDays(1));
    jdbc.sql("SELECT safegrid_audit_purge(interval '1 day')").query().singleRow();
    assertThat(count("action = 'test.age.364'")).isEqualTo(1);
    // nor does setting the purge's flag by hand, even as the owner: the 365-day floor is in the trigger
    try (Connection c = db.connect(DbRole.OWNER); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('safegrid.audit_purge', 'on', true)");
      assertThatThrownBy(() -> st.execute("DELETE FROM audit_event WHERE action = 'test.age.364'"))
          .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
      c.rollback();
    }
    assertThat(count("action = 'test.age.364'")).isEqualTo(1);

    // each purge is itself on the trail
    assertThat(count("action = 'audit.purge' AND outcome = 'success' AND detail->>'deleted' = '1'")).isEqualTo(2);
    assertThat(count("action = 'audit.purge' AND detail->>'deleted' = '0'")).isGreaterThanOrEqualTo(2);
  }

  /** One row of the scripted scenario: what the trail must hold for one action. */
  private record Expected(String action, String outcome, String username, String objectType, String objectId) {}

  /**
   * Check 36's script: login failed and ok, password change, upload, activation, upload and discard (delete
   * boundary), hotspot query (polled: one row per question, not per poll), role change, audit-log read.
   * Each leaves exactly one row, in order, with UTC
   * time, user, outcome, source IP and object id.
   */
  @Test
  void scriptedScenarioLeavesExactlyOneRecordPerAction() throws Exception {
    long start = jdbc.sql("SELECT coalesce(max(id), 0) FROM audit_event").query(Long.class).single();
    Instant t0 = Instant.now().minusSeconds(1);
    List<Expected> expected = new ArrayList<>();

    assertThat(get("/api/me", "gina", "not-her-password").statusCode()).isEqualTo(401);
    expected.add(new Expected("login", "failure", "gina", "app_user", "gina"));
    assertThat(formLogin("gina", "gis-admin-password-1").headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
    expected.add(new Expected("login", "success", "gina", "app_user", "gina"));

    HttpResponse<String> pw = send("POST", "/api/me/password", "gina", "gis-admin-password-1",
        "application/json", "{\"currentPassword\":\"gis-admin-password-1\",\"newPassword\":\"gis-admin-password-2\"}");
    assertThat(pw.statusCode()).as(pw.body()).isBetween(200, 204);
    expected.add(new Expected("user.password", "success", "gina", "app_user", "gina"));
    String ginaPw = "gis-admin-password-2";

    long kept = uploadGrid("gina", ginaPw, "kept", 114.40);
    expected.add(new Expected("upload", "success", "gina", "grid_set", Long.toString(kept)));
    HttpResponse<String> act = send("POST", "/api/grid-sets/" + kept + "/activate", "gina", ginaPw, "application/json", "");
    assertThat(act.statusCode()).as(act.body()).isEqualTo(200);
    expected.add(new Expected("activate", "success", "gina", "grid_set", Long.toString(kept)));

    long discarded = uploadGrid("gina", ginaPw, "discarded", 114.50);
    expected.add(new Expected("upload", "success", "gina", "grid_set", Long.toString(discarded)));
    HttpResponse<String> del = send("DELETE", "/api/grid-sets/" + discarded, "gina", ginaPw, "application/json", null);
    assertThat(del.statusCode()).as(del.body()).isEqualTo(204);
    expected.add(new Expected("discard", "success", "gina", "grid_set", Long.toString(discarded)));
    assertThat(jdbc.sql("SELECT count(*) FROM grid_cell WHERE grid_set_id = ?").param(discarded).query(Long.class)
        .single()).isZero();
    // the active set cannot be discarded; the refusal changes nothing and writes nothing
    assertThat(send("DELETE", "/api/grid-sets/" + kept, "gina", ginaPw, "application/json", null).statusCode())
        .isEqualTo(409);

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (liveRisk.current().map(r -> r.grid().gridSetId() != kept).orElse(true)) {
      assertThat(System.nanoTime()).as("risk engine follows the activated grid set").isLessThan(deadline);
      Thread.sleep(100);
    }
    HttpResponse<String> hs = get("/api/hotspots?window=24h", "gina", ginaPw);
    assertThat(hs.statusCode()).as(hs.body()).isEqualTo(200);
    expected.add(new Expected("hotspot.query", "success", "gina", "hotspots", null));
    // the map polls the same question: audited once, not on every poll; a new question is audited again
    for (int i = 0; i < 3; i++) {
      assertThat(get("/api/hotspots?window=24h", "gina", ginaPw).statusCode()).isEqualTo(200);
    }
    assertThat(get("/api/hotspots?window=24h&format=csv", "gina", ginaPw).statusCode()).isEqualTo(200);
    expected.add(new Expected("hotspot.query", "success", "gina", "hotspots", null));
    assertThat(get("/api/hotspots?window=24h&format=csv", "gina", ginaPw).statusCode()).isEqualTo(200);

    HttpResponse<String> roles = send("PUT", "/api/users/victor/roles", "admin", "test-admin-pw-123",
        "application/json", "{\"roles\":[\"VIEWER\",\"PLANNER\"]}");
    assertThat(roles.statusCode()).as(roles.body()).isEqualTo(200);
    expected.add(new Expected("user.roles", "success", "admin", "app_user", "victor"));

    assertThat(get("/api/audit?user=gina", "audrey", "auditor-password-1").statusCode()).isEqualTo(200);
    expected.add(new Expected("audit.read", "success", "audrey", "audit_event", null));

    Instant t1 = Instant.now().plusSeconds(1);
    List<Map<String, Object>> rows = jdbc.sql("SELECT action, outcome, username, object_type, object_id, source_ip, "
            + "at FROM audit_event WHERE id > ? AND action NOT IN ('audit.tamper', 'audit.purge') ORDER BY id")
        .param(start).query().listOfRows();
    List<Expected> actual = rows.stream().map(r -> new Expected((String) r.get("action"), (String) r.get("outcome"),
        (String) r.get("username"), (String) r.get("object_type"), (String) r.get("object_id"))).toList();
    assertThat(actual).containsExactlyElementsOf(expected);
    for (Map<String, Object> r : rows) {
      assertThat(r.get("source_ip")).as("source IP of %s", r.get("action")).isEqualTo("127.0.0.1");
      Instant at = ((java.sql.Timestamp) r.get("at")).toInstant();
      assertThat(at).as("time of %s", r.get("action")).isBetween(t0, t1);
    }
    // the auditor's view gives the time in UTC
    JsonNode page = json.readTree(get("/api/audit?action=discard", "audrey", "auditor-password-1").body());
    assertThat(page.path("items").get(0).path("at").asText()).endsWith("Z");
    assertThat(page.path("items").get(0).path("objectId").asText()).isEqualTo(Long.toString(discarded));
  }

  private HttpResponse<String> send(String method, String path, String user, String password, String contentType,
      String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", contentType)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Uploads a 4 × 4 grid of 0.01° cells whose south-west corner is at (lon, 22.75); returns the draft's id. */
  private long uploadGrid(String user, String password, String prefix, double lon) throws Exception {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      double x = lon + (i % 4) * 0.01;
      double y = 22.75 + (i / 4) * 0.01;
      cells.add(String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"%s%02d\"},"
          + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],"
          + "[%.4f,%.4f]]]}}", prefix, i, x, y, x + 0.01, y, x + 0.01, y + 0.01, x, y + 0.01, x, y));
    }
    String file = "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", cells) + "]}";
    String boundary = "----audit" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\ngrid\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"datum\"\r\n\r\nwgs84\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + prefix
        + ".geojson\"\r\nContent-Type: application/geo+json\r\n\r\n" + file + "\r\n--" + boundary + "--\r\n";
    HttpResponse<String> r = send("POST", "/api/uploads", user, password, "multipart/form-data; boundary=" + boundary,
        body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json.readTree(r.body()).path("draftId").asLong();
  }
}
