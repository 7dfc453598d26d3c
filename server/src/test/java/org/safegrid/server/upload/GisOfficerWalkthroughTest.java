package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.boundary.GeoPackageReader;
import org.safegrid.gisdata.boundary.Ogr2Ogr;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.datum.Gcj02;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.ogc.OgrInfo;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The walk-through of {@code docs/gis-officers.md}, step by step against a real server started as
 * {@code ./safegrid run} starts it (the reference city loaded: a synthetic grid, real districts,
 * synthetic campuses, checkpoints and cameras): the requests are the document's curl commands as
 * HTTP calls, the files are made by GDAL as a GIS officer's desktop GIS would, and the QGIS step is
 * GDAL's own OGC API client, {@code ogrinfo}. Every report is checked against the documented schema.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=true", "safegrid.security.admin-password=walkthrough-admin-pw"})
class GisOfficerWalkthroughTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, GisOfficerWalkthroughTest.class);
  }

  private static final String GIS = "gis.officer";
  private static final String GIS_PW = "officer-password-1";
  /** The second GIS officer, who approves the first one's activations (four eyes). */
  private static final String GIS2 = "gis.officer2";
  private static final String GIS2_PW = "officer-password-2";
  /** The walk-through's grid: 4 × 4 cells of 0.005° in Huicheng district (惠城区, 441302). */
  private static final double LON0 = 114.38;
  private static final double LAT0 = 23.06;
  private static final double SIZE = 0.005;

  @Autowired
  TestRestTemplate rest;
  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;

  @TempDir
  Path tmp;

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void theWalkThroughWorksStepByStep() throws Exception {
    // step 0: the admin creates the GIS officer's account; readiness says every reader can run
    JsonNode health = json.readTree(rest.withBasicAuth("admin", "walkthrough-admin-pw")
        .getForObject("/actuator/health/readiness", String.class));
    assertThat(health.path("components").path("uploadReaders").path("status").asText()).isEqualTo("UP");
    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> user = rest.withBasicAuth("admin", "walkthrough-admin-pw").postForEntity("/api/users",
        new HttpEntity<>("{\"username\":\"" + GIS + "\",\"password\":\"" + GIS_PW + "\",\"roles\":[\"GIS_ADMIN\"]}", h),
        String.class);
    assertThat(user.getStatusCode().is2xxSuccessful()).as("%s", user.getBody()).isTrue();
    ResponseEntity<String> user2 = rest.withBasicAuth("admin", "walkthrough-admin-pw").postForEntity("/api/users",
        new HttpEntity<>("{\"username\":\"" + GIS2 + "\",\"password\":\"" + GIS2_PW + "\",\"roles\":[\"GIS_ADMIN\"]}", h),
        String.class);
    assertThat(user2.getStatusCode().is2xxSuccessful()).as("%s", user2.getBody()).isTrue();
    long reference = jdbc.queryForObject("SELECT id FROM grid_set WHERE status = 'active'", Long.class);
    assertThat(jdbc.queryForObject("SELECT synthetic FROM grid_set WHERE id = ?", Boolean.class, reference)).isTrue();

    // step 1: the districts as a zipped Shapefile in EPSG:4547 with GBK attributes, made by GDAL: clean
    byte[] districts = UploadFixtures.districtsShapefileGk4547Gbk(tmp);
    JsonNode d = created(upload("districts_4547.zip", districts, "districts", "datum", "cgcs2000"));
    assertThat(d.path("report").path("problems")).isEmpty();
    assertThat(d.path("report").path("crs").asText()).startsWith("EPSG:4547");
    assertThat(d.path("report").path("encoding").asText()).startsWith("GBK");
    assertThat(d.path("report").path("datum").asText()).isEqualTo("cgcs2000");
    // the same districts again: no district's area moves by more than 1 %, so one officer activates them
    ok(post(d.path("links").path("activate").asText()));

    // step 2: the grid as a GeoPackage (GDAL), district codes in QXDM: clean, located in 441302
    Path v1Json = grid(tmp.resolve("grid_v1.geojson"), false, "441302");
    Path v1 = tmp.resolve("grid_v1.gpkg");
    gdal("-f", "GPKG", v1.toString(), v1Json.toString(), "-nln", "grid");
    JsonNode g1 = created(upload("grid_v1.gpkg", Files.readAllBytes(v1), "grid"));
    assertThat(g1.path("report").path("problems")).as("%s", g1.path("report")).isEmpty();
    assertThat(g1.path("report").path("format").asText()).isEqualTo("GEOPACKAGE");
    assertThat(g1.path("report").path("notes").findValuesAsText("type")).as("no towns layer is live")
        .containsExactly("towns_not_checked");
    long v1Id = g1.path("draftId").asLong();
    assertThat(jdbc.queryForList("SELECT DISTINCT district_code FROM grid_cell WHERE grid_set_id = ?", String.class, v1Id))
        .containsExactly("441302");

    // step 3: the same grid with district names instead of codes: a district_mismatch warning per cell,
    // both values named, the located code stored; the draft is discarded
    Path names = grid(tmp.resolve("grid_names.geojson"), false, "惠城区");
    JsonNode gn = created(upload("grid_names.geojson", Files.readAllBytes(names), "grid"));
    JsonNode mismatch = gn.path("report").path("problems").get(0);
    assertThat(gn.path("report").path("counts").path("district_mismatch").asInt()).isEqualTo(16);
    assertThat(mismatch.path("type").asText()).isEqualTo("district_mismatch");
    assertThat(mismatch.path("blocking").asBoolean()).isFalse();
    assertThat(mismatch.path("fileValue").asText()).isEqualTo("惠城区");
    assertThat(mismatch.path("foundValue").asText()).isEqualTo("441302");
    assertThat(gn.path("report").path("problemTypes").path("district_mismatch").path("severity").asText())
        .isEqualTo("warning");
    assertThat(rest.withBasicAuth(GIS, GIS_PW).exchange("/api/grid-sets/" + gn.path("draftId").asLong(),
        HttpMethod.DELETE, null, String.class).getStatusCode().value()).isEqualTo(204);

    // step 4: campuses traced on a web map (GCJ-02): converted to WGS84 on reading
    double[] wgs = {LON0 + 0.007, LAT0 + 0.008};
    double[] gcj = Gcj02.fromWgs84(wgs[0], wgs[1]);
    String campuses = String.format(Locale.ROOT, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        + "\"properties\":{\"code\":\"XX001\",\"name\":\"第一中学\",\"kind\":\"middle\"},\"geometry\":{\"type\":\"Point\","
        + "\"coordinates\":[%.7f,%.7f]}}]}", gcj[0], gcj[1]);
    JsonNode c = created(upload("campuses_amap.geojson", campuses.getBytes(StandardCharsets.UTF_8), "campuses",
        "datum", "gcj02"));
    assertThat(c.path("report").path("datum").asText()).isEqualTo("gcj02");
    ok(post(c.path("links").path("activate").asText()));
    JsonNode live = json.readTree(get("/api/overlays/campuses")).path("features").get(0);
    double offM = Math.hypot((live.path("geometry").path("coordinates").get(0).asDouble() - wgs[0])
        * 111_319.49 * Math.cos(Math.toRadians(wgs[1])), (live.path("geometry").path("coordinates").get(1).asDouble()
        - wgs[1]) * 111_319.49);
    assertThat(offM).as("metres from the WGS84 position").isLessThan(1.0);
    assertThat(live.path("properties").path("districtCode").asText()).isEqualTo("441302");

    // step 5: activate version 1 (its diff first), roll back to the reference grid, activate version 1 again
    JsonNode diff1 = json.readTree(get("/api/grid-sets/" + v1Id + "/diff"));
    assertThat(diff1.path("againstId").asLong()).isEqualTo(reference);
    assertThat(diff1.path("counts").path("added").asInt()).isEqualTo(16);
    // district 441302 shrinks to 16 cells: a second officer approves (four eyes); the first cannot
    JsonNode pending = accepted(post("/api/grid-sets/" + v1Id + "/activate"));
    assertThat(pending.path("request").path("reason").asText()).contains("441302");
    assertThat(pending.path("request").path("diff").path("counts").path("added").asInt()).isEqualTo(16);
    ResponseEntity<String> own = post(pending.path("links").path("approve").asText());
    assertThat(own.getStatusCode().value()).isEqualTo(403);
    assertThat(json.readTree(own.getBody()).path("reason").asText()).isEqualTo("own_request");
    ok(approve(pending));
    ok(approve(accepted(post("/api/grid-sets/" + reference + "/activate"))));
    assertThat(jdbc.queryForObject("SELECT id FROM grid_set WHERE status = 'active'", Long.class)).isEqualTo(reference);
    ok(approve(accepted(post("/api/grid-sets/" + v1Id + "/activate"))));

    // an open alert in cell HZ0002 and a roster row for HZ0016, as the alert engine and the roster upload leave them
    long alert = jdbc.queryForObject("INSERT INTO alert (rule_id, dedupe_key, severity, title, geom, observed_at, "
        + "grid_set_id, cell_code) VALUES ('walkthrough', 'w1', 'high', 'test alert', ST_SetSRID(ST_MakePoint(?, ?), 4326), "
        + "now(), ?, 'HZ0002') RETURNING id", Long.class, LON0 + 1.5 * SIZE, LAT0 + 0.5 * SIZE, v1Id);
    jdbc.update("INSERT INTO alert_roster (level, area_code, officer) VALUES ('grid', 'HZ0016', 'Officer Li') "
        + "ON CONFLICT (level, area_code) DO UPDATE SET officer = EXCLUDED.officer");
    // and an open incident there, as the incident engine leaves it
    long incident = jdbc.queryForObject("INSERT INTO incident (rule_id, group_key, title, severity, first_observed_at, "
        + "last_observed_at, geom, cell_code, district_code) VALUES ('walkthrough', 'w1', 'test incident', 'high', now(), "
        + "now(), ST_SetSRID(ST_MakePoint(?, ?), 4326), 'HZ0002', '441302') RETURNING id", Long.class,
        LON0 + 1.5 * SIZE, LAT0 + 0.5 * SIZE);

    // step 6: version 2 as a GBK / EPSG:4547 Shapefile: HZ0016 removed, HZ0017 added, HZ0001 re-shaped,
    // HZ0002 re-coded HZX002; the diff says exactly that before activation
    Path v2Json = grid(tmp.resolve("grid_v2.geojson"), true, "441302");
    gdal("-f", "ESRI Shapefile", "-t_srs", "EPSG:4547", "-lco", "ENCODING=CP936", tmp.resolve("grid_v2.shp").toString(),
        v2Json.toString());
    byte[] v2Zip = zipShapefile("grid_v2");
    JsonNode g2 = created(upload("grid_v2.zip", v2Zip, "grid"));
    assertThat(g2.path("report").path("problems")).as("%s", g2.path("report")).isEmpty();
    assertThat(g2.path("report").path("encoding").asText()).startsWith("GBK");
    long v2Id = g2.path("draftId").asLong();
    JsonNode diff = json.readTree(get(g2.path("links").path("diff").asText()));
    assertThat(diff.path("againstId").asLong()).isEqualTo(v1Id);
    assertThat(json.convertValue(diff.path("counts"), Map.class)).isEqualTo(Map.of("added", 1, "removed", 1,
        "reshaped", 1, "recoded", 1, "unchanged", 13));
    assertThat(diff.path("added").get(0).asText()).isEqualTo("HZ0017");
    assertThat(diff.path("removed").get(0).asText()).isEqualTo("HZ0016");
    assertThat(diff.path("reshaped").get(0).path("code").asText()).isEqualTo("HZ0001");
    assertThat(diff.path("recoded").get(0).path("from").asText()).isEqualTo("HZ0002");
    assertThat(diff.path("recoded").get(0).path("to").asText()).isEqualTo("HZX002");
    JsonNode district = diff.path("districts").get(0);
    assertThat(district.path("districtCode").asText()).isEqualTo("441302");
    assertThat(district.path("cellsBefore").asInt()).isEqualTo(16);
    assertThat(district.path("cellsAfter").asInt()).isEqualTo(16);
    // HZ0001 lost a fifth of its width: 0.001° × 0.005° at lat 23.06, about 102 m × 554 m ≈ 56,700 m² less
    // (HZ0017 and HZ0016 are the same size but for 0.005° of latitude: a few m²)
    assertThat(district.path("movedM2").asDouble()).isBetween(-58_000.0, -55_500.0);
    assertThat(diff.path("vanishedRoster").findValuesAsText("cellCode")).contains("HZ0016");
    JsonNode onVanished = diff.path("openAlerts").path("onVanishedCells").get(0);
    assertThat(onVanished.path("alertId").asLong()).isEqualTo(alert);
    assertThat(onVanished.path("newCellCode").asText()).isEqualTo("HZX002");
    JsonNode incidentOnVanished = diff.path("openIncidents").path("onVanishedCells").get(0);
    assertThat(incidentOnVanished.path("incidentId").asLong()).isEqualTo(incident);
    assertThat(incidentOnVanished.path("newCellCode").asText()).isEqualTo("HZX002");
    // HZ0001's lost fifth moves 441302's area by about 1.3 %: over the 1 % tolerance, so approved again
    JsonNode activation = ok(approve(accepted(post("/api/grid-sets/" + v2Id + "/activate"))));
    assertThat(activation.path("alertsRebound").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(activation.path("incidentsRebound").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT cell_code FROM incident WHERE id = ?", String.class, incident))
        .isEqualTo("HZ0002");
    assertThat(jdbc.queryForList("SELECT grid_set_id || ':' || cell_code FROM incident_cell WHERE incident_id = ? "
        + "ORDER BY 1", String.class, incident)).containsExactlyInAnyOrder(v1Id + ":HZ0002", v2Id + ":HZX002");
    assertThat(jdbc.queryForObject("SELECT cell_code FROM alert WHERE id = ?", String.class, alert)).isEqualTo("HZ0002");
    assertThat(jdbc.queryForList("SELECT grid_set_id || ':' || cell_code FROM alert_cell WHERE alert_id = ? ORDER BY 1",
        String.class, alert)).containsExactlyInAnyOrder(v1Id + ":HZ0002", v2Id + ":HZX002");

    // step 7: the export keeps the file's attributes and writes the original coordinate system
    JsonNode exported = json.readTree(get("/api/grid-sets/" + v2Id + "/export?format=geojson"));
    JsonNode props = exported.path("features").get(0).path("properties");
    assertThat(props.path("BZ").asText()).isEqualTo("备注1");
    assertThat(props.path("RK").asInt()).isEqualTo(1000);
    assertThat(exported.has("synthetic")).isFalse();
    ResponseEntity<byte[]> gpkg = rest.withBasicAuth(GIS, GIS_PW)
        .getForEntity("/api/grid-sets/" + v2Id + "/export?format=gpkg&crs=source", byte[].class);
    assertThat(gpkg.getStatusCode().value()).isEqualTo(200);
    Path back = tmp.resolve("export.gpkg");
    Files.write(back, gpkg.getBody());
    var layer = new GeoPackageReader(ReadLimits.defaults()).read(back, null);
    assertThat(layer.crsWkt()).isEqualTo("EPSG:4547");
    assertThat(layer.features().get(0).properties()).containsEntry("BZ", "备注1").containsKey("RK");
    assertThat(layer.features().get(0).geometry().getEnvelopeInternal().getMinX()).as("metres, not degrees")
        .isGreaterThan(100_000);
    assertThat(rest.withBasicAuth(GIS, GIS_PW).getForEntity("/api/grid-sets/" + v2Id + "/export?crs=nonsense",
        String.class).getStatusCode().value()).isEqualTo(400);

    // step 8: QGIS's view through GDAL's OGC API client: each layer with its synthetic flag in the title
    String url = "OAPIF:http://127.0.0.1:" + port + "/ogc";
    String list = ogrinfo("-ro", "-q", url);
    assertThat(list).contains("grid (title: Management grid)").doesNotContain("Management grid (synthetic)")
        .contains("campuses (title: Campuses)").contains("districts (title: Districts)")
        .contains("checkpoints (title: Checkpoints (synthetic))").contains("cameras (title: Cameras (synthetic))");
    String grid = ogrinfo("-ro", "-so", url, "grid");
    assertThat(grid).contains("Feature Count: 16").contains("code: String");
    JsonNode collection = json.readTree(get("/ogc/collections/checkpoints"));
    assertThat(collection.path("synthetic").asBoolean()).isTrue();
    assertThat(json.readTree(get("/ogc/collections/grid")).path("synthetic").asBoolean()).isFalse();
  }

  /*
   * The walk-through's grid, rows from the south-west, codes HZ0001..HZ0016:
   *
   *   13 14 15 16          version 2: 16 gone, 17 added east of 12,
   *    9 10 11 12 17       1 loses the western fifth of its width,
   *    5  6  7  8          2 is re-coded HZX002
   *    1  2  3  4
   */
  private static Path grid(Path file, boolean version2, String district) throws IOException {
    List<String> features = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      int row = i / 4;
      int col = i % 4;
      String code = String.format(Locale.ROOT, "HZ%04d", i + 1);
      if (i == 16) {
        if (!version2) {
          continue;
        }
        row = 2;
        col = 4;
      }
      if (version2 && i == 15) {
        continue;
      }
      if (version2 && i == 1) {
        code = "HZX002";
      }
      double x0 = LON0 + col * SIZE + (version2 && i == 0 ? 0.2 * SIZE : 0);
      double y0 = LAT0 + row * SIZE;
      double x1 = LON0 + (col + 1) * SIZE;
      double y1 = y0 + SIZE;
      features.add(String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"%s\",\"WGMC\":\"网格%d\","
              + "\"QXDM\":\"%s\",\"BZ\":\"备注%d\",\"RK\":%d},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],"
              + "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}", code, i + 1, district, i + 1, 1000 * (i + 1),
          x0, y0, x1, y0, x1, y1, x0, y1, x0, y0));
    }
    Files.writeString(file, "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}");
    return file;
  }

  private void gdal(String... args) throws IOException {
    Ogr2Ogr.Result r = new Ogr2Ogr(Duration.ofSeconds(60)).run(List.of(args), tmp);
    assertThat(r.exitCode()).as("ogr2ogr %s: %s", String.join(" ", args), r.stderr()).isZero();
  }

  private byte[] zipShapefile(String stem) throws IOException {
    List<Object> entries = new ArrayList<>();
    for (String ext : List.of("shp", "shx", "dbf", "prj")) {
      entries.add(stem + "." + ext);
      entries.add(Files.readAllBytes(tmp.resolve(stem + "." + ext)));
    }
    return UploadFixtures.zip(entries.toArray());
  }

  private ResponseEntity<String> upload(String fileName, byte[] bytes, String layer, String... params) {
    return rest.withBasicAuth(GIS, GIS_PW).postForEntity("/api/uploads", UploadForms.form(fileName, bytes, layer, params),
        String.class);
  }

  private JsonNode created(ResponseEntity<String> r) throws IOException {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(201);
    JsonNode body = json.readTree(r.getBody());
    assertThat(ReportSchema.violations(body.path("report"))).as("report against the schema: %s", body.path("report"))
        .isEmpty();
    return body;
  }

  private ResponseEntity<String> post(String path) {
    return rest.withBasicAuth(GIS, GIS_PW).postForEntity(path, null, String.class);
  }

  /** A 202 answer to an activation: the pending four-eyes request with its diff. */
  private JsonNode accepted(ResponseEntity<String> r) throws IOException {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(202);
    return json.readTree(r.getBody());
  }

  /** The second officer approves a pending request. */
  private ResponseEntity<String> approve(JsonNode pending) {
    return rest.withBasicAuth(GIS2, GIS2_PW).postForEntity(pending.path("links").path("approve").asText(), null,
        String.class);
  }

  private JsonNode ok(ResponseEntity<String> r) throws IOException {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(200);
    return json.readTree(r.getBody());
  }

  private String get(String path) {
    ResponseEntity<String> r = rest.withBasicAuth(GIS, GIS_PW).getForEntity(path, String.class);
    assertThat(r.getStatusCode().value()).as("GET %s: %s", path, r.getBody()).isEqualTo(200);
    return r.getBody();
  }

  /** GDAL's ogrinfo with HTTP Basic, as QGIS's OGC API Features connection authenticates. */
  private static String ogrinfo(String... args) throws IOException, InterruptedException {
    return OgrInfo.run(GIS, GIS_PW, args);
  }

}
