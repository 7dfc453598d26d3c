package org.safegrid.server.ogc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.validate.AttributeMapping;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.safegrid.server.upload.GridSetLifecycle;
import org.safegrid.server.upload.UploadService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** OGC API – Features over HTTP, read by GDAL's own OAPIF driver (ogrinfo) as QGIS would. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw"})
class OgcApiTest {

  private static final int CELLS = 150;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, OgcApiTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  TestRestTemplate rest;
  @Autowired
  UploadService uploads;
  @Autowired
  GridSetLifecycle lifecycle;
  @Autowired
  UserAccountService accounts;

  private final ObjectMapper json = new ObjectMapper();
  private static boolean loaded;

  /** A 150-cell grid set, uploaded and activated through the services, and a viewer account. */
  @BeforeEach
  void activeGrid() {
    if (loaded) {
      return;
    }
    StringBuilder fc = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < CELLS; i++) {
      double x = 114.3 + (i % 15) * 0.01;
      double y = 23.0 + (i / 15) * 0.01;
      fc.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"type\":\"Feature\",\"properties\":{\"code\":\"G%03d\",\"name\":\"网格%d\"},\"geometry\":{\"type\":\"Polygon\","
              + "\"coordinates\":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f]]]}}",
          i, i, x, y, x + 0.01, y, x + 0.01, y + 0.01, x, y + 0.01, x, y));
    }
    fc.append("]}");
    var actor = new org.safegrid.server.upload.Actor("test", "127.0.0.1");
    var draft = uploads.upload(new ByteArrayInputStream(fc.toString().getBytes(StandardCharsets.UTF_8)),
        new UploadService.UploadRequest("ogc.geojson", LayerKind.GRID,
            new ReadOptions(null, null, ReadOptions.WGS84, null), AttributeMapping.none()),
        actor);
    lifecycle.activateGridSet(draft.id(), actor);
    accounts.createUser("viewer", "viewer-pw", List.of(Role.VIEWER));
    loaded = true;
  }

  private JsonNode get(String path) throws Exception {
    var r = rest.withBasicAuth("viewer", "viewer-pw").getForEntity(path, String.class);
    assertThat(r.getStatusCode().value()).as("%s: %s", path, r.getBody()).isEqualTo(200);
    return json.readTree(r.getBody());
  }

  @Test
  void landingConformanceAndCollections() throws Exception {
    JsonNode landing = get("/ogc");
    assertThat(landing.path("links").findValuesAsText("rel")).contains("self", "conformance", "data");
    assertThat(get("/ogc/conformance").path("conformsTo").toString()).contains("conf/core", "conf/geojson");
    JsonNode cols = get("/ogc/collections?f=json");
    assertThat(cols.path("collections").findValuesAsText("id")).contains("grid", "districts", "coastline", "campuses");
    JsonNode grid = get("/ogc/collections/grid");
    assertThat(grid.path("extent").path("spatial").path("bbox").get(0).get(0).asDouble()).isEqualTo(114.3);
    assertThat(rest.getForEntity("/ogc/collections", String.class).getStatusCode().value()).isEqualTo(401);
  }

  @Test
  void itemsPageWithNextLinksAndFilterByBbox() throws Exception {
    JsonNode page = get("/ogc/collections/grid/items?limit=40&f=json");
    assertThat(page.path("numberMatched").asInt()).isEqualTo(CELLS);
    assertThat(page.path("numberReturned").asInt()).isEqualTo(40);
    int seen = 0;
    String next = "/ogc/collections/grid/items?limit=40";
    while (next != null) {
      JsonNode p = get(next);
      seen += p.path("features").size();
      next = null;
      for (JsonNode l : p.path("links")) {
        if (l.path("rel").asText().equals("next")) {
          next = l.path("href").asText().replace("http://localhost:" + port, "").replace("http://127.0.0.1:" + port, "");
        }
      }
    }
    assertThat(seen).isEqualTo(CELLS);
    // the first row of cells: lat 23.00–23.01; a bbox inside it touches those 15 only
    JsonNode inRow = get("/ogc/collections/grid/items?bbox=114.0,23.001,115.0,23.009");
    assertThat(inRow.path("numberMatched").asInt()).isEqualTo(15);
    long fid = inRow.path("features").get(0).path("id").asLong();
    JsonNode one = get("/ogc/collections/grid/items/" + fid);
    assertThat(one.path("properties").path("code").asText()).startsWith("G0");
    assertThat(rest.withBasicAuth("viewer", "viewer-pw").getForEntity("/ogc/collections/nope/items", String.class)
        .getStatusCode().value()).isEqualTo(404);
    assertThat(rest.withBasicAuth("viewer", "viewer-pw")
        .getForEntity("/ogc/collections/grid/items?bbox=1,2,3", String.class).getStatusCode().value()).isEqualTo(400);
  }

  @Test
  void gdalOgrinfoListsCollectionsAndReadsGridFeatures() throws Exception {
    String url = "OAPIF:http://127.0.0.1:" + port + "/ogc";
    String list = ogrinfo("-ro", "-q", url);
    assertThat(list).contains("grid").contains("districts").contains("campuses");
    String features = ogrinfo("-ro", url, "grid");
    long count = features.lines().filter(l -> l.startsWith("OGRFeature(grid)")).count();
    assertThat(count).as(features.length() > 2000 ? features.substring(0, 2000) : features).isEqualTo(CELLS);
    assertThat(features).contains("code (String) = G149").contains("MULTIPOLYGON (((114.");
  }

  private static String ogrinfo(String... args) throws IOException, InterruptedException {
    return OgrInfo.run("viewer", "viewer-pw", args);
  }

}
