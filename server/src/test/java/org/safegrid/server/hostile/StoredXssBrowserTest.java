package org.safegrid.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.browser.Browser;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Check 30: a district and a campus whose names and properties carry HTML are uploaded and
 * activated through the API; headless Chromium opens their popups on the live map. No script runs,
 * no dialog opens, the popup shows the markup as literal text, and the page's CSP forbids inline script.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=xss-admin-pw"})
class StoredXssBrowserTest {

  static final String NAME = "<img src=x onerror=window.__xss=1>";
  static final String POPUP = "<script>window.__xss=2</script><b onmouseover=window.__xss=3>bold</b>";

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, StoredXssBrowserTest.class);
  }

  @LocalServerPort
  int port;

  private final ObjectMapper json = new ObjectMapper();

  private void uploadAndActivate(HostileClient client, String layer, String geometry) throws Exception {
    String props = json.createObjectNode().put("adcode", "441302").put("code", "441302").put("name", NAME)
        .put("popupContent", POPUP).put("description", NAME).toString();
    byte[] file = ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":" + props
        + ",\"geometry\":" + geometry + "}]}").getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> up = client.upload(layer + ".geojson", file, "layer", layer);
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    JsonNode body = json.readTree(up.body());
    HttpResponse<String> act = client.postJson(body.path("links").path("activate").asText(), "");
    assertThat(act.statusCode()).as(act.body()).isEqualTo(200);
  }

  @Test
  void htmlInNamesAndPopupContentIsShownAsTextAndNeverRuns() throws Exception {
    HostileClient client = new HostileClient(port, "admin", "xss-admin-pw");
    uploadAndActivate(client, "districts", "{\"type\":\"Polygon\",\"coordinates\":[[[114.38,23.08],[114.46,23.08],"
        + "[114.46,23.14],[114.38,23.14],[114.38,23.08]]]}");
    uploadAndActivate(client, "campuses", "{\"type\":\"Point\",\"coordinates\":[114.42,23.11]}");

    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/login.html")).build(), HttpResponse.BodyHandlers.ofString());
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertThat(csp).contains("script-src 'self'").doesNotContain("'unsafe-inline'").doesNotContain("'unsafe-eval'");

    try (Browser browser = new Browser("http://127.0.0.1:" + port)) {
      browser.open("/");
      browser.login("admin", "xss-admin-pw");
      browser.waitForMapReady(Duration.ofSeconds(60));
      WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(15), Duration.ofMillis(50));
      for (String layer : new String[] {"districts", "campuses"}) {
        // districts are a GeoJSON layer; campuses one canvas of points (js/pointlayer.js) with its own click
        wait.until(d -> ((Number) browser.js("var n = 0; var o = window.safegrid.overlays['" + layer + "'];"
            + " if (o && o.eachLayer) o.eachLayer(function () { n++; }); else if (o) n = (o.points || []).length;"
            + " return n;")).intValue() > 0);
        // show the layer if it is off, then open the feature's popup as a click would
        browser.js("var o = window.safegrid.overlays['" + layer + "']; if (!window.safegrid.map.hasLayer(o))"
            + " o.addTo(window.safegrid.map); window.safegrid.map.closePopup();"
            + " if (o.eachLayer) o.eachLayer(function (l) { l.fire('click', {latlng: l.getLatLng ? l.getLatLng()"
            + " : l.getBounds().getCenter()}); });"
            + " else { var p = o.points[0]; o.options.onClick(p, L.latLng(p.lat, p.lng)); }");
        // the popup opens on the next frame and a layer reload may replace it: read it in one step
        // (its text and what it contains) once it shows text
        @SuppressWarnings("unchecked")
        Map<String, Object> popup = (Map<String, Object>) wait.until(d -> browser.js(
            "var p = Array.prototype.find.call(document.querySelectorAll('.leaflet-popup-content'),"
            + " function (e) { return e.innerText.trim().length > 0; });"
            + " return p ? { text: p.innerText, img: p.querySelectorAll('img').length,"
            + " script: p.querySelectorAll('script').length } : null;"));
        assertThat((String) popup.get("text")).as("%s popup shows the markup as text", layer).contains(NAME);
        assertThat(((Number) popup.get("img")).intValue()).as("no <img> element was created").isZero();
        assertThat(((Number) popup.get("script")).intValue()).as("no <script> element was created").isZero();
        assertThat(browser.driver().findElements(By.cssSelector("img[src='x']"))).isEmpty();
      }
      Thread.sleep(300);
      assertThat(browser.js("return typeof window.__xss")).as("window.__xss").isEqualTo("undefined");
      boolean alert;
      try {
        browser.driver().switchTo().alert();
        alert = true;
      } catch (NoAlertPresentException e) {
        alert = false;
      }
      assertThat(alert).as("an alert dialog opened").isFalse();
    }
  }
}
