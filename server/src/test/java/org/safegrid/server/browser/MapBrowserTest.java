package org.safegrid.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Logs in with headless Chromium, loads the map and counts the overlay features it draws. */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.security.admin-password=browser-pw"})
class MapBrowserTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, MapBrowserTest.class);
  }

  @LocalServerPort
  int port;

  @Autowired
  JdbcTemplate jdbc;

  private Browser browser;

  @BeforeAll
  void start() {
    browser = new Browser("http://127.0.0.1:" + port);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void signedInUserSeesDistrictsCoastlineCampusesAndGrid() throws Exception {
    browser.open("/");
    assertThat(browser.driver().getCurrentUrl()).as("the map asks to log in").contains("/login.html");
    browser.login("admin", "browser-pw");
    Map<String, Object> state = browser.waitForMapReady(Duration.ofSeconds(60));
    assertThat(state.get("error")).isNull();
    Map<String, Map<String, Object>> layers = (Map<String, Map<String, Object>>) state.get("layers");
    long districts = jdbc.queryForObject("SELECT count(*) FROM overlay_feature WHERE layer = 'districts'", Long.class);
    long campuses = jdbc.queryForObject("SELECT count(*) FROM overlay_feature WHERE layer = 'campuses'", Long.class);
    long coast = jdbc.queryForObject("SELECT count(*) FROM overlay_feature WHERE layer = 'coastline'", Long.class);
    long cells = jdbc.queryForObject("SELECT count(*) FROM grid_cell", Long.class);
    assertThat(((Number) layers.get("districts").get("count")).longValue()).isEqualTo(districts).isEqualTo(5);
    assertThat(((Number) layers.get("campuses").get("count")).longValue()).isEqualTo(campuses);
    assertThat(((Number) layers.get("coastline").get("count")).longValue()).isEqualTo(coast);
    assertThat(((Number) layers.get("grid").get("count")).longValue()).isEqualTo(cells);
    assertThat(layers.get("districts").get("on")).isEqualTo(true);
    // the canvas renderer actually drew: the districts layer has on-map paths
    Number drawn = (Number) browser.js(
        "var n = 0; window.safegrid.overlays.districts.eachLayer(function (l) { if (l._map) n++; }); return n;");
    assertThat(drawn.longValue()).isEqualTo(5);
    Path shot = browser.screenshot("map");
    assertThat(Files.size(shot)).isGreaterThan(10_000);
  }
}
