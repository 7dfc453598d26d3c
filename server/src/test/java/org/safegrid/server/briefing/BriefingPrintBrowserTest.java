package org.safegrid.server.briefing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.browser.Browser;
import org.safegrid.server.risk.LiveRiskService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The briefing printed to PDF by headless Chromium ({@code Page.printToPDF} with the page's own
 * {@code @page} size) against a real server on real PostGIS, read back with PDFBox: two to four A4
 * landscape pages whose text carries the figures {@code /api/briefing} serves for the same period,
 * and none of the page's button texts.
 */
@Tag("browser")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=print-admin-pw"})
class BriefingPrintBrowserTest {

  /** A4 landscape in PDF points (297 × 210 mm). */
  private static final double A4_LONG = 841.89;
  private static final double A4_SHORT = 595.28;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, BriefingPrintBrowserTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  LiveRiskService live;

  private Browser browser;
  private BriefingFixture city;

  @BeforeAll
  void start() {
    city = new BriefingFixture(jdbc);
    city.load();
    live.refresh();
    browser = new Browser("http://127.0.0.1:" + port);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void printsTwoToFourA4LandscapePagesWithTheApisFiguresAndNoButtons() throws Exception {
    browser.login("admin", "print-admin-pw");
    browser.open("/briefing.html?" + city.query(null));
    new WebDriverWait(browser.driver(), Duration.ofSeconds(90), Duration.ofMillis(200)).until(d -> Boolean.TRUE.equals(
        browser.js("var s = window.SafeGridBriefing && window.SafeGridBriefing.state(); return !!(s && (s.ready || s.error));")));
    assertThat(browser.js("return window.SafeGridBriefing.state().error")).isNull();
    assertThat(((Number) browser.js("return window.SafeGridBriefing.state().incidentsDrawn")).longValue()).isPositive();
    // the figures the page was built from are the API's answer for the same query
    JsonNode api = new ObjectMapper().readTree((String) browser.js(
        "var x = new XMLHttpRequest(); x.open('GET', '/api/briefing?' + arguments[0], false); x.send(); return x.responseText;",
        city.query(null)));

    @SuppressWarnings("unchecked")
    Map<String, Object> printed = browser.driver().executeCdpCommand("Page.printToPDF",
        Map.of("preferCSSPageSize", true, "printBackground", true));
    byte[] pdf = Base64.getDecoder().decode((String) printed.get("data"));
    Path out = Path.of("target", "briefing");
    Files.createDirectories(out);
    Files.write(out.resolve("briefing.pdf"), pdf);

    try (PDDocument doc = Loader.loadPDF(pdf)) {
      assertThat(doc.getNumberOfPages()).isBetween(2, 4);
      for (PDPage page : doc.getPages()) {
        PDRectangle box = page.getMediaBox();
        int rotation = page.getRotation() % 180;
        double width = rotation == 0 ? box.getWidth() : box.getHeight();
        double height = rotation == 0 ? box.getHeight() : box.getWidth();
        assertThat(width).as("page width, pt").isCloseTo(A4_LONG, within(2.0));
        assertThat(height).as("page height, pt").isCloseTo(A4_SHORT, within(2.0));
      }
      String text = new PDFTextStripper().getText(doc);
      String flat = text.replaceAll("\\s+", " ");
      JsonNode incidents = api.path("incidents");
      // the kinds table's total row: 合计, this period, previous period
      assertThat(flat).contains("合计 " + incidents.path("total").asLong() + " " + incidents.path("previousTotal").asLong());
      JsonNode top = api.path("hotspots").path("top").path("features").get(0).path("properties");
      // the hotspot table's first row: rank 1 and its peak cell
      assertThat(flat).contains("1 " + top.path("peakCell").asText());
      assertThat(flat).contains(String.valueOf(top.path("trendEvents").asLong()));
      assertThat(flat).contains("惠城区", "警情简报", "110 报警");
      for (String button : List.of("打印", "生成", "返回地图", "English")) {
        assertThat(flat).as("button text printed").doesNotContain(button);
      }
      // each section starts a page: the map page, the figures, the operations
      assertThat(new PDFTextStripper() {{ setStartPage(2); setEndPage(2); }}.getText(doc)).contains("重点热点");
    }
  }
}
