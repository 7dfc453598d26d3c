package org.safegrid.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.safegrid.server.upload.UploadForms;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The "synthetic" label is data (issue 15 item 6), in a real headless Chromium: with the reference city
 * loaded, the map's layer panel and its synthetic note name the campuses layer as synthetic; after a
 * GIS officer uploads and activates real campuses, a reload shows the campuses without the label while
 * the still-synthetic checkpoints keep it.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=true", "safegrid.security.admin-password=synthetic-pw"})
class SyntheticLabelBrowserTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, SyntheticLabelBrowserTest.class);
  }

  private static final String SUFFIX = "（合成）";

  @LocalServerPort
  int port;
  @Autowired
  UserAccountService accounts;
  @Autowired
  TestRestTemplate rest;

  @Test
  void theSyntheticLabelShowsForSyntheticLayersAndGoesAfterARealUpload() throws Exception {
    accounts.createUser("gis", "synthetic-gis-pw", List.of(Role.GIS_ADMIN));
    try (Browser browser = new Browser("http://127.0.0.1:" + port)) {
      browser.login("gis", "synthetic-gis-pw");
      browser.open("/");
      browser.waitForMapReady(Duration.ofSeconds(90));
      waitForLayer(browser, "campuses");
      waitForLayer(browser, "checkpoints");
      assertThat(title(browser, "campuses")).isEqualTo("校园" + SUFFIX);
      assertThat(title(browser, "checkpoints")).isEqualTo("卡口" + SUFFIX);
      assertThat(browser.js("return !document.getElementById('synthetic-note').hidden")).isEqualTo(true);
      assertThat((String) browser.js("return document.getElementById('synthetic-note').textContent"))
          .contains("校园").contains("卡口");
      browser.screenshot("synthetic-label-before");

      // real campuses: one school in Huicheng, uploaded and activated by the GIS officer
      String campuses = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
          + "{\"code\":\"XX001\",\"name\":\"第一中学\",\"kind\":\"middle\"},\"geometry\":{\"type\":\"Point\","
          + "\"coordinates\":[114.387,23.068]}}]}";
      ResponseEntity<String> up = rest.withBasicAuth("gis", "synthetic-gis-pw").postForEntity("/api/uploads",
          UploadForms.form("campuses.geojson", campuses.getBytes(StandardCharsets.UTF_8), "campuses"), String.class);
      assertThat(up.getStatusCode().value()).as("%s", up.getBody()).isEqualTo(201);
      long draft = new com.fasterxml.jackson.databind.ObjectMapper().readTree(up.getBody()).path("draftId").asLong();
      ResponseEntity<String> act = rest.withBasicAuth("gis", "synthetic-gis-pw")
          .postForEntity("/api/overlay-drafts/" + draft + "/activate", null, String.class);
      assertThat(act.getStatusCode().value()).as("%s", act.getBody()).isEqualTo(200);

      browser.open("/");
      browser.waitForMapReady(Duration.ofSeconds(90));
      waitForLayer(browser, "campuses");
      waitForLayer(browser, "checkpoints");
      assertThat(title(browser, "campuses")).isEqualTo("校园");
      assertThat(title(browser, "checkpoints")).isEqualTo("卡口" + SUFFIX);
      assertThat((String) browser.js("return document.getElementById('synthetic-note').textContent"))
          .doesNotContain("校园").contains("卡口");
      browser.screenshot("synthetic-label-after");
    }
  }

  private static void waitForLayer(Browser browser, String name) {
    new WebDriverWait(browser.driver(), Duration.ofSeconds(60)).until(d -> Boolean.TRUE.equals(
        browser.js("var cb = document.getElementById('layer-' + arguments[0]); return !!cb && !cb.disabled;", name)));
  }

  /** The layer's title in the map's layer panel. */
  private static String title(Browser browser, String name) {
    return (String) browser.js("return document.getElementById('layer-' + arguments[0]).parentNode"
        + ".querySelector('.name').textContent", name);
  }
}
