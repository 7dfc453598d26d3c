package org.safegrid.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live stream, stored-event reads, patrol positions, vector tiles and the map configuration over
 * real HTTP against a real PostGIS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.security.admin-password=live-pw",
        "safegrid.feed.poll-interval=100ms", "safegrid.live.flush-interval=100ms", "safegrid.live.client-queue=8",
        "safegrid.live.send-time-limit=2s",
        "safegrid.map.base-tile-url=https://tiles.intranet.example:8443/{z}/{x}/{y}.png", "safegrid.map.base-datum=gcj02"})
class LiveApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, LiveApiTest.class);
  }

  @LocalServerPort
  int port;

  @Autowired
  JdbcTemplate jdbc;

  @Autowired
  LiveBroadcaster hub;

  @Autowired
  io.micrometer.core.instrument.MeterRegistry meters;

  @Autowired
  org.safegrid.server.security.UserAccountService accounts;

  @Autowired
  org.safegrid.server.security.UserAdministration users;

  private final HttpClient http = HttpClient.newHttpClient();
  private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("admin:live-pw".getBytes(StandardCharsets.UTF_8));
  private int seq;

  @BeforeAll
  void partitions() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
  }

  private String insertEvent(String observedAt, double lon, double lat) {
    String id = "la-" + (++seq);
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
        + "(?, 'camera', 'CAM-X', 'intrusion', 3, " + observedAt + ", ST_SetSRID(ST_MakePoint(?, ?), 4326))", id, lon, lat);
    return id;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", AUTH).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Reads the stream's lines on a background thread into a queue. */
  private BlockingQueue<String> openStream(String lastEventId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live"))
        .header("Authorization", AUTH).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> resp.body().forEach(lines::add), "sse-reader");
    t.setDaemon(true);
    t.start();
    return lines;
  }

  /** Waits for a line containing text; returns the id line that came before it in the same message, if any. */
  private String awaitLine(BlockingQueue<String> lines, String text, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    String id = null;
    while (System.nanoTime() < end) {
      String line = lines.poll(50, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      if (line.startsWith("id:")) {
        id = line.substring(3);
      }
      if (line.contains(text)) {
        return id == null ? "" : id;
      }
      if (line.isEmpty()) {
        id = null;
      }
    }
    throw new AssertionError("no line with " + text + " within " + timeout);
  }

  @Test
  void disablingTheUserEndsItsOpenStream() throws Exception {
    accounts.createUser("night-duty", "night-duty-pw", java.util.List.of(org.safegrid.server.security.Role.VIEWER));
    String auth = "Basic " + Base64.getEncoder().encodeToString("night-duty:night-duty-pw".getBytes(StandardCharsets.UTF_8));
    HttpResponse<Stream<String>> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live"))
        .header("Authorization", auth).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(resp.statusCode()).isEqualTo(200);
    // the body ends, cleanly or with the connection closed under it
    java.util.concurrent.CompletableFuture<Long> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return resp.body().count();
      } catch (java.io.UncheckedIOException closed) {
        return -1L;
      }
    });
    int before = hub.clientCount();
    users.setEnabled("night-duty", false);
    // the server closes the stream itself: the body ends without the client hanging up
    ended.get(10, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    while (hub.clientCount() >= before && System.nanoTime() - t0 < 5_000_000_000L) {
      Thread.sleep(20);
    }
    assertThat(hub.clientCount()).isLessThan(before);
  }

  @Test
  void streamCarriesNewEventsAndPublishedMessagesAndCatchesUpFromLastEventId() throws Exception {
    BlockingQueue<String> lines = openStream(null);
    awaitLine(lines, "serverTime", Duration.ofSeconds(5));
    String first = insertEvent("now()", 114.4, 23.1);
    String lastId = awaitLine(lines, "\"" + first + "\"", Duration.ofSeconds(3));
    // the id is the event feed's position after the message: any replica resumes from it exactly
    assertThat(org.safegrid.server.feed.FeedPosition.parse(lastId).floor()).isPositive();
    hub.publish("alert", Map.of("id", 7, "title", "越界 intrusion"));
    awaitLine(lines, "越界 intrusion", Duration.ofSeconds(3));

    // a client that lost its stream comes back with the last id it saw and gets what it missed
    hub.closeAll();
    String missed = insertEvent("now()", 114.41, 23.11);
    Thread.sleep(500);
    BlockingQueue<String> again = openStream(lastId);
    awaitLine(again, "\"" + missed + "\"", Duration.ofSeconds(3));
  }

  @Test
  void aClientThatDoesNotReadIsDropped() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setReceiveBufferSize(4096);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: " + AUTH
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (hub.clientCount() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      int before = hub.clientCount();
      assertThat(before).isPositive();
      // never read again: 40 MB of messages fill the socket buffers, then the bounded queue
      String big = "x".repeat(256 * 1024);
      deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      for (int i = 0; i < 160 && hub.clientCount() >= before && System.nanoTime() < deadline; i++) {
        hub.publish("risk", Map.of("pad", big));
        Thread.sleep(5);
      }
      deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (hub.clientCount() >= before && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(hub.clientCount()).as("the stalled client was dropped").isLessThan(before);
    }
  }

  @Test
  void aClientWhoseWriteBlocksPastTheSendTimeLimitIsDroppedWhileAReadingClientCarriesOn() throws Exception {
    BlockingQueue<String> reader = openStream(null);
    awaitLine(reader, "event:hello", Duration.ofSeconds(5));
    double stalledBefore = meters.counter("safegrid.live.clients.stalled").count();
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
      OutputStream out = socket.getOutputStream();
      int before = hub.clientCount();
      out.write(("GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: " + AUTH
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (hub.clientCount() <= before && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      int withSlow = hub.clientCount();
      assertThat(withSlow).isGreaterThan(before);
      // a few large messages until one write to the never-reading socket blocks; then no more, so the
      // queue stays far below its bound and only the send time limit can drop the client
      String big = "y".repeat(512 * 1024);
      deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int sent = 0;
      while (hub.blockedClients(Duration.ofMillis(300)) == 0 && System.nanoTime() < deadline) {
        if (sent < 40) {
          hub.publish("risk", Map.of("pad", big));
          sent++;
        }
        Thread.sleep(100);
      }
      assertThat(hub.blockedClients(Duration.ofMillis(300))).as("a write to the stalled socket blocks").isPositive();
      long blockedAt = System.nanoTime();
      while (hub.clientCount() >= withSlow && System.nanoTime() - blockedAt < Duration.ofSeconds(6).toNanos()) {
        Thread.sleep(20);
      }
      long droppedAfterMs = (System.nanoTime() - blockedAt) / 1_000_000;
      assertThat(hub.clientCount()).as("the stalled client is unregistered").isLessThan(withSlow);
      assertThat(droppedAfterMs).as("dropped within the 2 s send time limit and one flush").isLessThan(4000);
      assertThat(meters.counter("safegrid.live.clients.stalled").count()).isEqualTo(stalledBefore + 1);
      // the reading client never noticed
      hub.publish("risk", Map.of("marker", "after-the-drop"));
      awaitLine(reader, "after-the-drop", Duration.ofSeconds(10));
    }
  }

  @Test
  void signedOutStreamGets401WithoutABasicChallenge() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live"))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
  }

  @Test
  void storedEventsComeInColumnsByObservationTimeForReplay() throws Exception {
    String past = insertEvent("now() - interval '3 hours'", 114.5, 23.0);
    long now = System.currentTimeMillis();
    String body = get("/api/live/events?field=observed&since=" + (now - 4 * 3600_000L) + "&until=" + (now - 2 * 3600_000L)).body();
    assertThat(body).contains("\"" + past + "\"").contains("\"observedAt\":[").contains("\"lon\":[114.5]");
    assertThat(get("/api/live/events?since=0&limit=9999999").statusCode()).isEqualTo(400);
    assertThat(get("/api/live/events?since=" + now + "&positions=maybe").statusCode()).isEqualTo(400);
    assertThat(get("/api/live/events?since=" + now + "&field=sideways").statusCode()).isEqualTo(400);
  }

  @Test
  void theMapsRecentEventsLeaveOutPatrolPositionPingsWhenAsked() throws Exception {
    String camera = insertEvent("now() - interval '10 minutes'", 114.52, 23.02);
    String ping = "la-ping-" + (++seq);
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
        + "(?, 'patrol', 'PU-7', 'position', 0, now() - interval '9 minutes', ST_SetSRID(ST_MakePoint(114.53, 23.03), 4326))", ping);
    String report = "la-report-" + (++seq);
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
        + "(?, 'patrol', 'PU-7', 'report', 2, now() - interval '8 minutes', ST_SetSRID(ST_MakePoint(114.53, 23.03), 4326))", report);
    String since = "/api/live/events?field=observed&since=" + (System.currentTimeMillis() - 20 * 60_000L);
    assertThat(get(since).body()).contains("\"" + camera + "\"", "\"" + ping + "\"", "\"" + report + "\"");
    // a patrol unit's other events stay: only its position pings are left out
    assertThat(get(since + "&positions=false").body()).contains("\"" + camera + "\"", "\"" + report + "\"")
        .doesNotContain("\"" + ping + "\"");
  }

  @Test
  void patrolPositionsCarryStatusAndATrailFromRecentPings() throws Exception {
    jdbc.update("INSERT INTO patrol_position (unit_id, event_id, observed_at, geom, speed_kmh, heading_deg, status) VALUES "
        + "('PU-9', 'q3', now(), ST_SetSRID(ST_MakePoint(114.42, 23.1), 4326), 30, 45, 'responding')");
    for (int i = 0; i < 3; i++) {
      jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
          + "(?, 'patrol', 'PU-9', 'position', 0, now() - make_interval(secs => ?), ST_SetSRID(ST_MakePoint(?, 23.1), 4326), "
          + "'{\"unitId\":\"PU-9\"}')", "q" + i, 30 * (3 - i), 114.40 + 0.01 * i);
    }
    String body = get("/api/patrol/positions").body();
    assertThat(body).contains("\"unitId\":\"PU-9\"").contains("\"status\":\"responding\"")
        .contains("\"trail\":{\"type\":\"LineString\",\"coordinates\":[[114.4,23.1],[114.41,23.1],[114.42,23.1]]}");
  }

  @Test
  void vectorTilesHoldTheEventsAndCellsOfTheirTileOnly() throws Exception {
    insertEvent("now()", 114.4152, 23.1115);
    // z10 tile of (114.4152, 23.1115): x = floor((lon + 180) / 360 * 1024), y from the Mercator latitude
    int z = 10;
    int x = (int) Math.floor((114.4152 + 180) / 360 * (1 << z));
    double latRad = Math.toRadians(23.1115);
    int y = (int) Math.floor((1 - Math.log(Math.tan(latRad) + 1 / Math.cos(latRad)) / Math.PI) / 2 * (1 << z));
    HttpResponse<byte[]> tile = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/tiles/events/" + z + "/" + x + "/" + y + ".mvt")).header("Authorization", AUTH).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(tile.statusCode()).isEqualTo(200);
    assertThat(tile.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/vnd.mapbox-vector-tile");
    // an MVT starts with field 3 (layer), wire type 2: 0x1a; the layer is named "events"
    assertThat(tile.body()).isNotEmpty();
    assertThat(tile.body()[0]).isEqualTo((byte) 0x1a);
    assertThat(new String(tile.body(), StandardCharsets.ISO_8859_1)).contains("events").contains("intrusion");
    HttpResponse<byte[]> far = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/tiles/events/" + z + "/0/0.mvt")).header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(far.body()).isEmpty();
    HttpResponse<byte[]> cells = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/tiles/cells/" + z + "/" + x + "/" + y + ".mvt")).header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(new String(cells.body(), StandardCharsets.ISO_8859_1)).contains("cells").contains("HZ-");
    assertThat(get("/api/tiles/roads/1/0/0.mvt").statusCode()).isEqualTo(404);
    assertThat(get("/api/tiles/events/3/9/0.mvt").statusCode()).isEqualTo(400);
  }

  @Test
  void mapConfigNamesTheBaseMapAndTheCspAllowsOnlyItsOrigin() throws Exception {
    String config = get("/api/map-config").body();
    assertThat(config).contains("\"baseTileUrl\":\"https://tiles.intranet.example:8443/{z}/{x}/{y}.png\"")
        .contains("\"baseDatum\":\"gcj02\"");
    HttpResponse<String> page = get("/");
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("img-src 'self' data: blob: https://tiles.intranet.example:8443;")
        .contains("script-src 'self';").doesNotContain("unsafe-inline");
  }

  @Test
  void feedHealthListsDevicesThatSentNothingAndStopsListingOneThatSpeaks() throws Exception {
    String code = jdbc.queryForObject("SELECT code FROM overlay_feature WHERE layer = 'cameras' ORDER BY code LIMIT 1", String.class);
    assertThat(get("/api/feed-health").body()).contains("\"sourceId\":\"" + code + "\"");
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
        + "('fh-1', 'camera', ?, 'heartbeat', 0, now(), ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))", code);
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    String body;
    do {
      Thread.sleep(100);
      body = get("/api/feed-health").body();
    } while (body.contains("\"sourceId\":\"" + code + "\"") && System.nanoTime() < deadline);
    assertThat(body).doesNotContain("\"sourceId\":\"" + code + "\"");
  }
}
