package org.safegrid.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.SafeGridApplication;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two server replicas on one real PostGIS, as behind the balancer: a browser session signed in on one
 * is served by the other (sessions are in PostgreSQL), and what ends a session on one replica ends it
 * on both — a demotion, a password change (all but the session that made it, whose new rights both
 * replicas see), signing out — with the live streams of the ended sessions closed on the other replica.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoReplicasTest {

  private static final String ADMIN_PW = "two-replicas-admin-pw";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
  private TestDatabase db;
  private int a;
  private int b;

  @BeforeAll
  void startTwoReplicas() {
    db = PostgisExtension.createDatabase("TwoReplicasTest");
    replicas.add(start(db));
    replicas.add(start(db));
    a = port(replicas.get(0));
    b = port(replicas.get(1));
    UserAccountService accounts = replicas.get(0).getBean(UserAccountService.class);
    accounts.createUser("rita", "rita-password-123", List.of(Role.VIEWER, Role.PLANNER));
    accounts.createUser("pia", "Secret-horse-1234", List.of(Role.VIEWER));
    accounts.createUser("olga", "olga-password-123", List.of(Role.VIEWER));
    accounts.createUser("vera", "vera-password-123", List.of(Role.VIEWER));
  }

  @AfterAll
  void stopReplicas() {
    replicas.forEach(ConfigurableApplicationContext::close);
  }

  private static ConfigurableApplicationContext start(TestDatabase db) {
    // as command-line arguments, as an operator starts a replica; streams are checked every second
    return new SpringApplicationBuilder(SafeGridApplication.class).run(
        "--server.port=0", "--spring.datasource.url=" + db.jdbcUrl(),
        "--spring.datasource.username=" + DbRole.APP.roleName(), "--spring.datasource.password=" + DbRole.APP.password(),
        "--spring.flyway.user=" + DbRole.OWNER.roleName(), "--spring.flyway.password=" + DbRole.OWNER.password(),
        "--spring.datasource.hikari.maximum-pool-size=4", "--safegrid.ingest.enabled=false",
        "--safegrid.reference.load=false", "--safegrid.security.admin-password=" + ADMIN_PW,
        "--safegrid.security.live-session-check=1s");
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  // --- a browser ------------------------------------------------------------------------------

  private static URI at(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.split(";")[0].substring(name.length() + 1)).findFirst().orElseThrow();
  }

  /** Signs in with the login form on a replica; returns the session cookie. */
  private String signIn(int port, String user, String password) throws Exception {
    String xsrf = cookie(http.send(HttpRequest.newBuilder(at(port, "/login.html")).build(),
        HttpResponse.BodyHandlers.discarding()), "XSRF-TOKEN");
    String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + xsrf;
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(at(port, "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "XSRF-TOKEN=" + xsrf)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(r.headers().firstValue("Location").orElse("")).as("signed in as " + user).doesNotContain("error");
    return "JSESSIONID=" + cookie(r, "JSESSIONID");
  }

  private HttpResponse<String> get(int port, String path, String session) throws Exception {
    return http.send(HttpRequest.newBuilder(at(port, path)).header("Cookie", session)
        .header("X-Requested-With", "XMLHttpRequest").build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST from the signed-in page, with the session's CSRF token (as the map sends it). */
  private int post(int port, String path, String session, String body) throws Exception {
    String xsrf = cookie(http.send(HttpRequest.newBuilder(at(port, "/index.html")).header("Cookie", session).build(),
        HttpResponse.BodyHandlers.discarding()), "XSRF-TOKEN");
    return http.send(HttpRequest.newBuilder(at(port, path)).header("Cookie", session + "; XSRF-TOKEN=" + xsrf)
        .header("X-XSRF-TOKEN", xsrf).header("Content-Type", "application/json")
        .header("X-Requested-With", "XMLHttpRequest").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private int asAdmin(int port, String method, String path, String body) throws Exception {
    String basic = Base64.getEncoder().encodeToString(("admin:" + ADMIN_PW).getBytes(StandardCharsets.UTF_8));
    return http.send(HttpRequest.newBuilder(at(port, path)).header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private List<String> roles(int port, String session) throws Exception {
    HttpResponse<String> me = get(port, "/api/me", session);
    assertThat(me.statusCode()).as("GET /api/me on " + port).isEqualTo(200);
    List<String> roles = new ArrayList<>();
    json.readTree(me.body()).path("roles").forEach(r -> roles.add(r.asText()));
    return roles;
  }

  /** Opens the live stream and reads it to its end on another thread; completes when the server closes it. */
  private CompletableFuture<Long> openLive(int port, String session) throws Exception {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(at(port, "/api/live")).header("Cookie", session)
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).as("live stream on " + port).isEqualTo(200);
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = r.body()) {
        return in.transferTo(OutputStream.nullOutputStream());
      } catch (IOException e) {
        return -1L; // reset by the server: closed as well
      }
    });
  }

  // --- sessions -------------------------------------------------------------------------------

  @Test
  void aSessionSignedInOnOneReplicaIsServedByTheOtherAndADemotionOnTheFirstEndsItOnBoth() throws Exception {
    String rita = signIn(a, "rita", "rita-password-123");
    assertThat(roles(b, rita)).as("the other replica knows the session").containsExactly("PLANNER", "VIEWER");
    CompletableFuture<Long> streamOnB = openLive(b, rita);

    assertThat(asAdmin(a, "PUT", "/api/users/rita/roles", "{\"roles\":[\"VIEWER\"]}")).isEqualTo(200);

    assertThat(get(b, "/api/me", rita).statusCode()).as("the demoted session on the other replica").isEqualTo(401);
    assertThat(get(a, "/api/me", rita).statusCode()).as("and on the replica that demoted it").isEqualTo(401);
    assertThat(streamOnB.get(30, TimeUnit.SECONDS)).as("its live stream on the other replica is closed").isNotNull();
    String again = signIn(b, "rita", "rita-password-123");
    assertThat(roles(a, again)).as("a new sign-in has the new rights on both").containsExactly("VIEWER");
  }

  @Test
  void aPasswordChangeOnOneReplicaEndsTheOtherSessionsOnBothButNotTheOneThatChangedIt() throws Exception {
    String here = signIn(a, "pia", "Secret-horse-1234");
    String elsewhere = signIn(b, "pia", "Secret-horse-1234");
    CompletableFuture<Long> elsewhereStream = openLive(b, elsewhere);
    CompletableFuture<Long> hereStream = openLive(b, here);

    assertThat(post(a, "/api/me/password", here,
        "{\"currentPassword\":\"Secret-horse-1234\",\"newPassword\":\"Battery-staple-5678\"}")).isEqualTo(204);

    assertThat(get(b, "/api/me", elsewhere).statusCode()).as("the other session, on its replica").isEqualTo(401);
    assertThat(elsewhereStream.get(30, TimeUnit.SECONDS)).as("its stream on the other replica is closed").isNotNull();
    assertThat(get(b, "/api/me", here).statusCode()).as("the session that changed it, on the other replica")
        .isEqualTo(200);
    assertThat(get(a, "/api/me", here).statusCode()).isEqualTo(200);
    assertThat(hereStream.isDone()).as("the changing session's own stream stays open").isFalse();
    hereStream.cancel(true);
  }

  @Test
  void signingOutOnOneReplicaEndsTheSessionOnTheOther() throws Exception {
    String olga = signIn(b, "olga", "olga-password-123");
    assertThat(get(a, "/api/me", olga).statusCode()).isEqualTo(200);
    assertThat(post(a, "/logout", olga, "")).as("signed out by the page's script on the one replica").isEqualTo(204);
    assertThat(get(b, "/api/me", olga).statusCode()).as("the signed-out session on the other replica").isEqualTo(401);
  }

  // --- the live stream moves ---------------------------------------------------------------------


  /** Opens the live stream with Basic credentials (and a Last-Event-ID); its messages arrive in the queue. */
  private BlockingQueue<SseStream.Message> openWithBasic(int port, String lastEventId) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(at(port, "/api/live")).header("Accept", "text/event-stream")
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString("vera:vera-password-123".getBytes(StandardCharsets.UTF_8)));
    if (lastEventId != null) {
      req.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> r = http.send(req.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).as("live stream on " + port).isEqualTo(200);
    BlockingQueue<SseStream.Message> messages = SseStream.read(r.body(), "sse-reader-" + port);
    return messages;
  }

  /** Takes the event ids of an events message; remembers the message's id as the last one seen. */
  private void take(SseStream.Message m, List<String> received, String[] lastId) throws IOException {
    if (m.id() != null) {
      lastId[0] = m.id();
    }
    if ("events".equals(m.event())) {
      json.readTree(m.data()).path("id").forEach(id -> received.add(id.asText()));
    }
  }

  @Test
  @Order(Integer.MAX_VALUE) // stops replica A: the last test of the class
  void aStreamResumedOnTheOtherReplicaWithLastEventIdAfterItsReplicaStopsMissesNoEventAndRepeatsNone()
      throws Exception {
    try (var c = db.connect(); var st = c.createStatement()) {
      st.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    }
    BlockingQueue<SseStream.Message> onA = openWithBasic(a, null);
    SseStream.Message hello = onA.poll(30, TimeUnit.SECONDS);
    assertThat(hello).isNotNull();
    assertThat(hello.event()).isEqualTo("hello");
    assertThat(hello.id()).as("a new stream's first message carries its position").startsWith("p");

    // events keep coming, one transaction each, while the client moves
    List<String> inserted = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      try (var c = db.connect(); var ps = c.prepareStatement("INSERT INTO event (event_id, source, source_id, kind, "
          + "severity, observed_at, geom) VALUES (?, 'camera', 'CAM-R', 'intrusion', 1, now(), "
          + "ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))")) {
        for (int i = 1; writing.get(); i++) {
          ps.setString(1, "resume-" + i);
          ps.executeUpdate();
          inserted.add("resume-" + i);
          Thread.sleep(10);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "event-writer");
    writer.start();

    List<String> received = new ArrayList<>();
    String[] lastId = {hello.id()};
    while (received.size() < 40) {
      SseStream.Message m = onA.poll(30, TimeUnit.SECONDS);
      assertThat(m).as("a message from A").isNotNull();
      assertThat(m.end()).as("A's stream ended early").isFalse();
      take(m, received, lastId);
    }
    replicas.get(0).close();
    // what A sent before it went counts; the stream ends with A
    for (SseStream.Message m = onA.poll(60, TimeUnit.SECONDS); m != null && !m.end();
         m = onA.poll(60, TimeUnit.SECONDS)) {
      take(m, received, lastId);
    }
    int fromA = received.size();

    BlockingQueue<SseStream.Message> onB = openWithBasic(b, lastId[0]);
    Thread.sleep(1000);
    writing.set(false);
    writer.join(10_000);
    List<String> all = List.copyOf(inserted);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!new java.util.HashSet<>(received).containsAll(all) && System.nanoTime() < deadline) {
      SseStream.Message m = onB.poll(1, TimeUnit.SECONDS);
      if (m != null) {
        assertThat(m.end()).as("B's stream ended").isFalse();
        assertThat(m.event()).as("B replays, it does not reset").isNotEqualTo("reset");
        take(m, received, lastId);
      }
    }
    assertThat(fromA).as("events received from A before it stopped").isGreaterThanOrEqualTo(40);
    assertThat(received.size()).as("events received from B").isGreaterThan(fromA);
    assertThat(received).as("no event missed, none received twice").containsExactlyInAnyOrderElementsOf(all);
  }
}
