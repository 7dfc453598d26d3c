package org.safegrid.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.live.LiveBroadcaster;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live map in headless Chromium: sign-in, every layer, a committed event drawn live, replay of a
 * past event, reconnect after the stream drops, no request to another origin, wall screen.
 * One Spring context and one browser page for the class; the tests run in order on that page.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.security.admin-password=browser-pw",
        "safegrid.feed.poll-interval=100ms", "safegrid.live.flush-interval=200ms"})
class MapBrowserTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, MapBrowserTest.class);
  }

  @LocalServerPort
  int port;

  @Autowired
  JdbcTemplate jdbc;

  @Autowired
  LiveBroadcaster hub;

  private Browser browser;
  private int seq;

  @BeforeAll
  void start() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    // history the page loads at start: three events ten minutes ago, one patrol unit fresh, one stale
    for (int i = 0; i < 3; i++) {
      insertEvent("camera", "intrusion", 3, "now() - interval '10 minutes'", 114.40 + i * 0.01, 23.10);
    }
    jdbc.update("INSERT INTO patrol_position (unit_id, event_id, observed_at, geom, speed_kmh, heading_deg, status) VALUES "
        + "('PU-1', 'p1', now(), ST_SetSRID(ST_MakePoint(114.41, 23.09), 4326), 20, 90, 'on_duty'), "
        + "('PU-2', 'p2', now() - interval '2 hours', ST_SetSRID(ST_MakePoint(114.45, 23.08), 4326), 0, 0, 'idle')");
    for (int i = 0; i < 3; i++) {
      jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
          + "(?, 'patrol', 'PU-1', 'position', 0, now() - make_interval(secs => ?), ST_SetSRID(ST_MakePoint(?, 23.09), 4326), "
          + "'{\"unitId\":\"PU-1\"}')", "ping-" + i, 60 * (3 - i), 114.39 + i * 0.01);
    }
    // two reported incidents three hours ago: outside the live events' hour, inside the incident layer's day
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
        + "('inc-1', 'incident', '110-HZ', 'violent', 4, now() - interval '3 hours', "
        + "ST_SetSRID(ST_MakePoint(114.42, 23.11), 4326), '{\"channel\":\"110\",\"location\":{\"quality\":\"caller_gps\","
        + "\"accuracyMeters\":30}}'), "
        + "('inc-2', 'incident', '12345-HZ', 'disorder', 2, now() - interval '3 hours', "
        + "ST_SetSRID(ST_MakePoint(114.43, 23.11), 4326), '{\"channel\":\"12345\",\"location\":{\"quality\":"
        + "\"district_centroid\",\"accuracyMeters\":3000}}')");
    browser = new Browser("http://127.0.0.1:" + port);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private String insertEvent(String source, String kind, int severity, String observedAt, double lon, double lat) {
    String id = "bt-" + (++seq);
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES (?, ?, ?, ?, ?, "
        + observedAt + ", ST_SetSRID(ST_MakePoint(?, ?), 4326))", id, source, source.toUpperCase() + "-T", kind, severity, lon, lat);
    return id;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> state() {
    return (Map<String, Object>) browser.js("return window.safegrid.state()");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> layers() {
    return (Map<String, Map<String, Object>>) state().get("layers");
  }

  private long count(String layer) {
    return ((Number) layers().get(layer).get("count")).longValue();
  }

  private void waitFor(Duration timeout, java.util.function.Supplier<Boolean> condition) {
    new WebDriverWait(browser.driver(), timeout, Duration.ofMillis(50)).until(d -> condition.get());
  }

  @Test
  @Order(1)
  void signedInUserSeesEveryLayerWithTheExpectedFeatureCount() throws Exception {
    browser.open("/");
    assertThat(browser.driver().getCurrentUrl()).as("the map asks to log in").contains("/login.html");
    browser.login("admin", "browser-pw");
    Map<String, Object> state = browser.waitForMapReady(Duration.ofSeconds(60));
    assertThat(state.get("error")).isNull();
    waitFor(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(state().get("allLoaded")));
    Map<String, Map<String, Object>> layers = layers();
    long districts = jdbc.queryForObject("SELECT count(*) FROM overlay_feature WHERE layer = 'districts'", Long.class);
    long cells = jdbc.queryForObject("SELECT count(*) FROM grid_cell", Long.class);
    long silent = jdbc.queryForObject("SELECT count(*) FROM overlay_feature WHERE layer IN ('cameras', 'checkpoints')", Long.class) + 1;
    for (String layer : List.of("districts", "coastline", "campuses", "checkpoints", "cameras", "coastal_zone", "land")) {
      long expected = jdbc.queryForObject("SELECT count(*) FROM overlay_feature WHERE layer = ?", Long.class, layer);
      assertThat(((Number) layers.get(layer).get("count")).longValue()).as(layer).isEqualTo(expected).isPositive();
    }
    assertThat(districts).isEqualTo(5);
    assertThat(count("grid")).isEqualTo(cells);
    assertThat(count("events")).as("the three camera events of ten minutes ago").isEqualTo(3);
    assertThat(count("patrol")).isEqualTo(2);
    assertThat(count("feed_health")).as("every camera and checkpoint (none sent anything) and the stale unit").isEqualTo(silent);
    assertThat(count("coast_segments")).isPositive();
    // the incident layer: both reported incidents of the day; filtering out the 110 channel leaves the 12345 one
    waitFor(Duration.ofSeconds(10), () -> layers().containsKey("reported_incidents") && count("reported_incidents") == 2);
    browser.js("var i = window.safegrid.app.reportedIncidents; i.state.channels['110'] = false; i.reload();");
    waitFor(Duration.ofSeconds(5), () -> count("reported_incidents") == 1);
    browser.js("var i = window.safegrid.app.reportedIncidents; i.state.channels['110'] = true; i.reload();");
    waitFor(Duration.ofSeconds(5), () -> count("reported_incidents") == 2);
    // the stream opens once the last hour's events are drawn, which may come after the map is ready:
    // read the state now, not the snapshot taken when the map became ready
    waitFor(Duration.ofSeconds(10), () -> List.of("connecting", "live").contains(String.valueOf(state().get("liveStatus"))));
    // with the engine present every layer is available (a missing API would show "not available")
    assertThat(layers).allSatisfy((name, l) -> assertThat(l.get("available")).as(name).isEqualTo(true));
    assertThat(state().get("riskAvailable")).as("grid coloured by the engine's risk").isEqualTo(true);
    // every available layer toggles off and on through its checkbox and draws again
    for (Map.Entry<String, Map<String, Object>> e : layers.entrySet()) {
      if (!Boolean.TRUE.equals(e.getValue().get("available"))) {
        continue;
      }
      String name = e.getKey();
      boolean was = Boolean.TRUE.equals(e.getValue().get("on"));
      browser.driver().findElement(By.id("layer-" + name)).click();
      assertThat(layers().get(name).get("on")).as(name + " toggled").isEqualTo(!was);
      browser.driver().findElement(By.id("layer-" + name)).click();
      assertThat(layers().get(name).get("on")).as(name + " toggled back").isEqualTo(was);
    }
    browser.driver().findElement(By.id("layer-heat")).click();
    waitFor(Duration.ofSeconds(3), () -> count("heat") == count("events"));
    Number drawn = (Number) browser.js(
        "var n = 0; window.safegrid.overlays.districts.eachLayer(function (l) { if (l._map) n++; }); return n;");
    assertThat(drawn.longValue()).isEqualTo(5);
    // a cell's detail: level, interval and the 24 h history chart drawn as SVG
    browser.js("var f = window.safegrid.app.cells.features[0]; window.safegrid.app.showCell(f, window.safegrid.map.getCenter());");
    waitFor(Duration.ofSeconds(5), () -> !browser.driver().findElements(By.cssSelector(".leaflet-popup .chart svg rect, .leaflet-popup .chart svg text")).isEmpty());
    assertThat(browser.driver().findElement(By.cssSelector(".leaflet-popup")).getText()).contains("HZ-");
    Path shot = browser.screenshot("map");
    assertThat(Files.size(shot)).isGreaterThan(10_000);
  }

  @Test
  @Order(2)
  void anEventCommittedToPostgisIsDrawnWithinTwoSeconds() {
    waitFor(Duration.ofSeconds(10), () -> "live".equals(state().get("liveStatus")));
    long before = count("events");
    long t0 = System.nanoTime();
    insertEvent("checkpoint", "wanted_vehicle", 5, "now()", 114.42, 23.11);
    waitFor(Duration.ofSeconds(2), () -> count("events") == before + 1);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("event drawn " + millis + " ms after commit");
    assertThat(Instant(state().get("newestEventTime"))).isAfter(java.time.Instant.now().minusSeconds(30));
    waitFor(Duration.ofSeconds(3), () -> ((Number) state().get("eventsPerSecond")).doubleValue() > 0);
  }

  private static java.time.Instant Instant(Object iso) {
    return java.time.Instant.parse((String) iso);
  }

  @Test
  @Order(3)
  void theMapReconnectsAfterTheServerDropsTheStreamAndCatchesUp() {
    Map<String, Object> stream = (Map<String, Object>) state().get("stream");
    long reconnects = ((Number) stream.get("reconnects")).longValue();
    long before = count("events");
    hub.closeAll();
    // committed while the page has no stream: must arrive through the catch-up
    insertEvent("camera", "loitering", 2, "now()", 114.43, 23.12);
    waitFor(Duration.ofSeconds(10), () -> ((Number) ((Map<String, Object>) state().get("stream")).get("reconnects")).longValue() > reconnects
        && "live".equals(state().get("liveStatus")));
    waitFor(Duration.ofSeconds(5), () -> count("events") == before + 1);
  }

  @Test
  @Order(4)
  void aNewCriticalIncidentTopsTheQueueWithACueAndIsAcknowledgedThenResolvedFromTheKeyboard() {
    browser.driver().findElement(By.id("tabbtn-alerts")).click();
    long open = incidentState("open");
    // a high incident first, then a critical one: the critical one must lead the queue
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
        + "('hit-1', 'checkpoint', 'CKP-001', 'vehicle_check', 4, now(), ST_SetSRID(ST_MakePoint(114.41, 23.1), 4326), "
        + "'{\"result\":\"hit\",\"plate\":\"粤L77777\"}')");
    waitFor(Duration.ofSeconds(5), () -> incidentState("open") == open + 1);
    long beeps = incidentState("beeps");
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
        + "('alarm-map', 'camera', 'ALM-MAP', 'campus_alarm', 5, now(), ST_SetSRID(ST_MakePoint(114.42, 23.09), 4326), "
        + "'{\"campusCode\":\"SCH-MAP\"}')");
    waitFor(Duration.ofSeconds(5), () -> incidentState("open") == open + 2);
    long critical = jdbc.queryForObject("SELECT id FROM incident WHERE group_key = 'SCH-MAP'", Long.class);
    @SuppressWarnings("unchecked")
    List<Number> queue = (List<Number>) ((Map<String, Object>) state().get("incidents")).get("queue");
    assertThat(queue.get(0).longValue()).as("the new critical incident leads the queue").isEqualTo(critical);
    assertThat(browser.driver().findElement(By.cssSelector("#incident-list .incident-row")).getAttribute("class"))
        .contains("sev-critical", "status-open", "new");
    assertThat(incidentState("beeps")).as("an audible cue for the new critical incident").isEqualTo(beeps + 1);

    // keyboard: j down, k back up to the top, a acknowledges it
    browser.driver().findElement(By.tagName("body")).sendKeys("j");
    assertThat(incidentState("selected")).isNotEqualTo(critical);
    browser.driver().findElement(By.tagName("body")).sendKeys("kkkkk");
    assertThat(incidentState("selected")).isEqualTo(critical);
    browser.driver().findElement(By.tagName("body")).sendKeys("a");
    waitFor(Duration.ofSeconds(5), () -> "acknowledged".equals(
        jdbc.queryForObject("SELECT status FROM incident WHERE id = ?", String.class, critical)));
    assertThat(jdbc.queryForObject("SELECT username FROM audit_event WHERE object_type = 'incident' AND object_id = ? "
        + "AND action = 'incident.acknowledged'", String.class, Long.toString(critical))).isEqualTo("admin");
    waitFor(Duration.ofSeconds(5), () -> !browser.driver().findElements(
        By.cssSelector("#incident-list .incident-row.status-acknowledged.selected")).isEmpty());
    // r asks for the reason in the row; Enter resolves
    browser.driver().findElement(By.tagName("body")).sendKeys("r");
    waitFor(Duration.ofSeconds(2), () -> !browser.driver().findElements(By.cssSelector("#incident-list input.reason")).isEmpty());
    browser.driver().findElement(By.cssSelector("#incident-list input.reason")).sendKeys("unit on site, false press\n");
    waitFor(Duration.ofSeconds(5), () -> incidentState("open") == open + 1);
    assertThat(jdbc.queryForObject("SELECT close_reason FROM incident WHERE id = ?", String.class, critical))
        .isEqualTo("unit on site, false press");

    // the mute toggle is remembered
    browser.driver().findElement(By.tagName("body")).sendKeys("m");
    assertThat(browser.js("return window.localStorage.getItem('safegrid.incidents.muted')")).isEqualTo("1");
    browser.driver().findElement(By.tagName("body")).sendKeys("m");
    assertThat(browser.js("return window.localStorage.getItem('safegrid.incidents.muted')")).isEqualTo("0");
  }

  @SuppressWarnings("unchecked")
  private long incidentState(String key) {
    Object v = ((Map<String, Object>) state().get("incidents")).get(key);
    return v == null ? -1 : ((Number) v).longValue();
  }

  @Test
  @Order(5)
  void theSliderReplaysAPastEventAtItsTime() {
    String id = insertEvent("camera", "intrusion", 4, "now() - interval '5 hours'", 114.44, 23.10);
    long observed = jdbc.queryForObject("SELECT floor(extract(epoch FROM observed_at) * 1000)::bigint FROM event WHERE event_id = ?",
        Long.class, id);
    // an hour before it nothing of it shows; at its time plus a minute it does
    browser.js("var s = document.getElementById('time-slider'); s.value = String(arguments[0]); "
        + "s.dispatchEvent(new Event('change'));", -(int) ((System.currentTimeMillis() - observed) / 60000) + 1);
    waitFor(Duration.ofSeconds(5), () -> "replay".equals(state().get("mode")) && count("events") == 1);
    assertThat(Instant(state().get("newestEventTime")).toEpochMilli()).isEqualTo(observed);
    assertThat(browser.driver().findElement(By.id("time-label")).getText()).doesNotContain("LIVE");
    browser.js("window.safegrid.replay(arguments[0])", observed - 2 * 3600_000L);
    waitFor(Duration.ofSeconds(5), () -> count("events") == 0);
    browser.driver().findElement(By.id("live-button")).click();
    waitFor(Duration.ofSeconds(5), () -> "live".equals(state().get("mode")) && count("events") >= 6);
  }

  @Test
  @Order(6)
  void languageSwitchesAndTheWallScreenShowsClockCountersAndAlerts() throws Exception {
    browser.driver().findElement(By.id("lang-button")).click();
    assertThat(browser.js("return document.documentElement.lang")).isEqualTo("en");
    assertThat(browser.driver().findElement(By.id("tabbtn-alerts")).getText()).isEqualTo("Incidents");
    browser.driver().findElement(By.id("lang-button")).click();
    assertThat(browser.driver().findElement(By.id("tabbtn-alerts")).getText()).isEqualTo("警情");
    browser.open("/?wall=1");
    browser.waitForMapReady(Duration.ofSeconds(30));
    waitFor(Duration.ofSeconds(5), () -> !browser.driver().findElement(By.id("wall-clock")).getText().startsWith("--"));
    assertThat(browser.driver().findElement(By.id("wall-hud")).isDisplayed()).isTrue();
    assertThat(browser.driver().findElement(By.id("layer-panel")).isDisplayed()).isFalse();
    waitFor(Duration.ofSeconds(5), () -> Long.parseLong(browser.driver().findElement(By.id("wall-count-camera")).getText()) >= 4
        && Long.parseLong(browser.driver().findElement(By.id("wall-count-checkpoint")).getText()) >= 2);
    browser.screenshot("wall");
  }

  @Test
  @Order(7)
  void thePageRequestsNothingFromAnotherOrigin() {
    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) browser.js("return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
        + ".concat([location.href])");
    assertThat(urls).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith("http://127.0.0.1:" + port + "/"));
    Map<String, Object> longTasks = (Map<String, Object>) state().get("longTasks");
    System.out.println("slowest requests " + browser.js("return performance.getEntriesByType('resource')"
        + ".sort(function (a, b) { return b.duration - a.duration; }).slice(0, 8)"
        + ".map(function (e) { return e.name.replace(location.origin, '') + ' ' + Math.round(e.startTime) + '+' + Math.round(e.duration); })"));
    System.out.println("first paint " + state().get("firstPaintMs") + " ms; long tasks " + longTasks);
  }

  @Test
  @Order(8)
  void emergingHotspotCellsAreTheirOwnLayerInCategoryColoursWithALegend() throws Exception {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 2, current_date + 1)");
    // a dense cluster on the last full (UTC) day and nothing before: new hot spots there
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) "
        + "SELECT 'ehsa-' || n, 'camera', 'CAM-E', 'intrusion', 3, "
        + "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') - interval '12 hours' + make_interval(secs => n), "
        + "ST_SetSRID(ST_MakePoint(114.40 + (n % 12) * 0.002, 23.10 + (n / 12 % 12) * 0.002), 4326) FROM generate_series(1, 400) n");
    var http = java.net.http.HttpClient.newHttpClient();
    var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/hotspots/emerging"))
        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("admin:browser-pw".getBytes())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    var features = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("features");
    Map<String, Integer> expected = new java.util.TreeMap<>();
    features.forEach(f -> expected.merge(f.path("properties").path("category").asText(), 1, Integer::sum));
    assertThat(features.size()).as("the cluster makes emerging hot spots: %s", expected).isPositive();

    browser.open("/");
    browser.waitForMapReady(Duration.ofSeconds(60));
    waitFor(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(state().get("allLoaded")));
    Number loaded = (Number) ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
        "var done = arguments[arguments.length - 1];"
            + "window.safegrid.app.loadEmerging().then(function (fc) { done(fc.features.length); }, function () { done(-1); });");
    assertThat(loaded.intValue()).isEqualTo(features.size());
    if (!Boolean.TRUE.equals(layers().get("emerging").get("on"))) {
      browser.driver().findElement(By.id("layer-emerging")).click();
    }
    assertThat(layers().get("emerging")).containsEntry("on", true).containsEntry("available", true);
    assertThat(count("emerging")).isEqualTo(features.size());
    browser.js("var l = window.safegrid.overlays.emerging; window.safegrid.map.fitBounds(l.getBounds());");
    waitFor(Duration.ofSeconds(5), () -> ((Number) browser.js("return window.safegrid.overlays.emerging.drawn || 0")).intValue()
        == features.size());
    // every cell in its category's colour, and one legend row per category with its count
    @SuppressWarnings("unchecked")
    Map<String, Object> colours = (Map<String, Object>) browser.js("return window.safegrid.app.EHSA");
    String legend = browser.driver().findElement(By.cssSelector("#layer-emerging")).findElement(By.xpath("../.."))
        .findElement(By.cssSelector(".layer-legend")).getText();
    expected.forEach((category, n) -> {
      assertThat(colours).as(category).containsKey(category);
      String label = (String) browser.js("return window.SafeGridI18n.t(arguments[0])", "ehsa." + category);
      assertThat(legend).contains(label + " (" + n + ")");
    });
    long styled = ((Number) browser.js("var l = window.safegrid.overlays.emerging, n = 0;"
        + "l.features.forEach(function (f) { if (l.options.style(f).fillColor === window.safegrid.app.EHSA[f.properties.category]) n++; });"
        + "return n;")).longValue();
    assertThat(styled).isEqualTo(features.size());
    browser.screenshot("map-emerging");
  }
}
