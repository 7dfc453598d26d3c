package org.safegrid.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.gisdata.testing.TilePackageFixtures;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An uploaded vector base map on the map in headless Chromium: a GDAL-made MBTiles with one road is
 * uploaded and activated over HTTP, the map opens with it as its bottom layer (below every overlay
 * pane), its tiles are fetched from this server, and the road's colour is on the screenshot at the
 * road's Web Mercator pixel (computed here in closed form), not a few pixels north of it.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=basemap-pw"})
class BasemapBrowserTest {

  static final double ROAD_LAT = 23.1;
  static final double LON = 114.41;
  static final int ZOOM = 14;
  /** The dark theme's road colour ({@code js/basemap.js}). */
  static final int ROAD_RGB = 0xc9a45c;
  static final double EARTH_RADIUS_M = 6378137.0;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws IOException {
    PostgisTestSupport.register(registry, BasemapBrowserTest.class);
    Path store = Files.createTempDirectory("basemap-browser");
    registry.add("safegrid.basemap.storage-dir", store::toString);
  }

  @LocalServerPort
  int port;

  @TempDir
  Path tmp;

  private Browser browser;

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void anUploadedVectorPackagesRoadIsDrawnAtItsPixelBelowTheOverlayPanes() throws Exception {
    Path mbtiles = TilePackageFixtures.vectorMbtiles(tmp,
        TilePackageFixtures.lineGeoJson(114.3, ROAD_LAT, 114.5, ROAD_LAT), 8, 12);
    HttpClient http = HttpClient.newHttpClient();
    String auth = "Basic " + Base64.getEncoder().encodeToString("admin:basemap-pw".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/basemaps?datum=wgs84&name=roads.mbtiles")).header("Authorization", auth)
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofFile(mbtiles)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    String id = up.body().replaceAll("(?s).*?\"id\":(\\d+).*", "$1");
    HttpResponse<String> act = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/basemaps/" + id + "/activate")).header("Authorization", auth)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(act.statusCode()).as(act.body()).isEqualTo(200);

    browser = new Browser("http://127.0.0.1:" + port);
    browser.login("admin", "basemap-pw");
    browser.open("/");
    browser.waitForMapReady(Duration.ofSeconds(60));
    WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(30), Duration.ofMillis(100));
    wait.until(d -> Boolean.TRUE.equals(browser.js("var b = window.safegrid.overlays.basemap;"
        + " return !!b && window.safegrid.map.hasLayer(b);")));
    browser.js("window.safegrid.map.setView([arguments[1], arguments[0]], arguments[2], {animate: false});",
        LON, ROAD_LAT, ZOOM);
    // the package's tiles fetched from this server (protomaps-leaflet asks for data tiles up to the
    // package's highest zoom, 12, and over-zooms them)
    wait.until(d -> Boolean.TRUE.equals(browser.js("return performance.getEntriesByType('resource').filter("
        + "function (r) { return r.name.indexOf('/api/basemaps/" + id + "/12/') >= 0 && r.responseStatus === 200; })"
        + ".length > 0;")));
    Thread.sleep(1500);
    ((JavascriptExecutor) browser.driver()).executeAsyncScript("var done = arguments[0];"
        + " requestAnimationFrame(function () { requestAnimationFrame(function () { done(); }); });");
    List<Object> fetched = (List<Object>) browser.js("return performance.getEntriesByType('resource').filter("
        + "function (r) { return r.name.indexOf('/api/basemaps/') >= 0; }).map(function (r) { return r.responseStatus; });");
    assertThat(fetched).as("tile answers").isNotEmpty().contains(200L).doesNotContain(404L, 500L);
    // the base layer sits below every overlay pane
    Map<String, Object> z = (Map<String, Object>) browser.js("var m = window.safegrid.map;"
        + " return {tile: +getComputedStyle(m.getPane('tilePane')).zIndex, land: +getComputedStyle(m.getPane('sgLand')).zIndex};");
    assertThat(((Number) z.get("tile")).intValue()).isLessThan(((Number) z.get("land")).intValue());

    Map<String, Object> v = (Map<String, Object>) browser.js("var m = window.safegrid.map, c = m.getCenter(),"
        + " s = m.getSize(), r = m.getContainer().getBoundingClientRect();"
        + " return {lon: c.lng, lat: c.lat, zoom: m.getZoom(), w: s.x, h: s.y, left: r.left, top: r.top,"
        + " ratio: window.devicePixelRatio || 1};");
    assertThat(((Number) v.get("zoom")).intValue()).isEqualTo(ZOOM);
    byte[] png = browser.driver().getScreenshotAs(OutputType.BYTES);
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve("basemap-road.png"), png);
    BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
    double[] road = pixel(v, LON, ROAD_LAT);
    assertThat(roadPixels(shot, road, 4)).as("road colour within 4 px of the road's pixel %s", road[1]).isPositive();
    assertThat(roadPixels(shot, new double[] {road[0], road[1] - 40}, 4)).as("road colour 40 px north of it").isZero();
  }

  /** Web Mercator (EPSG:3857) in closed form: the screenshot pixel of a lon/lat in the map's reported view. */
  private static double[] pixel(Map<String, Object> v, double lon, double lat) {
    int zoom = ((Number) v.get("zoom")).intValue();
    double metresPerPixel = 2 * Math.PI * EARTH_RADIUS_M / (256 * Math.pow(2, zoom));
    double x = (mx(lon) - mx(num(v, "lon"))) / metresPerPixel + num(v, "w") / 2;
    double y = (my(num(v, "lat")) - my(lat)) / metresPerPixel + num(v, "h") / 2;
    return new double[] {(num(v, "left") + x) * num(v, "ratio"), (num(v, "top") + y) * num(v, "ratio")};
  }

  private static double mx(double lon) {
    return EARTH_RADIUS_M * Math.toRadians(lon);
  }

  private static double my(double lat) {
    return EARTH_RADIUS_M * Math.log(Math.tan(Math.PI / 4 + Math.toRadians(lat) / 2));
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  /** Pixels of the road's colour (within 40 per channel) in a column 41 px wide, {@code dy} px above and below. */
  private static int roadPixels(BufferedImage shot, double[] at, int dy) {
    int n = 0;
    for (int x = (int) at[0] - 20; x <= (int) at[0] + 20; x++) {
      for (int y = (int) Math.round(at[1]) - dy; y <= (int) Math.round(at[1]) + dy; y++) {
        if (x < 0 || y < 0 || x >= shot.getWidth() || y >= shot.getHeight()) {
          continue;
        }
        int c = shot.getRGB(x, y);
        if (Math.abs(((c >> 16) & 0xff) - ((ROAD_RGB >> 16) & 0xff)) <= 40
            && Math.abs(((c >> 8) & 0xff) - ((ROAD_RGB >> 8) & 0xff)) <= 40
            && Math.abs((c & 0xff) - (ROAD_RGB & 0xff)) <= 40) {
          n++;
        }
      }
    }
    return n;
  }
}
