package org.safegrid.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.gisdata.datum.Gcj02;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A known WGS84 point renders where it must on the map (reliability check 21): an event at a control
 * point is drawn, the screenshot is read back, and the marker's colour must be at the pixel that Web
 * Mercator (EPSG:3857, computed here in closed form from the map's reported centre, zoom and size, not
 * by Leaflet) gives for that lon/lat. A second event at the same point shifted into GCJ-02 (about 580 m,
 * the error of a wrong datum) must land the predicted 260 pixels away, so a datum shift cannot pass.
 * With a GCJ-02 base map the page must draw the WGS84 point where GCJ-02 puts it.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=datum-pw", "safegrid.feed.poll-interval=100ms",
        "safegrid.live.flush-interval=200ms"})
class MapDatumBrowserTest {

  /**
   * The control point: Huizhou in Natural Earth 10m populated places ({@code ne_10m_populated_places},
   * public domain, WGS84; the copy in {@code ../shared/data/coast/ne_10m_populated_places.geojson}).
   */
  static final double LON = 114.39998327541025;
  static final double LAT = 23.079972350043704;
  static final int ZOOM = 16;
  /** Colours of the events layer ({@code js/eventlayer.js}): checkpoint, camera. */
  static final int CHECKPOINT_RGB = 0xffa940;
  static final int CAMERA_RGB = 0xff5ca8;
  /** How far the drawn marker may be from the computed pixel (Leaflet rounds its pixel origin). */
  static final double TOLERANCE_PX = 2.0;
  static final double EARTH_RADIUS_M = 6378137.0;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, MapDatumBrowserTest.class);
  }

  @LocalServerPort
  int port;

  @Autowired
  JdbcTemplate jdbc;

  private Browser browser;
  private double[] shifted;

  @BeforeAll
  void start() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    shifted = Gcj02.fromWgs84(LON, LAT);
    // kinds no alert rule matches: nothing else is drawn over the markers
    insertEvent("datum-wgs84", "checkpoint", LON, LAT);
    insertEvent("datum-gcj02", "camera", shifted[0], shifted[1]);
    browser = new Browser("http://127.0.0.1:" + port);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private void insertEvent(String id, String source, double lon, double lat) {
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
        + "(?, ?, 'DATUM-PROBE', 'datum_probe', 4, now(), ST_SetSRID(ST_MakePoint(?, ?), 4326))", id, source, lon, lat);
  }

  @Test
  @Order(1)
  void theControlPointLiesInHuichengDistrictOfTheReferenceData() throws Exception {
    // the shipped WGS84 districts agree with the control point: Huizhou city is the seat of 惠城区
    JsonNode districts;
    try (var in = getClass().getClassLoader()
        .getResourceAsStream("org/safegrid/gisdata/reference/huizhou/districts_wgs84.geojson")) {
      districts = new ObjectMapper().readTree(in);
    }
    var point = new GeometryFactory().createPoint(new Coordinate(LON, LAT));
    List<String> containing = new ArrayList<>();
    for (var f : districts.path("features")) {
      if (new GeoJsonReader().read(f.path("geometry").toString()).contains(point)) {
        containing.add(f.path("properties").path("adcode").asText());
      }
    }
    assertThat(containing).containsExactly("441302");
    double metres = jdbc.queryForObject("SELECT ST_Distance(ST_MakePoint(?, ?)::geography, ST_MakePoint(?, ?)::geography)",
        Double.class, LON, LAT, shifted[0], shifted[1]);
    assertThat(metres).as("the GCJ-02 offset at the control point").isBetween(300.0, 700.0);
  }

  @Test
  @Order(2)
  void aKnownWgs84PointIsDrawnAtItsWebMercatorPixelAndAGcj02ShiftMovesIt() throws Exception {
    browser.login("admin", "datum-pw");
    View view = openMapAt(LON + 0.0025, LAT - 0.0012);
    BufferedImage shot = screenshot("map-datum-wgs84");

    double[] a = view.pixel(LON, LAT);
    double[] b = view.pixel(shifted[0], shifted[1]);
    assertMarker(shot, a, CHECKPOINT_RGB, "WGS84 control point");
    double[] drawnA = centroid(shot, a, CHECKPOINT_RGB);
    double[] drawnB = centroid(shot, b, CAMERA_RGB);
    assertMarker(shot, b, CAMERA_RGB, "the control point shifted into GCJ-02");
    // the shift moves the marker by the predicted amount, far beyond the tolerance
    double dx = b[0] - a[0];
    double dy = b[1] - a[1];
    assertThat(Math.hypot(dx, dy)).as("pixels between the point and its GCJ-02 copy").isGreaterThan(200);
    assertThat(drawnB[0] - drawnA[0]).as("x shift").isCloseTo(dx, offset(TOLERANCE_PX));
    assertThat(drawnB[1] - drawnA[1]).as("y shift").isCloseTo(dy, offset(TOLERANCE_PX));
    // and nothing of the WGS84 marker sits where a wrongly shifted map would put it
    assertThat(count(shot, b, CHECKPOINT_RGB, 12)).as("checkpoint colour at the GCJ-02 position").isZero();
  }

  @Test
  @Order(3)
  void onAGcj02BaseMapTheSameWgs84PointIsDrawnWhereGcj02PutsIt() throws Exception {
    // the map configuration as a server with safegrid.map.base-datum=gcj02 answers it
    browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "(function () { var f = window.fetch; window.fetch = function (u, o) {"
            + " if (String(u).indexOf('/api/map-config') < 0) return f.apply(this, arguments);"
            + " return f.apply(this, arguments).then(function (r) { return r.json(); }).then(function (c) {"
            + " c.baseDatum = 'gcj02'; return new Response(JSON.stringify(c), {status: 200, headers: "
            + "{'Content-Type': 'application/json'}}); }); }; })();"));
    View view = openMapAt(LON + 0.0025, LAT - 0.0012);
    assertThat(browser.js("return window.SafeGridDatum.shifted()")).isEqualTo(true);
    BufferedImage shot = screenshot("map-datum-gcj02-base");
    // the WGS84 event is drawn at its GCJ-02 position (gis-data's model, not the page's), not at its own
    assertMarker(shot, view.pixel(shifted[0], shifted[1]), CHECKPOINT_RGB, "WGS84 point on a GCJ-02 base map");
    assertThat(count(shot, view.pixel(LON, LAT), CHECKPOINT_RGB, 12)).as("checkpoint colour at the unshifted pixel")
        .isZero();
  }

  /** The map's view as the page reports it, and the pixel of a lon/lat in the screenshot. */
  record View(double centerLon, double centerLat, int zoom, double width, double height, double left, double top,
              double ratio) {

    /** Web Mercator (EPSG:3857) in closed form: metres east and north, then pixels at this zoom. */
    double[] pixel(double lon, double lat) {
      double metresPerPixel = 2 * Math.PI * EARTH_RADIUS_M / (256 * Math.pow(2, zoom));
      double x = (mercatorX(lon) - mercatorX(centerLon)) / metresPerPixel + width / 2;
      double y = (mercatorY(centerLat) - mercatorY(lat)) / metresPerPixel + height / 2;
      return new double[] {(left + x) * ratio, (top + y) * ratio};
    }

    static double mercatorX(double lon) {
      return EARTH_RADIUS_M * Math.toRadians(lon);
    }

    static double mercatorY(double lat) {
      return EARTH_RADIUS_M * Math.log(Math.tan(Math.PI / 4 + Math.toRadians(lat) / 2));
    }
  }

  /** Opens the map, leaves only the events layer on, centres it and waits for both probe events. */
  @SuppressWarnings("unchecked")
  private View openMapAt(double lon, double lat) {
    browser.open("/");
    browser.waitForMapReady(Duration.ofSeconds(60));
    waitFor(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(state().get("allLoaded")));
    browser.js("var s = window.safegrid.state(); Object.keys(s.layers).forEach(function (n) {"
        + " window.safegrid.toggle(n, n === 'events'); }); window.safegrid.map.closePopup();"
        + " window.safegrid.map.setView([arguments[1], arguments[0]], arguments[2], {animate: false});", lon, lat, ZOOM);
    waitFor(Duration.ofSeconds(10), () -> ((Number) ((Map<String, Object>) ((Map<String, Object>) state().get("layers"))
        .get("events")).get("count")).intValue() == 2);
    // two frames: the layer redraws on moveend in the next animation frame
    ((JavascriptExecutor) browser.driver()).executeAsyncScript("var done = arguments[0];"
        + " requestAnimationFrame(function () { requestAnimationFrame(function () { done(); }); });");
    Map<String, Object> v = (Map<String, Object>) browser.js("var m = window.safegrid.map, c = m.getCenter(),"
        + " s = m.getSize(), r = m.getContainer().getBoundingClientRect();"
        + " return {lon: c.lng, lat: c.lat, zoom: m.getZoom(), w: s.x, h: s.y, left: r.left, top: r.top,"
        + " ratio: window.devicePixelRatio || 1};");
    View view = new View(num(v, "lon"), num(v, "lat"), (int) num(v, "zoom"), num(v, "w"), num(v, "h"), num(v, "left"),
        num(v, "top"), num(v, "ratio"));
    assertThat(view.zoom()).isEqualTo(ZOOM);
    return view;
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> state() {
    return (Map<String, Object>) browser.js("return window.safegrid.state()");
  }

  private void waitFor(Duration timeout, Supplier<Boolean> condition) {
    new WebDriverWait(browser.driver(), timeout, Duration.ofMillis(50)).until(d -> condition.get());
  }

  private BufferedImage screenshot(String name) throws Exception {
    byte[] png = browser.driver().getScreenshotAs(OutputType.BYTES);
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".png"), png);
    return ImageIO.read(new ByteArrayInputStream(png));
  }

  /** Asserts the marker's colour at the computed pixel and its drawn centre within the tolerance. */
  private static void assertMarker(BufferedImage shot, double[] at, int rgb, String what) {
    int x = (int) Math.round(at[0]);
    int y = (int) Math.round(at[1]);
    assertThat(x).as("%s inside the screenshot", what).isBetween(0, shot.getWidth() - 1);
    assertThat(y).as("%s inside the screenshot", what).isBetween(0, shot.getHeight() - 1);
    assertThat(matches(shot.getRGB(x, y), rgb)).as("%s: colour %06x at (%d, %d), expected %06x", what,
        shot.getRGB(x, y) & 0xffffff, x, y, rgb).isTrue();
    double[] c = centroid(shot, at, rgb);
    assertThat(Math.hypot(c[0] - at[0], c[1] - at[1])).as("%s: drawn centre (%.1f, %.1f), computed (%.1f, %.1f)",
        what, c[0], c[1], at[0], at[1]).isLessThanOrEqualTo(TOLERANCE_PX);
  }

  /** Centre of the pixels of colour {@code rgb} within 30 px of {@code at}. */
  private static double[] centroid(BufferedImage shot, double[] at, int rgb) {
    double sx = 0;
    double sy = 0;
    int n = 0;
    for (int y = (int) at[1] - 30; y <= (int) at[1] + 30; y++) {
      for (int x = (int) at[0] - 30; x <= (int) at[0] + 30; x++) {
        if (x >= 0 && y >= 0 && x < shot.getWidth() && y < shot.getHeight() && matches(shot.getRGB(x, y), rgb)) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      }
    }
    assertThat(n).as("pixels of colour %06x near (%.0f, %.0f)", rgb, at[0], at[1]).isGreaterThanOrEqualTo(9);
    return new double[] {sx / n, sy / n};
  }

  private static int count(BufferedImage shot, double[] at, int rgb, int radius) {
    int n = 0;
    for (int y = (int) at[1] - radius; y <= (int) at[1] + radius; y++) {
      for (int x = (int) at[0] - radius; x <= (int) at[0] + radius; x++) {
        if (x >= 0 && y >= 0 && x < shot.getWidth() && y < shot.getHeight() && matches(shot.getRGB(x, y), rgb)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Same colour within 24 per channel (the screenshot is a PNG of the composited page). */
  private static boolean matches(int argb, int rgb) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs(((argb >> shift) & 0xff) - ((rgb >> shift) & 0xff)) > 24) {
        return false;
      }
    }
    return true;
  }
}
