package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Accounts end to end over HTTP on a real PostGIS: lockout (form and Basic), user administration,
 * password change, district scope, revocation of sessions and live streams, TOTP, headers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
    "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.security.admin-password=" + AccountsTest.ADMIN_PW,
        // a backoff long enough to observe on a loaded machine; the address throttle has its own test
        "safegrid.security.login-backoff=20s", "safegrid.security.max-failed-logins-per-address=1000"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsTest {

  static final String ADMIN_PW = "test-admin-pw-123";

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, AccountsTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcClient jdbc;
  @Autowired
  UserAccountService accounts;
  @Autowired
  LiveSessionRegistry liveSessions;
  @Autowired
  UserActivity activity;
  @Autowired
  io.micrometer.core.instrument.MeterRegistry meters;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void users() {
    accounts.createUser("lena", "lena-password-1", List.of(Role.VIEWER));
    accounts.createUser("dora", "dora-password-1", List.of(Role.VIEWER));
    accounts.createUser("paula", "paula-password-1", List.of(Role.PLANNER));
    accounts.createUser("tom", "tom-password-123", List.of(Role.ADMIN));
    accounts.createUser("sid", "sid-password-123", List.of(Role.VIEWER));
  }

  // --- plumbing -------------------------------------------------------------------------------

  private HttpRequest.Builder request(String path, String user, String password) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return b;
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    return http.send(request(path, user, password).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path, String user, String password, String body)
      throws Exception {
    return http.send(request(path, user, password).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> asAdmin(String method, String path, String body) throws Exception {
    return send(method, path, "admin", ADMIN_PW, body);
  }

  /** A browser session: the login page's CSRF cookie, then the form post; returns the session cookie or null. */
  private String formLogin(String user, String password, String totp) throws Exception {
    HttpResponse<String> page = get("/login.html", null, null);
    String xsrf = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("XSRF-TOKEN="))
        .map(c -> c.split(";")[0].substring("XSRF-TOKEN=".length())).findFirst().orElseThrow();
    String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + xsrf + (totp == null ? "" : "&totp=" + totp);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "XSRF-TOKEN=" + xsrf)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    if (r.headers().firstValue("Location").orElse("").contains("error")) {
      return null;
    }
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
        .map(c -> c.split(";")[0]).findFirst().orElseThrow();
  }

  private int getWithSession(String path, String sessionCookie) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Cookie", sessionCookie).header("X-Requested-With", "XMLHttpRequest").build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private long audits(String where, Object... params) {
    return jdbc.sql("SELECT count(*) FROM audit_event WHERE " + where).params(params).query(Long.class).single();
  }

  // --- lockout --------------------------------------------------------------------------------

  @Test
  void fiveFailedLoginsByFormAndBasicStartABackoffThatAnAdminCanLiftAndThatEndsNoSession() throws Exception {
    String open = formLogin("lena", "lena-password-1", null);
    assertThat(formLogin("lena", "wrong-1", null)).isNull();
    assertThat(formLogin("lena", "wrong-2", null)).isNull();
    assertThat(formLogin("lena", "wrong-3", null)).isNull();
    assertThat(get("/api/me", "lena", "wrong-4").statusCode()).isEqualTo(401);
    assertThat(audits("action = 'account.backoff' AND username = 'lena'")).isZero();
    assertThat(get("/api/me", "lena", "wrong-5").statusCode()).isEqualTo(401);

    // the sixth attempt, with the right password, waits for the backoff (20 s here, then 40 s ... up to 1 min)
    assertThat(get("/api/me", "lena", "lena-password-1").statusCode()).isEqualTo(401);
    assertThat(formLogin("lena", "lena-password-1", null)).isNull();
    OffsetDateTime until = jdbc.sql("SELECT login_backoff_until FROM app_user WHERE username = 'lena'")
        .query(OffsetDateTime.class).single();
    assertThat(until.toInstant()).isBetween(Instant.now().plusSeconds(5), Instant.now().plusSeconds(21));
    assertThat(jdbc.sql("SELECT locked_until FROM app_user WHERE username = 'lena'").query(OffsetDateTime.class)
        .optional()).as("no lockout").isEmpty();
    assertThat(getWithSession("/api/me", open)).as("the officer's open session goes on").isEqualTo(200);
    assertThat(audits("action = 'login' AND username = 'lena' AND detail->>'reason' = 'bad_credentials'")).isEqualTo(5);
    assertThat(audits("action = 'account.backoff' AND username = 'lena' AND source_ip = '127.0.0.1'")).isEqualTo(1);
    assertThat(meters.counter("safegrid.security.account.backoffs").count()).isGreaterThanOrEqualTo(1);
    assertThat(audits("action = 'login' AND username = 'lena' AND detail->>'reason' = 'locked'")).isEqualTo(2);
    JsonNode listed = findUser("lena");
    assertThat(listed.path("lockedUntil").isNull()).isFalse();

    HttpResponse<String> unlock = asAdmin("POST", "/api/users/lena/unlock", null);
    assertThat(unlock.statusCode()).as(unlock.body()).isEqualTo(200);
    assertThat(audits("action = 'account.unlock' AND username = 'admin' AND object_id = 'lena'")).isEqualTo(1);
    assertThat(get("/api/me", "lena", "lena-password-1").statusCode()).isEqualTo(200);
  }

  @Test
  void aSuccessfulLoginResetsTheFailureCount() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertThat(get("/api/me", "sid", "wrong").statusCode()).isEqualTo(401);
    }
    assertThat(get("/api/me", "sid", "sid-password-123").statusCode()).isEqualTo(200);
    assertThat(get("/api/me", "sid", "wrong").statusCode()).isEqualTo(401);
    assertThat(get("/api/me", "sid", "sid-password-123").statusCode()).isEqualTo(200);
    assertThat(audits("action = 'account.lock' AND username = 'sid'")).isZero();
  }

  // --- user administration --------------------------------------------------------------------

  private JsonNode findUser(String name) throws Exception {
    HttpResponse<String> r = asAdmin("GET", "/api/users", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("password").doesNotContain("$2a$");
    for (JsonNode u : json.readTree(r.body())) {
      if (u.path("username").asText().equals(name)) {
        return u;
      }
    }
    throw new AssertionError("no user " + name + " in " + r.body());
  }

  @Test
  void adminCreatesUsersChangesRolesAndTheChangesAreAudited() throws Exception {
    HttpResponse<String> weak = asAdmin("POST", "/api/users",
        "{\"username\":\"quinn\",\"password\":\"short\",\"roles\":[\"VIEWER\"]}");
    assertThat(weak.statusCode()).isEqualTo(400);
    assertThat(json.readTree(weak.body()).path("detail").asText()).contains("at least 12 characters");
    HttpResponse<String> created = asAdmin("POST", "/api/users",
        "{\"username\":\"quinn\",\"password\":\"correct-horse-91\",\"roles\":[\"VIEWER\"],\"districtCode\":\"441302\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(asAdmin("POST", "/api/users",
        "{\"username\":\"quinn\",\"password\":\"correct-horse-92\",\"roles\":[\"VIEWER\"]}").statusCode()).isEqualTo(400);
    assertThat(get("/api/audit", "quinn", "correct-horse-91").statusCode()).isEqualTo(403);

    HttpResponse<String> roles = asAdmin("PUT", "/api/users/quinn/roles", "{\"roles\":[\"AUDITOR\",\"VIEWER\"]}");
    assertThat(roles.statusCode()).as(roles.body()).isEqualTo(200);
    assertThat(json.readTree(roles.body()).path("roles").toString()).isEqualTo("[\"VIEWER\",\"AUDITOR\"]");
    assertThat(get("/api/audit", "quinn", "correct-horse-91").statusCode()).isEqualTo(200);
    assertThat(audits("action = 'user.create' AND username = 'admin' AND object_id = 'quinn'")).isEqualTo(1);
    assertThat(audits("action = 'user.roles' AND object_id = 'quinn' AND detail->'before' = '[\"VIEWER\"]'::jsonb "
        + "AND detail->'after' = '[\"VIEWER\", \"AUDITOR\"]'::jsonb")).isEqualTo(1);

    assertThat(asAdmin("PUT", "/api/users/quinn/roles", "{\"roles\":[\"EMPEROR\"]}").statusCode()).isEqualTo(400);
    assertThat(asAdmin("PUT", "/api/users/nobody/roles", "{\"roles\":[\"VIEWER\"]}").statusCode()).isEqualTo(404);
  }

  @Test
  void theLastEnabledAdminCannotBeDisabledOrDemoted() throws Exception {
    // leave tom as the only enabled admin, then try to remove him
    List<String> others = jdbc.sql("SELECT u.username FROM app_user u JOIN app_user_role r USING (username) "
        + "WHERE r.role = 'ADMIN' AND u.enabled AND u.username <> 'tom'").query(String.class).list();
    for (String other : others) {
      assertThat(send("PUT", "/api/users/" + other + "/enabled", "tom", "tom-password-123", "{\"enabled\":false}")
          .statusCode()).isEqualTo(200);
    }
    try {
      assertThat(send("PUT", "/api/users/tom/enabled", "tom", "tom-password-123", "{\"enabled\":false}").statusCode())
          .isEqualTo(400);
      assertThat(send("PUT", "/api/users/tom/roles", "tom", "tom-password-123", "{\"roles\":[\"VIEWER\"]}")
          .statusCode()).isEqualTo(400);
    } finally {
      for (String other : others) {
        assertThat(send("PUT", "/api/users/" + other + "/enabled", "tom", "tom-password-123", "{\"enabled\":true}")
            .statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void errorBodiesCarryNoStackTraces() throws Exception {
    for (HttpResponse<String> r : List.of(asAdmin("POST", "/api/users", "{not json"),
        asAdmin("PUT", "/api/users/x/enabled", "[1,2"), get("/api/grid-sets/abc/cells", "admin", ADMIN_PW),
        asAdmin("POST", "/api/users", "{\"username\":\"Bad Name\",\"password\":\"x\",\"roles\":[]}"))) {
      assertThat(r.statusCode()).isBetween(400, 499);
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("org.springframework")
          .doesNotContain("trace");
    }
  }

  // --- password change ------------------------------------------------------------------------

  @Test
  void usersChangeTheirOwnPasswordUnderThePolicyAndEveryAttemptIsAudited() throws Exception {
    String path = "/api/me/password";
    assertThat(send("POST", path, "paula", "paula-password-1",
        "{\"currentPassword\":\"wrong\",\"newPassword\":\"a-brand-new-secret\"}").statusCode()).isEqualTo(400);
    HttpResponse<String> tooShort = send("POST", path, "paula", "paula-password-1",
        "{\"currentPassword\":\"paula-password-1\",\"newPassword\":\"short-1\"}");
    assertThat(tooShort.statusCode()).isEqualTo(400);
    assertThat(tooShort.body()).contains("at least 12");
    assertThat(send("POST", path, "paula", "paula-password-1",
        "{\"currentPassword\":\"paula-password-1\",\"newPassword\":\"paula-is-my-name\"}").statusCode()).isEqualTo(400);
    assertThat(send("POST", path, "paula", "paula-password-1",
        "{\"currentPassword\":\"paula-password-1\",\"newPassword\":\"a-brand-new-secret\"}").statusCode()).isEqualTo(204);
    assertThat(get("/api/me", "paula", "paula-password-1").statusCode()).isEqualTo(401);
    assertThat(get("/api/me", "paula", "a-brand-new-secret").statusCode()).isEqualTo(200);
    assertThat(audits("action = 'user.password' AND object_id = 'paula' AND outcome = 'failure'")).isEqualTo(3);
    assertThat(audits("action = 'user.password' AND object_id = 'paula' AND outcome = 'success'")).isEqualTo(1);
  }

  // --- district scope -------------------------------------------------------------------------

  @Test
  void aDistrictScopedUserSeesOnlyItsDistrictsCellsAndCampuses() throws Exception {
    long set = jdbc.sql("INSERT INTO grid_set (name, city_code, status, cell_count) VALUES ('scope', '441300', 'draft', 2) "
        + "RETURNING id").query(Long.class).single();
    jdbc.sql("INSERT INTO grid_cell (grid_set_id, cell_id, code, district_code, area_m2, geom) VALUES "
        + "(?, 1, 'A1', '441302', 1, ST_Multi(ST_GeomFromText('POLYGON((114.40 23.10, 114.41 23.10, 114.41 23.11, 114.40 23.11, 114.40 23.10))', 4326))), "
        + "(?, 2, 'B1', '441303', 1, ST_Multi(ST_GeomFromText('POLYGON((114.41 23.10, 114.42 23.10, 114.42 23.11, 114.41 23.11, 114.41 23.10))', 4326)))")
        .params(set, set).update();
    jdbc.sql("INSERT INTO overlay_layer (layer, version, source, licence) VALUES ('campuses', 1, 'test', 'test') "
        + "ON CONFLICT DO NOTHING").update();
    jdbc.sql("INSERT INTO overlay_feature (layer, version, code, name, district_code, geom) VALUES "
        + "('campuses', 1, 'sa', 'school in A', '441302', ST_GeomFromText('POINT(114.405 23.105)', 4326)), "
        + "('campuses', 1, 'sb', 'school in B', '441303', ST_GeomFromText('POINT(114.415 23.105)', 4326))").update();
    accounts.createUser("ana", "ana-password-12", List.of(Role.PLANNER));
    assertThat(asAdmin("PUT", "/api/users/ana/district", "{\"districtCode\":\"441302\"}").statusCode()).isEqualTo(200);
    assertThat(asAdmin("PUT", "/api/users/ana/district", "{\"districtCode\":\"A\"}").statusCode()).isEqualTo(400);

    // a bbox covering both districts still returns only A's rows
    JsonNode cells = json.readTree(get("/api/grid-sets/" + set + "/cells?bbox=114.3,23.0,114.5,23.2", "ana",
        "ana-password-12").body());
    assertThat(cells.findValuesAsText("districtCode")).containsExactly("441302");
    JsonNode campuses = json.readTree(get("/api/overlays/campuses", "ana", "ana-password-12").body());
    assertThat(campuses.findValuesAsText("name")).containsExactly("school in A");
    assertThat(json.readTree(get("/api/me", "ana", "ana-password-12").body()).path("districtCode").asText())
        .isEqualTo("441302");
    // an unscoped user sees both
    assertThat(json.readTree(get("/api/grid-sets/" + set + "/cells", "admin", ADMIN_PW).body())
        .findValuesAsText("districtCode")).containsExactlyInAnyOrder("441302", "441303");
    assertThat(audits("action = 'user.district' AND object_id = 'ana' AND detail->>'after' = '441302'")).isEqualTo(1);
  }

  // --- revocation -----------------------------------------------------------------------------

  @Test
  void disablingAUserEndsItsSessionsAndClosesItsLiveStreams() throws Exception {
    String session = formLogin("dora", "dora-password-1", null);
    assertThat(session).isNotNull();
    assertThat(getWithSession("/api/me", session)).isEqualTo(200);
    AtomicInteger closedBasic = new AtomicInteger();
    AtomicInteger closedSession = new AtomicInteger();
    AtomicInteger otherUser = new AtomicInteger();
    liveSessions.register("dora", null, closedBasic::incrementAndGet);
    liveSessions.register("dora", session.substring("JSESSIONID=".length()), closedSession::incrementAndGet);
    var kept = liveSessions.register("sid", null, otherUser::incrementAndGet);

    HttpResponse<String> r = asAdmin("PUT", "/api/users/dora/enabled", "{\"enabled\":false}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(closedBasic.get()).isEqualTo(1);
    assertThat(closedSession.get()).isEqualTo(1);
    assertThat(otherUser.get()).isZero();
    assertThat(getWithSession("/api/me", session)).isEqualTo(401);
    assertThat(get("/api/me", "dora", "dora-password-1").statusCode()).isEqualTo(401);
    assertThat(audits("action = 'user.disable' AND object_id = 'dora'")).isEqualTo(1);
    assertThat(audits("action = 'login' AND username = 'dora' AND detail->>'reason' = 'disabled'")).isEqualTo(1);
    kept.close();
  }

  /** Opens the live stream with a session cookie; the answer's body is the open stream. */
  private HttpResponse<InputStream> openLive(String sessionCookie) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live"))
        .header("Cookie", sessionCookie).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * Reads a stream to its end on another thread; completes with the text read when the server closes
   * it (what the stream carried shows in a failure message), ending in "[reset]" when the server reset it.
   */
  private static CompletableFuture<String> readToEnd(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
      try (in) {
        in.transferTo(read);
        return read.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        return read.toString(StandardCharsets.UTF_8) + "[reset]";  // reset by the server: closed as well
      }
    });
  }

  /**
   * Check 34 on real streams: the server closes a user's open live stream when the user is disabled
   * and when its session has been idle past the limit, leaves others' streams open, and the old
   * session cannot open a new one.
   */
  @Test
  void realLiveStreamsAreClosedOnDisableAndOnIdleAndCannotReconnect() throws Exception {
    accounts.createUser("stella", "stella-password-1", List.of(Role.VIEWER));
    accounts.createUser("sam", "sam-password-1234", List.of(Role.VIEWER));
    String stella = formLogin("stella", "stella-password-1", null);
    String sam = formLogin("sam", "sam-password-1234", null);
    HttpResponse<InputStream> a = openLive(stella);
    HttpResponse<InputStream> b = openLive(sam);
    assertThat(a.statusCode()).isEqualTo(200);
    assertThat(b.statusCode()).isEqualTo(200);
    var stellaEnds = readToEnd(a.body());
    var samEnds = readToEnd(b.body());
    Thread.sleep(300);
    assertThat(stellaEnds).isNotDone();

    long t0 = System.nanoTime();
    assertThat(asAdmin("PUT", "/api/users/stella/enabled", "{\"enabled\":false}").statusCode()).isEqualTo(200);
    stellaEnds.get(60, TimeUnit.SECONDS);
    System.out.printf("live stream closed %d ms after the user was disabled%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(samEnds).as("another user's stream stays open").isNotDone();
    assertThat(openLive(stella).statusCode()).as("the disabled user's session cannot reopen it").isEqualTo(401);

    // idle past the limit (30 min): the scheduled sweep, run here with the clock moved on
    liveSessions.closeExpired(Instant.now().plusSeconds(31 * 60));
    samEnds.get(10, TimeUnit.SECONDS);
    assertThat(openLive(sam).statusCode()).as("the idle session is gone; reconnecting needs a new login").isEqualTo(401);
    String again = formLogin("sam", "sam-password-1234", null);
    HttpResponse<InputStream> c = openLive(again);
    assertThat(c.statusCode()).isEqualTo(200);
    var cEnds = readToEnd(c.body());
    // leave no registered stream behind for the other tests' idle sweeps
    assertThat(asAdmin("PUT", "/api/users/sam/enabled", "{\"enabled\":false}").statusCode()).isEqualTo(200);
    cEnds.get(60, TimeUnit.SECONDS);
  }

  @Test
  void aStreamIsClosedWhenItsSessionHasBeenIdleLongerThanTheTimeout() throws Exception {
    accounts.createUser("ivy", "ivy-password-123", List.of(Role.VIEWER));
    String session = formLogin("ivy", "ivy-password-123", null);
    AtomicInteger closed = new AtomicInteger();
    liveSessions.register("ivy", session.substring("JSESSIONID=".length()), closed::incrementAndGet);
    assertThat(liveSessions.closeExpired(Instant.now().plusSeconds(60))).isZero();
    assertThat(closed.get()).isZero();
    assertThat(liveSessions.closeExpired(Instant.now().plusSeconds(31 * 60))).isEqualTo(1);
    assertThat(closed.get()).isEqualTo(1);
    assertThat(getWithSession("/api/me", session)).as("the idle session is ended, not just the stream").isEqualTo(401);
  }

  @Test
  void aStoredSessionHasOnlyTheRightsTheAccountHasNowAfterAChangeMadeStraightInTheDatabase() throws Exception {
    accounts.createUser("rita", "rita-password-123", List.of(Role.VIEWER, Role.PLANNER));
    accounts.createUser("rex", "rex-password-1234", List.of(Role.VIEWER));
    accounts.createUser("uma", "uma-password-1234", List.of(Role.VIEWER));
    String rita = formLogin("rita", "rita-password-123", null);
    String rex = formLogin("rex", "rex-password-1234", null);
    String uma = formLogin("uma", "uma-password-1234", null);
    long before = jdbc.sql("SELECT auth_version FROM app_user WHERE username = 'rita'").query(Long.class).single();
    // changed behind the server's back (at the SQL prompt, or while it was down): the triggers bump the version
    jdbc.sql("DELETE FROM app_user_role WHERE username = 'rita' AND role = 'PLANNER'").update();
    jdbc.sql("UPDATE app_user SET enabled = false WHERE username = 'rex'").update();
    assertThat(jdbc.sql("SELECT auth_version FROM app_user WHERE username = 'rita'").query(Long.class).single())
        .isGreaterThan(before);
    Thread.sleep(AuthorizationVersions.MAX_AGE.toMillis() + 100);

    assertThat(getWithSession("/api/me", uma)).as("an unchanged account's session").isEqualTo(200);
    assertThat(getWithSession("/api/me", rita)).as("the demoted user's old session").isEqualTo(401);
    assertThat(getWithSession("/api/me", rita)).isEqualTo(401);
    assertThat(getWithSession("/api/me", rex)).isEqualTo(401);
    String again = formLogin("rita", "rita-password-123", null);
    HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/me"))
        .header("Cookie", again).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(json.readTree(me.body()).path("roles").toString()).isEqualTo("[\"VIEWER\"]");
  }

  /** The XSRF token a signed-in browser page holds (the cookie the server sets on its answers). */
  private String xsrf(String sessionCookie) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
        .header("Cookie", sessionCookie).build(), HttpResponse.BodyHandlers.ofString());
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("XSRF-TOKEN="))
        .map(c -> c.split(";")[0].substring("XSRF-TOKEN=".length())).findFirst().orElseThrow();
  }

  private int postWithSession(String path, String sessionCookie, String body) throws Exception {
    String token = xsrf(sessionCookie);
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Cookie", sessionCookie + "; XSRF-TOKEN=" + token).header("X-XSRF-TOKEN", token)
        .header("Content-Type", "application/json").header("X-Requested-With", "XMLHttpRequest")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void aPasswordChangeEndsTheAccountsOtherSessionsAndStreamsButNotTheOneThatChangedIt() throws Exception {
    accounts.createUser("pia", "Secret-horse-1234", List.of(Role.VIEWER));
    String here = formLogin("pia", "Secret-horse-1234", null);
    String elsewhere = formLogin("pia", "Secret-horse-1234", null);
    HttpResponse<InputStream> stream = openLive(elsewhere);
    assertThat(stream.statusCode()).isEqualTo(200);
    var streamEnds = readToEnd(stream.body());

    assertThat(postWithSession("/api/me/password", here,
        "{\"currentPassword\":\"Secret-horse-1234\",\"newPassword\":\"Battery-staple-5678\"}")).isEqualTo(204);
    streamEnds.get(30, TimeUnit.SECONDS);
    assertThat(getWithSession("/api/me", elsewhere)).as("the other session").isEqualTo(401);
    assertThat(getWithSession("/api/me", here)).as("the session that changed it").isEqualTo(200);
    assertThat(get("/api/me", "pia", "Secret-horse-1234").statusCode()).isEqualTo(401);
    assertThat(get("/api/me", "pia", "Battery-staple-5678").statusCode()).isEqualTo(200);
  }

  @Test
  void backgroundReadsDoNotKeepASessionFromTheIdleLockButWhatAPersonDoesDoes() throws Exception {
    accounts.createUser("ida", "ida-password-1234", List.of(Role.VIEWER));
    accounts.createUser("ivo", "ivo-password-1234", List.of(Role.VIEWER));
    accounts.createUser("wally", "wally-password-12", List.of(Role.VIEWER));
    assertThat(asAdmin("PUT", "/api/users/wally/idle-lock", "{\"enabled\":false}").statusCode()).isEqualTo(200);
    assertThat(audits("action = 'user.idle_lock' AND object_id = 'wally'")).isEqualTo(1);
    Thread.sleep(AuthorizationVersions.MAX_AGE.toMillis() + 100);
    String ida = formLogin("ida", "ida-password-1234", null);
    String ivo = formLogin("ivo", "ivo-password-1234", null);
    String wall = formLogin("wally", "wally-password-12", null);
    for (String s : List.of(ida, ivo, wall)) {
      assertThat(getWithSession("/index.html", s)).isEqualTo(200);
    }
    try {
      moveClock(Duration.ofMinutes(20));
      assertThat(getWithSession("/api/me", ida)).as("a background read after 20 min").isEqualTo(200);
      assertThat(postWithSession("/api/activity", ivo, "")).as("someone moves the mouse").isEqualTo(204);
      // what the map does on its own: its live stream and its polls of the map's data
      HttpResponse<InputStream> idaStream = openLive(ida);
      assertThat(idaStream.statusCode()).isEqualTo(200);
      var idaStreamEnds = readToEnd(idaStream.body());
      for (int minute : new int[] {21, 24, 27, 29}) {
        moveClock(Duration.ofMinutes(minute));
        for (String poll : List.of("/api/map-config", "/api/feed-health", "/api/live/counts", "/api/live/events",
            "/api/patrol/positions", "/api/alerts", "/api/hotspots?window=24h", "/api/risk?window=24h")) {
          assertThat(getWithSession(poll, ida)).as("a poll of %s at minute %d", poll, minute).isNotEqualTo(401);
        }
      }
      moveClock(Duration.ofMinutes(31));
      assertThat(getWithSession("/api/me", ida)).as("31 min of polling and an open stream only: locked").isEqualTo(401);
      assertThat(idaStreamEnds.get(30, TimeUnit.SECONDS)).as("the locked session's stream is closed").isNotNull();
      moveClock(Duration.ofMinutes(40));
      assertThat(getWithSession("/api/me", ivo)).as("20 min after the last activity").isEqualTo(200);
      moveClock(Duration.ofMinutes(55));
      assertThat(getWithSession("/api/me", ivo)).as("35 min after the last activity").isEqualTo(401);
      moveClock(Duration.ofMinutes(300));
      assertThat(getWithSession("/api/me", wall)).as("an account exempted from the idle lock").isEqualTo(200);
    } finally {
      activity.useClock(java.time.Clock.systemUTC());
    }
  }

  private void moveClock(Duration ahead) {
    activity.useClock(java.time.Clock.offset(java.time.Clock.systemUTC(), ahead));
  }

  // --- TOTP -----------------------------------------------------------------------------------

  @Autowired
  TotpService totpService;

  /** A secret stored in clear by an older release is encrypted at start-up and goes on working. */
  @Test
  void clearTotpSecretsOfAnOlderReleaseAreEncryptedAndStillWork() throws Exception {
    accounts.createUser("cleo", "cleo-password-12", List.of(Role.VIEWER));
    byte[] secret = new byte[20];
    new java.util.Random(3).nextBytes(secret);
    String base32 = Totp.base32(secret);
    jdbc.sql("UPDATE app_user SET totp_secret = ?, totp_enabled = true WHERE username = 'cleo'").param(base32).update();
    assertThat(totpService.encryptClearSecrets()).isGreaterThanOrEqualTo(1);
    String stored = jdbc.sql("SELECT totp_secret FROM app_user WHERE username = 'cleo'").query(String.class).single();
    assertThat(stored).startsWith("v1:").doesNotContain(base32);
    assertThat(totpService.encryptClearSecrets()).as("nothing left in clear").isZero();
    assertThat(jdbc.sql("SELECT count(*) FROM app_user WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1:%'")
        .query(Long.class).single()).isZero();
    String code = Totp.code(secret, Totp.step(Instant.now()), 6);
    assertThat(formLogin("cleo", "cleo-password-12", code)).as("the migrated secret still signs in").isNotNull();
  }

  @Test
  void anEnrolledSecondFactorIsRequiredAtLoginAndCodesCannotBeReplayed() throws Exception {
    accounts.createUser("otto", "otto-password-12", List.of(Role.ADMIN));
    HttpResponse<String> begin = send("POST", "/api/me/totp", "otto", "otto-password-12", null);
    assertThat(begin.statusCode()).as(begin.body()).isEqualTo(200);
    JsonNode enrolment = json.readTree(begin.body());
    byte[] secret = Totp.fromBase32(enrolment.path("secret").asText());
    String stored = jdbc.sql("SELECT totp_secret FROM app_user WHERE username = 'otto'").query(String.class).single();
    assertThat(stored).as("encrypted at rest").startsWith("v1:").doesNotContain(enrolment.path("secret").asText());
    assertThat(enrolment.path("otpauthUri").asText()).startsWith("otpauth://totp/SafeGrid:otto?secret=");
    assertThat(send("POST", "/api/me/totp/confirm", "otto", "otto-password-12", "{\"code\":\"000000\"}").statusCode())
        .isIn(400, 204); // 1 in a million: the wrong code could be right; checked below with the real one
    long step = Totp.step(Instant.now());
    String now = Totp.code(secret, step, 6);
    assertThat(send("POST", "/api/me/totp/confirm", "otto", "otto-password-12", "{\"code\":\"" + now + "\"}")
        .statusCode()).isEqualTo(204);

    // Basic no longer works for this account; the form needs a fresh code
    assertThat(get("/api/me", "otto", "otto-password-12").statusCode()).isEqualTo(401);
    assertThat(formLogin("otto", "otto-password-12", null)).isNull();
    assertThat(formLogin("otto", "otto-password-12", now)).as("replayed code").isNull();
    String next = Totp.code(secret, step + 1, 6);
    assertThat(formLogin("otto", "otto-password-12", next)).isNotNull();
    assertThat(audits("action = 'user.totp.enable' AND object_id = 'otto' AND outcome = 'success'")).isEqualTo(1);
    assertThat(audits("action = 'login' AND username = 'otto' AND detail->>'reason' = 'totp'")).isEqualTo(3);

    assertThat(asAdmin("POST", "/api/users/otto/totp/reset", null).statusCode()).isEqualTo(200);
    assertThat(get("/api/me", "otto", "otto-password-12").statusCode()).isEqualTo(200);
    assertThat(audits("action = 'user.totp.reset' AND object_id = 'otto'")).isEqualTo(1);
  }

  // --- device registry (Kafka integrators' source bindings) -------------------------------------

  @Test
  void sourceBindingsAreForAdminsOnlyValidatedAndAudited() throws Exception {
    String body = "{\"principal\":\"acme-cams\",\"source\":\"camera\",\"kind\":\"source_id_prefix\","
        + "\"value\":\"CAM-441302-\",\"note\":\"campus cameras\"}";
    assertThat(get("/api/source-bindings", "lena", "lena-password-1").statusCode()).isEqualTo(403);
    assertThat(send("POST", "/api/source-bindings", "lena", "lena-password-1", body).statusCode()).isEqualTo(403);
    long before = jdbc.sql("SELECT count(*) FROM source_binding").query(Long.class).single();
    // bad input: 400 naming the field, nothing written
    Map<String, String> bad = Map.of(
        body.replace("camera", "radio"), "source",
        body.replace("source_id_prefix", "unit_id"), "unit_id",
        body.replace("acme-cams", "safegrid-admin"), "own principals",
        body.replace("acme-cams", "acme.cams"), "principal",
        body.replace("CAM-441302-", ""), "value");
    for (Map.Entry<String, String> b : bad.entrySet()) {
      HttpResponse<String> r = asAdmin("POST", "/api/source-bindings", b.getKey());
      assertThat(r.statusCode()).as(b.getKey()).isEqualTo(400);
      assertThat(r.body()).as(b.getKey()).contains(b.getValue());
    }
    assertThat(jdbc.sql("SELECT count(*) FROM source_binding").query(Long.class).single()).isEqualTo(before);
    HttpResponse<String> created = asAdmin("POST", "/api/source-bindings", body);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode row = json.readTree(created.body());
    long id = row.path("id").asLong();
    assertThat(row.path("principal").asText()).isEqualTo("acme-cams");
    assertThat(row.path("createdBy").asText()).isEqualTo("admin");
    assertThat(asAdmin("POST", "/api/source-bindings", body).statusCode()).as("duplicate").isEqualTo(409);
    assertThat(json.readTree(get("/api/source-bindings", "admin", ADMIN_PW).body()).findValuesAsText("value"))
        .contains("CAM-441302-");
    assertThat(audits("action = 'source_binding.add' AND object_id = ? AND detail->>'principal' = 'acme-cams'",
        Long.toString(id))).isEqualTo(1);
    assertThat(asAdmin("DELETE", "/api/source-bindings/" + id, null).statusCode()).isEqualTo(204);
    assertThat(asAdmin("DELETE", "/api/source-bindings/" + id, null).statusCode()).isEqualTo(404);
    assertThat(audits("action = 'source_binding.remove' AND object_id = ?", Long.toString(id))).isEqualTo(1);
    assertThat(jdbc.sql("SELECT count(*) FROM source_binding").query(Long.class).single()).isEqualTo(before);
  }

  // --- headers and actuator -------------------------------------------------------------------

  @Test
  void apiResponsesCarryProtectiveHeaders() throws Exception {
    HttpResponse<String> r = get("/api/me", "admin", ADMIN_PW);
    assertThat(r.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(r.headers().firstValue("Strict-Transport-Security")).as("only over TLS").isEmpty();
  }

  @Test
  void healthIsOpenWithoutDetailsAndMetricsAreForAdminsOnly() throws Exception {
    org.safegrid.server.HealthProbe.awaitUp(port, "admin", ADMIN_PW, java.time.Duration.ofSeconds(120));
    JsonNode anonymous = json.readTree(get("/actuator/health", null, null).body());
    assertThat(anonymous.path("status").asText()).isEqualTo("UP");
    assertThat(anonymous.has("components")).isFalse();
    JsonNode admin = json.readTree(get("/actuator/health", "admin", ADMIN_PW).body());
    assertThat(admin.path("components").path("databaseDurability").path("status").asText()).isEqualTo("UP");
    assertThat(admin.path("components").path("databaseDurability").path("details").path("settings")
        .path("fsync").asText()).isEqualTo("on");
    assertThat(json.readTree(get("/actuator/health", "sid", "sid-password-123").body()).has("components")).isFalse();
    assertThat(get("/actuator/metrics", "sid", "sid-password-123").statusCode()).isEqualTo(403);
    assertThat(get("/actuator/metrics", "admin", ADMIN_PW).statusCode()).isEqualTo(200);
    assertThat(get("/actuator/env", "admin", ADMIN_PW).statusCode()).isEqualTo(403);
    assertThat(get("/actuator/heapdump", "admin", ADMIN_PW).statusCode()).isEqualTo(403);
  }
}
