package org.safegrid.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * The drain before stop, on a replica started as an operator starts one: once it is asked to stop,
 * its readiness probe answers 503 (draining) while every other request is still answered, with
 * {@code Connection: close}, for the drain period; its live streams, old and new, get an SSE
 * {@code retry:} hint and a {@code drain} message, and end when the drain ends; then it stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainBeforeStopTest {

  private static final String ADMIN_PW = "drain-admin-password";
  private static final long DRAIN_MS = 4000;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase db;
  private ConfigurableApplicationContext replica;
  private int port;

  @AfterAll
  void stop() {
    if (replica != null) {
      replica.close();
    }
  }

  private URI at(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(at(path));
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }


  private BlockingQueue<SseStream.Message> openLive() throws Exception {
    HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(at("/api/live"))
        .header("Accept", "text/event-stream").header("Authorization", basic("dora", "dora-password-123")).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).as("live stream opened").isEqualTo(200);
    BlockingQueue<SseStream.Message> messages = SseStream.read(r.body(), "drain-sse-reader");
    SseStream.Message hello = messages.poll(30, TimeUnit.SECONDS);
    assertThat(hello).isNotNull();
    assertThat(hello.event()).isEqualTo("hello");
    return messages;
  }

  /** The next message that is not a heartbeat or an events batch. */
  private static SseStream.Message nextOtherThanData(BlockingQueue<SseStream.Message> q, long seconds)
      throws InterruptedException {
    for (SseStream.Message m = q.poll(seconds, TimeUnit.SECONDS); ; m = q.poll(seconds, TimeUnit.SECONDS)) {
      if (m == null || m.end() || !List.of("hb", "events").contains(m.event())) {
        return m;
      }
    }
  }

  @Test
  void aStoppingReplicaRefusesOnItsReadinessProbeButServesRequestsAndStreamsUntilTheDrainEnds() throws Exception {
    db = PostgisExtension.createDatabase("DrainBeforeStopTest");
    replica = new SpringApplicationBuilder(SafeGridApplication.class).run(
        "--server.port=0", "--spring.datasource.url=" + db.jdbcUrl(),
        "--spring.datasource.username=" + DbRole.APP.roleName(), "--spring.datasource.password=" + DbRole.APP.password(),
        "--spring.flyway.user=" + DbRole.OWNER.roleName(), "--spring.flyway.password=" + DbRole.OWNER.password(),
        "--spring.datasource.hikari.maximum-pool-size=4", "--safegrid.ingest.enabled=false",
        "--safegrid.reference.load=false", "--safegrid.security.admin-password=" + ADMIN_PW,
        "--safegrid.shutdown.drain=" + DRAIN_MS + "ms", "--safegrid.shutdown.stream-retry=1500ms");
    port = ((WebServerApplicationContext) replica).getWebServer().getPort();
    replica.getBean(UserAccountService.class).createUser("dora", "dora-password-123", List.of(Role.VIEWER));
    String admin = basic("admin", ADMIN_PW);
    String dora = basic("dora", "dora-password-123");

    assertThat(get("/actuator/health/readiness", null).statusCode()).as("ready before the stop").isEqualTo(200);
    HttpResponse<String> before = get("/api/me", dora);
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.headers().firstValue("Connection")).as("kept alive before the stop").isNotEqualTo(
        java.util.Optional.of("close"));
    BlockingQueue<SseStream.Message> openBefore = openLive();

    long stopAsked = System.nanoTime();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> replica.close());

    // readiness refuses traffic at once, the drain component says why (to an administrator)
    HttpResponse<String> readiness = get("/actuator/health/readiness", null);
    for (int i = 0; readiness.statusCode() == 200 && i < 50; i++) {
      Thread.sleep(20);
      readiness = get("/actuator/health/readiness", null);
    }
    assertThat(readiness.statusCode()).as("readiness while draining").isEqualTo(503);
    JsonNode drain = json.readTree(get("/actuator/health/readiness", admin).body()).path("components").path("drain");
    assertThat(drain.path("status").asText()).isEqualTo("OUT_OF_SERVICE");
    assertThat(drain.path("details").path("draining").asBoolean()).isTrue();

    // every other request is still served, on a connection the balancer does not keep
    HttpResponse<String> during = get("/api/me", dora);
    assertThat(during.statusCode()).as("a request during the drain").isEqualTo(200);
    assertThat(during.headers().firstValue("Connection")).as("Connection header during the drain").contains("close");
    assertThat(get("/actuator/health/liveness", null).statusCode()).as("alive while draining").isEqualTo(200);
    BlockingQueue<SseStream.Message> openDuring = openLive();
    long servedAt = System.nanoTime();

    for (BlockingQueue<SseStream.Message> stream : List.of(openBefore, openDuring)) {
      SseStream.Message hint = nextOtherThanData(stream, 10);
      assertThat(hint).as("the drain hint").isNotNull();
      assertThat(hint.event()).isEqualTo("drain");
      assertThat(hint.retry()).as("SSE retry field").isEqualTo("1500");
      assertThat(json.readTree(hint.data()).path("reconnectMillis").asLong()).isEqualTo(1500);
    }
    long[] ends = new long[2];
    int i = 0;
    for (BlockingQueue<SseStream.Message> stream : List.of(openBefore, openDuring)) {
      SseStream.Message end = nextOtherThanData(stream, 30);
      assertThat(end).as("the stream ends").isNotNull();
      assertThat(end.end()).as("nothing after the hint but the end, got " + end.event()).isTrue();
      ends[i++] = end.atNanos();
    }
    assertThat(servedAt).as("the stream opened during the drain was served before any stream ended")
        .isLessThan(Math.min(ends[0], ends[1]));
    for (long end : ends) {
      assertThat(TimeUnit.NANOSECONDS.toMillis(end - stopAsked)).as("a stream ended at the end of the drain, ms")
          .isGreaterThanOrEqualTo(DRAIN_MS - 250).isLessThan(DRAIN_MS + 10_000);
    }
    stopping.get(60, TimeUnit.SECONDS);
    assertThat(replica.isActive()).isFalse();
    try {
      int after = get("/api/me", dora).statusCode();
      throw new AssertionError("a request after the stop was answered " + after);
    } catch (IOException refused) {
      // stopped: the balancer's connection is refused and it tries another replica
    }
  }
}
