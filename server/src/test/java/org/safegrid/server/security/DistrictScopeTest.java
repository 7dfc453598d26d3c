package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.feedhealth.FeedHealthMonitor;
import org.safegrid.server.live.LiveBroadcaster;
import org.safegrid.server.risk.LiveRiskService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * District scope end to end (reliability check 32): a planner confined to district A asks every
 * data endpoint for data of A and B and gets A's rows only, while an unconfined planner gets both;
 * the live stream carries A's events and not B's; asking for B by name is refused and audited.
 *
 * <p>The fixture: two districts side by side, a 10 × 10 grid across them, a cluster of events in
 * each half, alerts, patrol units, silent devices and a piece of coastline in each.
 *
 * <pre>
 *   23.11 +--------------------------+---------------------------+
 *         |  A = 441302              |  B = 441303               |
 *         |   . . . . .  grid cols   |  . . . . .   grid cols    |
 *         |   . X X X .  0..4        |  . X X X .   5..9         |   X = event cluster
 *   23.095|~~~~~~~~~~~~ coast A ~~~~ | ~ coast B ~~~~~~~~~~~~~~~ |   (rows 4..6)
 *         |   . . . . .              |  . . . . .                |
 *   23.07 +--------------------------+---------------------------+
 *      114.39                    114.4125                     114.435
 * </pre>
 *
 * Everything west of the border (longitude 114.4125) is A's: a row is classified A or B by its
 * coordinates (or district code), so one table below lists every endpoint with how to read its rows.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=" + DistrictScopeTest.ADMIN_PW,
        "spring.datasource.hikari.maximum-pool-size=6", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.feed.poll-interval=100ms", "safegrid.live.flush-interval=100ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistrictScopeTest {

  static final String ADMIN_PW = "scope-admin-pw-1";
  static final String A = "441302";
  static final String B = "441303";
  static final double BORDER = 114.4125;
  static final double LON0 = 114.40;
  static final double LAT0 = 23.08;
  static final double SIZE = 0.0025;
  static final String TILE_PAIR = " and ";
  /** Joins two JSON requests into one row of the table: both answers, as a JSON array. */
  static final String JSON_PAIR = " + ";
  static final String BOTH = "114.39,23.07,114.435,23.11";
  static final String AREA_A = "POLYGON((114.39 23.07, 114.4125 23.07, 114.4125 23.11, 114.39 23.11, 114.39 23.07))";
  static final String AREA_B = "POLYGON((114.4125 23.07, 114.435 23.07, 114.435 23.11, 114.4125 23.11, 114.4125 23.07))";
  /** A point inside each district, away from the border. */
  static final double[] IN_A = {114.405, 23.09};
  static final double[] IN_B = {114.416, 23.09};
  /** A point whose z16 tile lies wholly in B (IN_B's tile crosses the border). */
  static final double[] TILE_B = {114.419, 23.09};

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, DistrictScopeTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;
  @Autowired
  LiveRiskService live;
  @Autowired
  FeedHealthMonitor feedHealth;
  @Autowired
  LiveBroadcaster hub;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private long gridSet;
  private int seq;

  // --- fixture --------------------------------------------------------------------------------

  @BeforeAll
  void fixture() {
    accounts.createUser("ana", "ana-password-12", List.of(Role.PLANNER));
    accounts.createUser("pat", "pat-password-12", List.of(Role.PLANNER));
    accounts.createUser("vic", "vic-password-12", List.of(Role.VIEWER));
    jdbc.update("UPDATE app_user SET district_code = ? WHERE username IN ('ana', 'vic')", A);
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");

    jdbc.update("INSERT INTO overlay_layer (layer, version, source, licence) VALUES ('districts', 1, 'test', 'test'), "
        + "('cameras', 1, 'test', 'test'), ('coastline', 1, 'test', 'test')");
    jdbc.update("INSERT INTO overlay_feature (layer, version, code, name, district_code, geom) VALUES "
        + "('districts', 1, ?, 'A', ?, ST_GeomFromText(?, 4326)), ('districts', 1, ?, 'B', ?, ST_GeomFromText(?, 4326))",
        A, A, AREA_A, B, B, AREA_B);
    jdbc.update("INSERT INTO overlay_feature (layer, version, code, name, district_code, geom) VALUES "
        + "('cameras', 1, 'CAM-SILENT-A', 'camera A', ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)), "
        + "('cameras', 1, 'CAM-SILENT-B', 'camera B', ?, ST_SetSRID(ST_MakePoint(?, ?), 4326))",
        A, IN_A[0], IN_A[1], B, IN_B[0], IN_B[1]);
    // two separate shores, one on each side of the border, so no coast segment crosses it
    jdbc.update("INSERT INTO overlay_feature (layer, version, geom) VALUES "
        + "('coastline', 1, ST_GeomFromText('LINESTRING(114.392 23.095, 114.412 23.095)', 4326)), "
        + "('coastline', 1, ST_GeomFromText('LINESTRING(114.413 23.095, 114.433 23.095)', 4326))");

    gridSet = jdbc.queryForObject("INSERT INTO grid_set (name, city_code, status, cell_count) "
        + "VALUES ('scope 10x10', '441300', 'draft', 100) RETURNING id", Long.class);
    for (int r = 0; r < 10; r++) {
      for (int c = 0; c < 10; c++) {
        double x = LON0 + c * SIZE;
        double y = LAT0 + r * SIZE;
        String wkt = String.format(Locale.ROOT, "MULTIPOLYGON(((%f %f, %f %f, %f %f, %f %f, %f %f)))",
            x, y, x + SIZE, y, x + SIZE, y + SIZE, x, y + SIZE, x, y);
        jdbc.update("INSERT INTO grid_cell (grid_set_id, cell_id, code, district_code, town_code, area_m2, geom) "
            + "VALUES (?, ?, ?, ?, ?, ST_Area(ST_GeomFromText(?, 4326)::geography), ST_GeomFromText(?, 4326))",
            gridSet, r * 10 + c, "G" + (r * 10 + c), c < 5 ? A : B, (c < 5 ? "TA" : "TB") + r, wkt, wkt);
      }
    }
    // A's events come from cameras, B's from checkpoints: per-source counts then tell the districts apart
    Random rnd = new Random(32);
    Instant now = Instant.now();
    for (int r = 0; r < 10; r++) {
      for (int c = 0; c < 10; c++) {
        boolean cluster = r >= 4 && r <= 6 && (c >= 1 && c <= 3 || c >= 6 && c <= 8);
        int k = cluster ? 12 : rnd.nextInt(3);
        for (int e = 0; e < k; e++) {
          double lon = LON0 + (c + 0.05 + 0.9 * rnd.nextDouble()) * SIZE;
          double lat = LAT0 + (r + 0.05 + 0.9 * rnd.nextDouble()) * SIZE;
          insertEvent(c < 5 ? "camera" : "checkpoint", now.minusSeconds(120 + rnd.nextInt(1800)), lon, lat);
        }
      }
    }
    jdbc.update("INSERT INTO alert (rule_id, dedupe_key, severity, title, geom, observed_at, district_code) VALUES "
        + "('test', 'a', 'high', 'alert in A', ST_SetSRID(ST_MakePoint(?, ?), 4326), now(), ?), "
        + "('test', 'b', 'high', 'alert in B', ST_SetSRID(ST_MakePoint(?, ?), 4326), now(), ?), "
        + "('test', 'c', 'low', 'alert without a place', NULL, now(), NULL)",
        IN_A[0], IN_A[1], A, IN_B[0], IN_B[1], B);
    jdbc.update("INSERT INTO patrol_position (unit_id, event_id, observed_at, geom, status) VALUES "
        + "('U-A', 'p1', now(), ST_SetSRID(ST_MakePoint(?, ?), 4326), 'available'), "
        + "('U-B', 'p2', now(), ST_SetSRID(ST_MakePoint(?, ?), 4326), 'available')",
        IN_A[0] + 0.001, IN_A[1], IN_B[0] + 0.001, IN_B[1]);
    jdbc.update("INSERT INTO feed_source (source, source_id, last_seen_at, geom) VALUES "
        + "('camera', 'CAM-GONE-A', now() - interval '2 days', ST_SetSRID(ST_MakePoint(?, ?), 4326)), "
        + "('camera', 'CAM-GONE-B', now() - interval '2 days', ST_SetSRID(ST_MakePoint(?, ?), 4326))",
        IN_A[0], IN_A[1], IN_B[0], IN_B[1]);
    jdbc.update("INSERT INTO alert_roster (level, area_code, officer, contact) VALUES "
        + "('district', ?, 'desk A', 'a'), ('district', ?, 'desk B', 'b'), ('town', 'TA4', 'town officer A', 'ta'), "
        + "('grid', 'G9', 'grid officer B', 'gb'), ('grid', 'G0', 'grid officer A', 'ga')", A, B);
    feedHealth.load();
    jdbc.update("UPDATE grid_set SET status = 'active' WHERE id = ?", gridSet);
    live.refresh();
  }

  private String insertEvent(String source, Instant observed, double lon, double lat) {
    String id = "ds-" + (++seq);
    jdbc.update("INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
        + "VALUES (?, ?, 'DEV-1', ?, '\\x00'::bytea)", id, source, Timestamp.from(observed));
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) "
        + "VALUES (?, ?, 'DEV-1', 'intrusion', 3, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326))",
        id, source, Timestamp.from(observed), lon, lat);
    return id;
  }

  // --- the endpoint table ---------------------------------------------------------------------

  /**
   * One data endpoint: how to call it and how to read the district (A, B, or "none") of each row
   * of its answer. Add a row here for every new data endpoint.
   */
  record Endpoint(String name, String method, String path, String body, Function<String, List<String>> rows) {

    static Endpoint get(String path, Function<String, List<String>> rows) {
      return new Endpoint("GET " + path, "GET", path, null, rows);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  Stream<Endpoint> endpoints() {
    long since = Instant.now().minus(Duration.ofHours(2)).toEpochMilli();
    long[] tileA = tile(16, IN_A);
    long[] tileB = tile(16, TILE_B);
    return Stream.of(
        Endpoint.get("/api/events?limit=1000&bbox=" + BOTH, this::geoJsonRows),
        Endpoint.get("/api/risk", this::geoJsonRows),
        Endpoint.get("/api/risk?format=csv", csvColumn("district")),
        Endpoint.get("/api/risk/rollup?by=district", body -> rowsOf(body, "rows", r -> byCode(r.path("code").asText()))),
        Endpoint.get("/api/risk/rollup?by=town", body -> rowsOf(body, "rows",
            r -> r.path("code").asText().startsWith("TA") ? "A" : "B")),
        Endpoint.get("/api/hotspots?bbox=" + BOTH, this::geoJsonRows),
        Endpoint.get("/api/hotspots?format=csv", csvColumn("district")),
        Endpoint.get("/api/hotspots/emerging?all=true", this::geoJsonRows),
        Endpoint.get("/api/hotspots/emerging?all=true&format=csv", csvColumn("district")),
        Endpoint.get("/api/heat?window=24h", this::geoJsonRows),
        Endpoint.get("/api/coast/segments", this::geoJsonRows),
        Endpoint.get("/api/live/coast-segments", this::geoJsonRows),
        Endpoint.get("/api/live/events?since=" + since, body -> {
          List<String> out = new ArrayList<>();
          read(body).path("lon").forEach(lon -> out.add(byLon(lon.asDouble())));
          return out;
        }),
        Endpoint.get("/api/live/counts?since=" + since, body -> {
          JsonNode n = read(body);
          List<String> out = new ArrayList<>();
          if (n.path("camera").asLong() > 0) {
            out.add("A");
          }
          if (n.path("checkpoint").asLong() > 0) {
            out.add("B");
          }
          return out;
        }),
        Endpoint.get("/api/feed-health", this::geoJsonRows),
        Endpoint.get("/api/patrol/positions", this::geoJsonRows),
        Endpoint.get("/api/patrol/coverage", this::geoJsonRows),
        new Endpoint("POST /api/patrol/plan", "POST", "/api/patrol/plan",
            "{\"units\":[{\"id\":\"U-A\"}],\"shiftMinutes\":900,\"dwellMinutes\":5}", body -> {
              List<String> out = new ArrayList<>();
              read(body).path("units").forEach(u -> u.path("stops").forEach(s -> out.add(byLon(s.path("lon").asDouble()))));
              return out;
            }),
        Endpoint.get("/api/alerts", body -> {
          List<String> out = new ArrayList<>();
          read(body).forEach(a -> out.add(a.path("lon").isNull() ? "none" : byLon(a.path("lon").asDouble())));
          return out;
        }),
        Endpoint.get("/api/alerts?format=geojson", this::geoJsonRows),
        Endpoint.get("/api/alerts/roster", body -> {
          List<String> out = new ArrayList<>();
          read(body).forEach(r -> out.add(r.path("officer").asText().endsWith(" A") ? "A" : "B"));
          return out;
        }),
        tiles("events", tileA, tileB),
        tiles("cells", tileA, tileB),
        Endpoint.get("/ogc/collections/grid/items?limit=1000&bbox=" + BOTH, this::geoJsonRows),
        Endpoint.get("/ogc/collections/cameras/items", this::geoJsonRows),
        Endpoint.get("/api/analysis/scorecard", body -> {
          long test = read(body).path("testEvents").asLong();
          long inA = countEvents("camera");
          long inB = countEvents("checkpoint");
          return test == inA ? List.of("A") : test == inA + inB ? List.of("A", "B") : List.of("?" + test);
        }),
        Endpoint.get("/api/grid-sets/" + gridSet + "/export?format=geojson", this::geoJsonRows),
        Endpoint.get("/api/grid-sets/" + gridSet + "/cells?bbox=" + BOTH, this::geoJsonRows),
        Endpoint.get("/api/overlays/cameras", this::geoJsonRows),
        new Endpoint("GET /api/locate (a point in A and one in B)", "GET", locate(IN_A) + JSON_PAIR + locate(IN_B), null,
            body -> {
              List<String> out = new ArrayList<>();
              read(body).forEach(l -> {
                if (!l.path("district").isNull()) {
                  out.add(byCode(l.path("district").path("code").asText()));
                }
                if (!l.path("cell").isNull()) {
                  // cell G<row*10+col>: columns 0..4 are A's
                  out.add(Integer.parseInt(l.path("cell").path("code").asText().substring(1)) % 10 < 5 ? "A" : "B");
                }
                if (!l.path("town").isNull()) {
                  out.add(l.path("town").path("code").asText().startsWith("TA") ? "A" : "B");
                }
              });
              return out;
            }));
  }

  private static String locate(double[] lonLat) {
    return String.format(Locale.ROOT, "/api/locate?lon=%.6f&lat=%.6f", lonLat[0], lonLat[1]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("endpoints")
  void aScopedPlannerGetsOnlyItsDistrictsRowsWhileAnUnscopedOneGetsBoth(Endpoint e) throws Exception {
    HttpResponse<String> scoped = call(e, "ana", "ana-password-12");
    HttpResponse<String> city = call(e, "pat", "pat-password-12");
    assertThat(scoped.statusCode()).as("scoped " + e + ": " + scoped.body()).isEqualTo(200);
    assertThat(city.statusCode()).as("unscoped " + e + ": " + city.body()).isEqualTo(200);
    assertThat(e.rows().apply(city.body())).as("unscoped rows of " + e).contains("A", "B");
    assertThat(e.rows().apply(scoped.body())).as("scoped rows of " + e).isNotEmpty().containsOnly("A");
  }

  // --- single objects: another district's is "not found" ----------------------------------------

  @Test
  void anotherDistrictsEventAlertCellOrFeatureIsNotFound() throws Exception {
    String eventA = jdbc.queryForObject("SELECT event_id FROM event WHERE source = 'camera' LIMIT 1", String.class);
    String eventB = jdbc.queryForObject("SELECT event_id FROM event WHERE source = 'checkpoint' LIMIT 1", String.class);
    assertThat(get("/api/events/" + eventA, "ana", "ana-password-12").statusCode()).isEqualTo(200);
    assertThat(get("/api/events/" + eventB, "ana", "ana-password-12").statusCode()).isEqualTo(404);
    assertThat(get("/api/events/" + eventB, "pat", "pat-password-12").statusCode()).isEqualTo(200);

    long alertA = jdbc.queryForObject("SELECT id FROM alert WHERE dedupe_key = 'a'", Long.class);
    long alertB = jdbc.queryForObject("SELECT id FROM alert WHERE dedupe_key = 'b'", Long.class);
    assertThat(get("/api/alerts/" + alertB, "ana", "ana-password-12").statusCode()).isEqualTo(404);
    assertThat(get("/api/alerts/" + alertB, "pat", "pat-password-12").statusCode()).isEqualTo(200);
    assertThat(send("POST", "/api/alerts/" + alertB + "/ack", "vic", "vic-password-12", "{}").statusCode())
        .isEqualTo(404);
    assertThat(send("POST", "/api/alerts/" + alertB + "/resolve", "vic", "vic-password-12", "{}").statusCode())
        .isEqualTo(404);
    assertThat(jdbc.queryForObject("SELECT status FROM alert WHERE id = ?", String.class, alertB)).isEqualTo("open");
    assertThat(audits("action = 'scope.denied' AND object_type = 'alert' AND object_id = ? AND username = 'vic'",
        Long.toString(alertB))).isEqualTo(2);
    assertThat(send("POST", "/api/alerts/" + alertA + "/ack", "vic", "vic-password-12", "{}").statusCode())
        .isEqualTo(200);

    int cellB = jdbc.queryForObject("SELECT cell_id FROM grid_cell WHERE district_code = ? LIMIT 1", Integer.class, B);
    assertThat(get("/ogc/collections/grid/items/" + cellB, "ana", "ana-password-12").statusCode()).isEqualTo(404);
    assertThat(get("/ogc/collections/grid/items/" + cellB, "pat", "pat-password-12").statusCode()).isEqualTo(200);
    assertThat(get("/api/live/cell-history?code=G9", "ana", "ana-password-12").statusCode()).isEqualTo(404);
    assertThat(get("/api/live/cell-history?code=G0", "ana", "ana-password-12").statusCode()).isEqualTo(200);

    // a unit now in B cannot be planned by A's planner: it is as unknown as one that never reported
    assertThat(send("POST", "/api/patrol/plan", "ana", "ana-password-12",
        "{\"units\":[{\"id\":\"U-B\"}],\"shiftMinutes\":60}").statusCode()).isEqualTo(400);

    // the ingest figures keep their city-wide counters but name no single event to a scoped user
    jdbc.update("INSERT INTO event_count (source, minute, events, newest_observed_at) "
        + "VALUES ('checkpoint', date_trunc('minute', now()), 1, now())");
    JsonNode scopedStats = read(get("/api/stats", "ana", "ana-password-12").body());
    JsonNode cityStats = read(get("/api/stats", "pat", "pat-password-12").body());
    assertThat(scopedStats.path("newestEventAt").asText(null)).isNull();
    assertThat(scopedStats.path("total").asLong()).isEqualTo(cityStats.path("total").asLong()).isPositive();
    assertThat(cityStats.path("newestEventAt").asText(null)).isNotNull();
  }

  // --- asking for B by name is refused and audited (check 32) -------------------------------------

  @Test
  void askingForAnotherDistrictByNameIs403AndAuditedWhileABboxOverBothIsFilteredAndAudited() throws Exception {
    for (String path : List.of("/api/hotspots?district=" + B, "/api/risk?district=" + B,
        "/api/hotspots/emerging?district=" + B)) {
      HttpResponse<String> r = get(path, "ana", "ana-password-12");
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(read(r.body()).path("title").asText()).isEqualTo("Outside your district");
    }
    assertThat(get("/api/hotspots?district=" + A, "ana", "ana-password-12").statusCode()).isEqualTo(200);
    assertThat(get("/api/hotspots?district=B'--", "pat", "pat-password-12").statusCode()).isEqualTo(400);
    assertThat(get("/api/hotspots?district=" + B, "pat", "pat-password-12").statusCode()).isEqualTo(200);
    assertThat(audits("action = 'scope.denied' AND username = 'ana' AND object_type = 'hotspots' AND object_id = ? "
        + "AND outcome = 'denied'", B)).isEqualTo(1);
    assertThat(audits("action = 'scope.denied' AND username = 'ana' AND object_type IN ('risk', 'emerging_hotspots')"))
        .isEqualTo(2);

    // the stream of B's live data
    HttpResponse<String> stream = http.send(request("/api/live?district=" + B, "ana", "ana-password-12")
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(stream.statusCode()).isEqualTo(403);
    assertThat(audits("action = 'scope.denied' AND username = 'ana' AND object_type = 'live_stream' AND object_id = ?",
        B)).isEqualTo(1);

    // a bbox over both districts is not a denial: A's rows come back, and the read is audited once
    HttpResponse<String> hot = get("/api/hotspots?bbox=" + BOTH, "ana", "ana-password-12");
    assertThat(hot.statusCode()).isEqualTo(200);
    assertThat(geoJsonRows(hot.body())).isNotEmpty().containsOnly("A");
    get("/api/hotspots?bbox=" + BOTH, "ana", "ana-password-12");
    assertThat(audits("action = 'scope.filtered' AND username = 'ana' AND object_type = 'hotspots' "
        + "AND detail->>'scope' = ?", A)).isEqualTo(1);
    // a box inside the district asks for nothing more than it may see
    get("/api/events?bbox=114.40,23.08,114.41,23.10", "ana", "ana-password-12");
    assertThat(audits("action = 'scope.filtered' AND username = 'ana' AND object_type = 'events'")).isZero();
  }

  // --- the live stream ------------------------------------------------------------------------

  @Test
  void aScopedStreamCarriesItsDistrictsEventsAndAlertsButNotTheOthers() throws Exception {
    BlockingQueue<String> scoped = openStream("/api/live", "ana", "ana-password-12");
    BlockingQueue<String> city = openStream("/api/live", "pat", "pat-password-12");
    awaitLine(scoped, "serverTime");
    awaitLine(city, "serverTime");
    // B's first: were it sent, it would come before or with A's
    String inB = insertEvent("checkpoint", Instant.now(), IN_B[0], IN_B[1]);
    hub.publishAt("alert", Map.of("title", "live alert in B"), IN_B[0], IN_B[1]);
    hub.publishAt("alert", Map.of("title", "live alert without a place"), null, null);
    String inA = insertEvent("camera", Instant.now(), IN_A[0], IN_A[1]);
    hub.publishAt("alert", Map.of("title", "live alert in A"), IN_A[0], IN_A[1]);

    // alerts go out at once, events with the next flush: read until both of A's have come
    assertThat(readUntilAll(scoped, "\"" + inA + "\"", "live alert in A")).doesNotContain(inB)
        .doesNotContain("live alert in B").doesNotContain("without a place");
    assertThat(readUntilAll(city, "\"" + inB + "\"", "live alert in B", "\"" + inA + "\"", "without a place"))
        .isNotEmpty();

    // a reconnecting scoped client's catch-up from the database is cut to its district too
    BlockingQueue<String> again = openStream("/api/live?since=" + Instant.now().minusSeconds(3600).toEpochMilli(),
        "ana", "ana-password-12");
    String catchUp = readUntilAll(again, "\"" + inA + "\"");
    assertThat(catchUp).doesNotContain("\"" + inB + "\"");
    for (String b : jdbc.queryForList("SELECT event_id FROM event WHERE source = 'checkpoint'", String.class)) {
      assertThat(catchUp).doesNotContain("\"" + b + "\"");
    }
  }

  // --- plumbing -------------------------------------------------------------------------------

  /** Two tile fetches folded into one answer for the table. */
  record TextResponse(int statusCode, String body) implements HttpResponse<String> {

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public HttpRequest request() {
      return null;
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public URI uri() {
      return null;
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }

  private HttpRequest.Builder request(String path, String user, String password) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Basic "
        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    return http.send(request(path, user, password).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path, String user, String password, String body)
      throws Exception {
    return http.send(request(path, user, password).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> call(Endpoint e, String user, String password) throws Exception {
    if (e.path().contains(TILE_PAIR)) {
      String[] paths = e.path().split(java.util.regex.Pattern.quote(TILE_PAIR));
      HttpResponse<byte[]> a = http.send(request(paths[0], user, password).build(), HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> b = http.send(request(paths[1], user, password).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(a.statusCode()).isEqualTo(200);
      assertThat(b.statusCode()).isEqualTo(200);
      String labels = (a.body().length > 0 ? "A" : "") + "," + (b.body().length > 0 ? "B" : "");
      return new TextResponse(200, labels);
    }
    if (e.path().contains(JSON_PAIR)) {
      List<String> bodies = new ArrayList<>();
      for (String path : e.path().split(java.util.regex.Pattern.quote(JSON_PAIR))) {
        HttpResponse<String> r = get(path, user, password);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        bodies.add(r.body());
      }
      return new TextResponse(200, "[" + String.join(",", bodies) + "]");
    }
    return e.body() == null ? get(e.path(), user, password) : send(e.method(), e.path(), user, password, e.body());
  }

  /** Events stored from a source (cameras are A's, checkpoints B's), as the tests add more. */
  private long countEvents(String source) {
    return jdbc.queryForObject("SELECT count(*) FROM event WHERE source = ?", Long.class, source);
  }

  private long audits(String where, Object... params) {
    return jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE " + where, Long.class, params);
  }

  private JsonNode read(String body) {
    try {
      return json.readTree(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  static String byLon(double lon) {
    return lon > BORDER + 1e-7 ? "B" : "A";
  }

  static String byCode(String code) {
    return A.equals(code) ? "A" : B.equals(code) ? "B" : "none";
  }

  /** The district of each feature of a GeoJSON FeatureCollection: B when any vertex lies east of the border. */
  List<String> geoJsonRows(String body) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : read(body).path("features")) {
      JsonNode g = f.path("geometry");
      if (g.isNull() || g.isMissingNode()) {
        out.add("none");
        continue;
      }
      double[] maxLon = {-1e9};
      maxLongitude(g.path("coordinates"), maxLon);
      out.add(byLon(maxLon[0]));
    }
    return out;
  }

  private static void maxLongitude(JsonNode coords, double[] max) {
    if (coords.isArray() && coords.size() >= 2 && coords.get(0).isNumber()) {
      max[0] = Math.max(max[0], coords.get(0).asDouble());
      return;
    }
    coords.forEach(c -> maxLongitude(c, max));
  }

  private Function<String, List<String>> csvColumn(String column) {
    return body -> {
      String[] lines = body.split("\n");
      int col = List.of(lines[0].split(",")).indexOf(column);
      assertThat(col).as("CSV column " + column).isNotNegative();
      List<String> out = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        out.add(byCode(lines[i].split(",")[col]));
      }
      return out;
    };
  }

  private List<String> rowsOf(String body, String field, Function<JsonNode, String> label) {
    List<String> out = new ArrayList<>();
    read(body).path(field).forEach(r -> out.add(label.apply(r)));
    return out;
  }

  /**
   * The vector tiles of a layer: one tile wholly in A and one wholly in B, fetched together; a
   * tile that is not empty counts as one row of its district.
   */
  private static Endpoint tiles(String layer, long[] inA, long[] inB) {
    assertThat(tileWestLon(inB)).as("the B tile lies east of the border").isGreaterThan(BORDER);
    assertThat(tileWestLon(new long[] {inA[0], inA[1] + 1, inA[2]})).as("the A tile lies west of the border")
        .isLessThanOrEqualTo(BORDER);
    String path = "/api/tiles/" + layer + "/" + inA[0] + "/" + inA[1] + "/" + inA[2] + ".mvt"
        + TILE_PAIR + "/api/tiles/" + layer + "/" + inB[0] + "/" + inB[1] + "/" + inB[2] + ".mvt";
    return new Endpoint("GET /api/tiles/" + layer + " (a tile in A and one in B)", "GET", path, null,
        body -> List.of(body.split(",")).stream().filter(x -> !x.isEmpty()).toList());
  }

  private static double tileWestLon(long[] zxy) {
    return zxy[1] * 360.0 / (1L << zxy[0]) - 180;
  }

  /** z/x/y of the web-mercator tile holding a point. */
  static long[] tile(int z, double[] lonLat) {
    double n = 1 << z;
    long x = (long) Math.floor((lonLat[0] + 180) / 360 * n);
    double latRad = Math.toRadians(lonLat[1]);
    long y = (long) Math.floor((1 - Math.log(Math.tan(latRad) + 1 / Math.cos(latRad)) / Math.PI) / 2 * n);
    return new long[] {z, x, y};
  }

  /** Reads a stream's lines on a background thread into a queue. */
  private BlockingQueue<String> openStream(String path, String user, String password) throws Exception {
    HttpResponse<Stream<String>> resp = http.send(request(path, user, password)
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(resp.statusCode()).isEqualTo(200);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> resp.body().forEach(lines::add), "sse-reader-" + user);
    t.setDaemon(true);
    t.start();
    return lines;
  }

  /** Reads lines until every text has been seen; returns them all as one string. */
  private static String readUntilAll(BlockingQueue<String> lines, String... texts) throws InterruptedException {
    List<String> read = new ArrayList<>();
    while (!List.of(texts).stream().allMatch(t -> String.join("\n", read).contains(t))) {
      read.addAll(awaitLine(lines, texts));
    }
    return String.join("\n", read);
  }

  /** Waits for a line containing any of the texts; returns every line read until then. */
  private static List<String> awaitLine(BlockingQueue<String> lines, String... texts) throws InterruptedException {
    List<String> read = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      String line = lines.poll(50, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      read.add(line);
      for (String text : texts) {
        if (line.contains(text)) {
          return read;
        }
      }
    }
    throw new AssertionError("no line with " + List.of(texts) + " within 5 s; read " + read);
  }
}
