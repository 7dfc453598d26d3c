package org.safegrid.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.safegrid.server.hostile.HostileClient.noLeak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.algorithm.Orientation;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.safegrid.gisdata.boundary.Ogr2Ogr;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Checks 17–21, 26, 28 and 29 of the reliability plan over HTTP against a real PostGIS: invalid
 * geometry, winding order, mixed-SRID GeoPackages, numeric garbage, GCJ-02 detection, hostile
 * GeoPackages, expression/SQL injection shapes and XML/XXE uploads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=hostile-admin",
    // the large districts replace the live ones: this class is about size, four-eyes approval has its own test
    "safegrid.upload.approval.enabled=false"})
class HostileApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    db = PostgisTestSupport.register(registry, HostileApiTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;

  /** The test database; its administrator makes what the server's own role may not (a table, statement statistics). */
  static org.safegrid.ingest.testing.TestDatabase db;
  @Autowired
  UserAccountService accounts;

  @TempDir
  Path tmp;

  private final ObjectMapper json = new ObjectMapper();
  private HostileClient client;

  @BeforeAll
  void setUp() {
    accounts.createUser("hostile", "hostile-pw", Role.people());
    client = new HostileClient(port, "hostile", "hostile-pw");
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    // the table the DROP TABLE x shapes aim at
    new JdbcTemplate(db.dataSource()).execute("CREATE TABLE IF NOT EXISTS x (id int)");
  }

  private static String cell(String code, double lon, double lat, double size, boolean clockwise) {
    String ring = clockwise
        ? String.format(Locale.ROOT, "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]",
            lon, lat, lon, lat + size, lon + size, lat + size, lon + size, lat, lon, lat)
        : String.format(Locale.ROOT, "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]",
            lon, lat, lon + size, lat, lon + size, lat + size, lon, lat + size, lon, lat);
    return "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"" + code + "\",\"adcode\":\"" + code + "\",\"name\":\""
        + code + "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[" + ring + "]]}}";
  }

  private static byte[] collection(String... features) {
    return ("{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private JsonNode body(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as("%s", r.body()).isEqualTo(status);
    return json.readTree(r.body());
  }

  private int count(String table) {
    return jdbc.queryForObject("SELECT count(*) FROM " + table, Integer.class);
  }

  // ---- 17 ----

  @Test
  void databaseCheckRefusesADirectInsertOfAnInvalidGeometry() {
    String bowTie = "MULTIPOLYGON(((114.40 23.10, 114.41 23.11, 114.41 23.10, 114.40 23.11, 114.40 23.10)))";
    long set = jdbc.queryForObject("INSERT INTO grid_set (name, city_code) VALUES ('check', '441300') RETURNING id",
        Long.class);
    assertThatThrownBy(() -> jdbc.update("INSERT INTO grid_cell (grid_set_id, cell_id, code, area_m2, geom) "
        + "VALUES (?, 1, 'BT', 1, ST_GeomFromText(?, 4326))", set, bowTie))
        .hasMessageContaining("check constraint");
    assertThatThrownBy(() -> jdbc.update("INSERT INTO overlay_feature (layer, version, code, geom) "
        + "VALUES ('districts', 999, 'BT', ST_GeomFromText(?, 4326))", bowTie))
        .hasMessageContaining("check constraint");
  }

  @Test
  void repairableGeometryIsStoredValidFlaggedWithItsAreaChangeAndAudited() throws Exception {
    String bowTie = "{\"type\":\"Feature\",\"properties\":{\"adcode\":\"441399\",\"name\":\"bow-tie\"},\"geometry\":"
        + "{\"type\":\"Polygon\",\"coordinates\":[[[114.40,23.10],[114.42,23.12],[114.42,23.10],[114.40,23.12],"
        + "[114.40,23.10]]]}}";
    JsonNode up = body(client.upload("bowtie.geojson", collection(bowTie), "layer", "campuses"), 201);
    JsonNode problem = up.path("report").path("problems").get(0);
    assertThat(problem.path("type").asText()).isEqualTo("invalid_geometry");
    assertThat(problem.path("repairable").asBoolean()).isTrue();
    assertThat(problem.path("blocking").asBoolean()).isFalse();
    assertThat(problem.path("areaM2").isNumber()).as("area delta reported: %s", problem).isTrue();
    assertThat(problem.path("message").asText()).contains("Self-intersection").contains("repaired");
    assertThat(problem.path("location").path("type").asText()).isEqualTo("Point");
    int version = jdbc.queryForObject("SELECT version FROM overlay_draft WHERE id = ?", Integer.class,
        up.path("draftId").asLong());
    assertThat(jdbc.queryForObject("SELECT bool_and(ST_IsValid(geom)) AND bool_and(GeometryType(geom) IN "
        + "('POLYGON', 'MULTIPOLYGON')) FROM overlay_feature WHERE layer = 'campuses' AND version = ?", Boolean.class,
        version)).isTrue();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'upload' AND outcome = 'success' "
        + "AND (detail->'problems'->>'invalid_geometry')::int = 1", Integer.class)).isPositive();
  }

  // ---- 18 ----

  @Test
  void clockwiseAndCounterClockwiseRingsAreBothAcceptedStoredEqualAndServedRightHanded() throws Exception {
    List<Long> ids = new ArrayList<>();
    for (boolean cw : List.of(true, false)) {
      JsonNode up = body(client.upload("wind.geojson", collection(cell("W1", 114.4, 23.1, 0.01, cw)),
          "layer", "grid"), 201);
      assertThat(up.path("report").path("problems")).isEmpty();
      ids.add(up.path("draftId").asLong());
    }
    assertThat(jdbc.queryForObject("SELECT ST_Equals(a.geom, b.geom) FROM grid_cell a, grid_cell b "
        + "WHERE a.grid_set_id = ? AND b.grid_set_id = ?", Boolean.class, ids.get(0), ids.get(1))).isTrue();
    for (long id : ids) {
      HttpResponse<String> r = client.get("/api/grid-sets/" + id + "/export?format=geojson");
      JsonNode geom = body(r, 200).path("features").get(0).path("geometry");
      var g = new GeoJsonReader().read(geom.toString());
      Polygon p = (Polygon) g.getGeometryN(0);
      assertThat(Orientation.isCCW(p.getExteriorRing().getCoordinates()))
          .as("RFC 7946 right-hand rule: exterior ring counter-clockwise").isTrue();
    }
  }

  // ---- 19 (e) ----

  @Test
  void geoPackageWithLayersInDifferentSridsIsAskedForOneLayerAndReadsEachCorrectly() throws Exception {
    Path src = Files.write(tmp.resolve("a.geojson"), collection(cell("G1", 114.4, 23.1, 0.01, false)));
    Path gpkg = tmp.resolve("mixed.gpkg");
    ogr(List.of("-f", "GPKG", "-nln", "wgs84", gpkg.toString(), src.toString()));
    ogr(List.of("-f", "GPKG", "-update", "-t_srs", "EPSG:4547", "-nln", "gk", gpkg.toString(), src.toString()));
    byte[] bytes = Files.readAllBytes(gpkg);
    HttpResponse<String> both = client.upload("mixed.gpkg", bytes, "layer", "grid");
    noLeak(both);
    assertThat(body(both, 422).path("reason").asText()).isEqualTo("gpkg_ambiguous");
    double[] areas = new double[2];
    int i = 0;
    for (String layer : List.of("wgs84", "gk")) {
      JsonNode up = body(client.upload("mixed.gpkg", bytes, "layer", "grid", "layerName", layer), 201);
      areas[i++] = jdbc.queryForObject("SELECT ST_Area(geom::geography) FROM grid_cell WHERE grid_set_id = ?",
          Double.class, up.path("draftId").asLong());
    }
    assertThat(Math.abs(areas[0] - areas[1]) / areas[0]).as("same cell through both SRIDs").isLessThan(1e-4);
  }

  private void ogr(List<String> args) throws Exception {
    Ogr2Ogr.Result r = new Ogr2Ogr(Duration.ofSeconds(60)).run(args, tmp);
    assertThat(r.exitCode()).as("ogr2ogr %s: %s", args, r.stderr()).isZero();
  }

  // ---- 20 ----

  @Test
  void numericGarbageIsRefusedFastWithoutLeakingInternals() throws Exception {
    String digits = "1" + "0".repeat(10_000);
    List<String> coords = List.of("1e308", "-1e308", "NaN", "Infinity", "-Infinity", digits, "\"12.3\"");
    int sets = count("grid_set");
    for (String c : coords) {
      byte[] file = collection("{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"N\"},\"geometry\":{\"type\":"
          + "\"Polygon\",\"coordinates\":[[[114.4,23.1],[" + c + ",23.1],[114.41,23.11],[114.4,23.1]]]}}");
      timed4xx(() -> client.upload("n.geojson", file, "layer", "grid"), "upload coordinate " + abbreviate(c));
    }
    assertThat(count("grid_set")).isEqualTo(sets);
    String enc = URLEncoder.encode(digits, StandardCharsets.UTF_8);
    for (String q : List.of("bbox=1e308,1e308,-1e308,-1e308", "bbox=NaN,NaN,NaN,NaN", "bbox=Infinity,0,1,1",
        "bbox=" + enc + ",0,1,1", "limit=" + enc, "limit=NaN", "limit=1e308", "from=NaN", "to=" + enc,
        "limit=-1", "cursor=" + enc)) {
      timed4xx(() -> client.get("/api/events?" + q), "events " + abbreviate(q));
    }
    for (String q : List.of("since=NaN", "since=" + enc, "since=1e308", "since=0&until=NaN", "since=0&limit=" + enc,
        "since=0&limit=1e308")) {
      timed4xx(() -> client.get("/api/live/events?" + q), "live events " + abbreviate(q));
    }
    for (String q : List.of("bbox=1e308,1e308,-1e308,-1e308", "bbox=NaN,0,1,1", "limit=" + enc, "offset=" + enc,
        "limit=NaN", "offset=-1e308")) {
      timed4xx(() -> client.get("/ogc/collections/districts/items?" + q), "ogc items " + abbreviate(q));
    }
    for (String t : List.of("NaN", "Infinity", "1e308", "-1", enc)) {
      String layer = new String(collection(cell("A1", 114.4, 23.1, 0.01, false), cell("A2", 114.41, 23.1, 0.01, false),
          cell("A3", 114.42, 23.1, 0.01, false)), StandardCharsets.UTF_8).replace("\"WGBM\"", "\"count\":1,\"WGBM\"");
      timed4xx(() -> client.postJson("/api/analysis/hotspots?property=count&threshold=" + t, layer),
          "hotspots threshold " + abbreviate(t));
    }
    for (String c : coords) {
      String layer = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"count\":"
          + c + "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + c + ",23.1]}}]}";
      timed4xx(() -> client.postJson("/api/analysis/hotspots?property=count", layer), "hotspots value " + abbreviate(c));
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…(" + s.length() + " chars)" : s;
  }

  interface Call {
    HttpResponse<String> call() throws Exception;
  }

  /** 4xx, clean, and under 1 s (the faster of two tries, so one scheduling hiccup on a busy box is forgiven). */
  private HttpResponse<String> timed4xx(Call call, String what) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = call.call();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (seconds >= 1.0) {
      long t1 = System.nanoTime();
      r = call.call();
      seconds = Math.min(seconds, (System.nanoTime() - t1) / 1e9);
    }
    assertThat(r.statusCode()).as("%s: reached the handler, not stopped by access rules", what).isNotIn(401, 403);
    noLeak(r);
    assertThat(r.statusCode()).as("%s -> %s", what, r.body()).isBetween(400, 499);
    assertThat(seconds).as("seconds for %s", what).isLessThan(1.0);
    return r;
  }

  // ---- 21 ----

  @Test
  void gcj02ShiftedDistrictsUploadedAsWgs84AreFlaggedAgainstTheLiveReference() throws Exception {
    byte[] wgs84 = resource("org/safegrid/gisdata/reference/huizhou/districts_wgs84.geojson");
    byte[] gcj02 = resource("org/safegrid/gisdata/reference/huizhou/districts_gcj02.geojson");
    JsonNode ref = body(client.upload("districts_wgs84.geojson", wgs84, "layer", "districts", "datum", "wgs84"), 201);
    assertThat(ref.path("report").has("datumWarning")).isFalse();
    body(client.postJson(ref.path("links").path("activate").asText(), ""), 200);

    JsonNode shifted = body(client.upload("districts_gcj02.geojson", gcj02, "layer", "districts", "datum", "wgs84"),
        201);
    JsonNode w = shifted.path("report").path("datumWarning");
    assertThat(w.path("suspected").asText()).as("%s", shifted.path("report")).isEqualTo("gcj02");
    assertThat(w.path("medianOffsetM").asDouble()).isBetween(100.0, 700.0);
    assertThat(w.path("consistency").asDouble()).isGreaterThanOrEqualTo(0.9);
    assertThat(w.path("message").asText()).contains("datum=gcj02");
    // stored with the draft's report too
    assertThat(jdbc.queryForObject("SELECT report->'datumWarning'->>'suspected' FROM overlay_draft WHERE id = ?",
        String.class, shifted.path("draftId").asLong())).isEqualTo("gcj02");
    // declared as GCJ-02, the same file is converted and draws no warning
    JsonNode declared = body(client.upload("districts_gcj02.geojson", gcj02, "layer", "districts", "datum", "gcj02"),
        201);
    assertThat(declared.path("report").has("datumWarning")).isFalse();
    JsonNode again = body(client.upload("districts_wgs84.geojson", wgs84, "layer", "districts", "datum", "wgs84"),
        201);
    assertThat(again.path("report").has("datumWarning")).isFalse();
  }

  private byte[] resource(String name) throws Exception {
    try (var in = getClass().getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  // ---- 26 ----

  @Test
  void hostileGeoPackagesAreRefusedOrHarmlessAndReachNothing() throws Exception {
    try (Listener canary = new Listener()) {
      Path src = Files.write(tmp.resolve("g.geojson"), collection(cell("H1", 114.4, 23.1, 0.01, false)));
      Path gpkg = tmp.resolve("hostile.gpkg");
      ogr(List.of("-f", "GPKG", "-nln", "cells", gpkg.toString(), src.toString()));
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gpkg); Statement s = c.createStatement()) {
        s.execute("CREATE VIEW bomb AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
            + "SELECT n AS fid, NULL AS geom FROM r");
        s.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES "
            + "('bomb', 'features', 'bomb', 4326)");
        s.execute("INSERT INTO gpkg_geometry_columns VALUES ('bomb', 'geom', 'POLYGON', 4326, 0, 0)");
        s.execute("CREATE TABLE stolen (t text)");
        s.execute("CREATE TRIGGER steal AFTER INSERT ON cells BEGIN INSERT INTO stolen VALUES (readfile('/etc/passwd'));"
            + " END");
        s.execute("CREATE TRIGGER steal2 AFTER UPDATE ON gpkg_contents BEGIN DELETE FROM cells; END");
        s.execute("INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, "
            + "definition) VALUES ('vsicurl', 990001, 'NONE', 990001, '/vsicurl/" + canary.url() + "x.prj')");
        s.execute("CREATE TABLE remote AS SELECT * FROM cells");
        s.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES "
            + "('remote', 'features', 'remote', 990001)");
        s.execute("INSERT INTO gpkg_geometry_columns VALUES ('remote', 'geom', 'POLYGON', 990001, 0, 0)");
      }
      byte[] bytes = Files.readAllBytes(gpkg);

      long t0 = System.nanoTime();
      HttpResponse<String> view = client.upload("hostile.gpkg", bytes, "layer", "grid", "layerName", "bomb");
      noLeak(view);
      assertThat(body(view, 422).path("reason").asText()).isEqualTo("unsupported_format");
      assertThat((System.nanoTime() - t0) / 1e9).as("recursive view never evaluated").isLessThan(2.0);

      HttpResponse<String> remote = client.upload("hostile.gpkg", bytes, "layer", "grid", "layerName", "remote");
      noLeak(remote);
      assertThat(remote.statusCode()).as(remote.body()).isBetween(400, 499);

      JsonNode ok = body(client.upload("hostile.gpkg", bytes, "layer", "grid", "layerName", "cells"), 201);
      assertThat(ok.path("report").path("featureCount").asInt()).isEqualTo(1);
      assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell WHERE grid_set_id = ?", Integer.class,
          ok.path("draftId").asLong())).isEqualTo(1);

      // a zipped Shapefile whose .prj and a VRT sidecar point at the canary and at a local file
      Path shp = tmp.resolve("shp");
      Files.createDirectories(shp);
      ogr(List.of("-f", "ESRI Shapefile", shp.resolve("layer.shp").toString(), src.toString()));
      byte[] zip = zip(shp, "layer", "/vsicurl/" + canary.url() + "x.prj",
          "<OGRVRTDataSource><OGRVRTLayer name=\"x\"><SrcDataSource>/vsicurl/" + canary.url()
              + "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>");
      HttpResponse<String> z = client.upload("remote.zip", zip, "layer", "grid");
      noLeak(z);
      assertThat(z.statusCode()).as(z.body()).isBetween(400, 499);
      assertThat(z.body()).doesNotContain("root:");

      Thread.sleep(300);
      assertThat(canary.connections()).as("connections to the loopback canary").isZero();
      assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell WHERE name LIKE '%root:%' OR code LIKE '%root:%'",
          Integer.class)).isZero();
      assertThat(client.get("/actuator/health").statusCode()).isEqualTo(200);
    }
  }

  private static byte[] zip(Path dir, String stem, String prj, String vrt) throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.ZipOutputStream(bytes)) {
      for (String ext : List.of("shp", "shx", "dbf")) {
        out.putNextEntry(new java.util.zip.ZipEntry(stem + "." + ext));
        out.write(Files.readAllBytes(dir.resolve(stem + "." + ext)));
        out.closeEntry();
      }
      out.putNextEntry(new java.util.zip.ZipEntry(stem + ".prj"));
      out.write(prj.getBytes(StandardCharsets.US_ASCII));
      out.closeEntry();
      out.putNextEntry(new java.util.zip.ZipEntry(stem + ".vrt"));
      out.write(vrt.getBytes(StandardCharsets.US_ASCII));
      out.closeEntry();
    }
    return bytes.toByteArray();
  }

  // ---- 28 ----

  @Test
  void expressionAndSqlInjectionShapesDoNothing() throws Exception {
    Path marker = Path.of("/tmp/pwn");
    Files.deleteIfExists(marker);
    List<String> shapes = List.of("exec(java.lang.Runtime.getRuntime(),'touch /tmp/pwn')",
        "name'); DROP TABLE x;--", "strEndsWith(name,'x'')--", "/FeatureCollection/features[1]/properties/name",
        "${T(java.lang.Runtime).getRuntime().exec('touch /tmp/pwn')}", "#{1+1}", "properties/name[text()='a']");
    byte[] grid = collection(cell("I1", 114.4, 23.1, 0.01, false));
    String layer = new String(collection(cell("A1", 114.4, 23.1, 0.01, false), cell("A2", 114.41, 23.1, 0.01, false),
        cell("A3", 114.42, 23.1, 0.01, false)), StandardCharsets.UTF_8).replace("\"WGBM\"", "\"count\":1,\"WGBM\"");
    int sets = count("grid_set");
    int events = count("event");
    startStatementStatistics();
    for (String s : shapes) {
      String q = URLEncoder.encode(s, StandardCharsets.UTF_8);
      // names: refused
      for (String field : List.of("codeField", "nameField", "districtField", "townField")) {
        HttpResponse<String> r = client.upload("i.geojson", grid, "layer", "grid", field, s);
        noLeak(r);
        assertThat(r.statusCode()).as("%s=%s -> %s", field, s, r.body()).isBetween(400, 499);
      }
      for (String field : List.of("layer", "epsg", "encoding", "datum")) {
        HttpResponse<String> r = client.upload("i.geojson", grid, "layer", field.equals("layer") ? s : "grid",
            field.equals("layer") ? "unused" : field, s);
        noLeak(r);
        assertThat(r.statusCode()).as("%s=%s -> %s", field, s, r.body()).isBetween(400, 499);
      }
      HttpResponse<String> prop = client.postJson("/api/analysis/hotspots?property=" + q, layer);
      noLeak(prop);
      assertThat(prop.statusCode()).as("property=%s -> %s", s, prop.body()).isEqualTo(400);
      HttpResponse<String> w = client.postJson("/api/analysis/hotspots?property=count&weights=" + q, layer);
      noLeak(w);
      assertThat(w.statusCode()).as("weights=%s -> %s", s, w.body()).isEqualTo(400);
      // values: 400 or a harmless empty answer
      HttpResponse<String> live = client.get("/api/live/events?since=0&field=" + q);
      noLeak(live);
      assertThat(live.statusCode()).as("live field=%s -> %s", s, live.body()).isEqualTo(400);
      for (String p : List.of("source", "kind", "bbox", "from", "to", "cursor")) {
        HttpResponse<String> r = client.get("/api/events?" + p + "=" + q);
        noLeak(r);
        assertThat(r.statusCode()).as("%s=%s -> %s", p, s, r.body()).isIn(200, 400);
        if (r.statusCode() == 200) {
          assertThat(json.readTree(r.body()).path("features")).isEmpty();
        }
      }
      for (String p : List.of("bbox", "f", "limit", "offset")) {
        HttpResponse<String> r = client.get("/ogc/collections/districts/items?" + p + "=" + q);
        noLeak(r);
        assertThat(r.statusCode()).as("ogc %s=%s -> %s", p, s, r.body()).isBetween(400, 499);
      }
      HttpResponse<String> coll = client.get("/ogc/collections/" + q.replace("+", "%20") + "/items");
      noLeak(coll);
      assertThat(coll.statusCode()).as("ogc collection %s -> %s", s, coll.body()).isBetween(400, 499);
    }
    // XPath-ish JSON keys as property names of an upload and of an analysis layer
    byte[] keys = ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{"
        + "\"WGBM\":\"K1\",\"/properties/name\":\"a\",\"name'); DROP TABLE x;--\":\"b\",\"exec(java.lang.Runtime"
        + ".getRuntime(),'touch /tmp/pwn')\":\"c\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[114.4,23.1],"
        + "[114.41,23.1],[114.41,23.11],[114.4,23.11],[114.4,23.1]]]}}]}").getBytes(StandardCharsets.UTF_8);
    JsonNode up = body(client.upload("keys.geojson", keys, "layer", "grid"), 201);
    assertThat(up.path("report").path("mapping").path("codeField").asText()).isEqualTo("WGBM");
    assertThat(count("grid_set")).isEqualTo(sets + 1);
    assertThat(count("event")).isEqualTo(events);
    assertThat(jdbc.queryForObject("SELECT to_regclass('public.x') IS NOT NULL", Boolean.class)).as("table x").isTrue();
    assertThat(marker).doesNotExist();
    // what reached the database: the statements as PostgreSQL recorded them (literals become $n); a
    // request value pasted into SQL would show up as statement text (a DROP, a function or column name)
    List<String> statements = jdbc.queryForList("SELECT query FROM pg_stat_statements "
        + "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        + "AND query NOT LIKE '%pg_stat_statements%'", String.class);
    assertThat(statements).as("statements recorded during the requests").hasSizeGreaterThan(5);
    assertThat(statements).anySatisfy(q -> assertThat(q).contains("$1"));
    for (String fragment : List.of("DROP TABLE x", "Runtime", "strEndsWith", "getRuntime", "features[1]", "text()",
        "#{", "${", "pwn")) {
      assertThat(statements).as("statement text containing %s", fragment)
          .noneSatisfy(q -> assertThat(q.toLowerCase(java.util.Locale.ROOT)).contains(fragment.toLowerCase(java.util.Locale.ROOT)));
    }
  }

  /**
   * Resets PostgreSQL's statement statistics ({@code pg_stat_statements}, which the test cluster
   * preloads); fails with what to do when the database was started without it.
   */
  private void startStatementStatistics() {
    try {
      JdbcTemplate admin = new JdbcTemplate(db.dataSource());
      admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      admin.execute("SELECT pg_stat_statements_reset()");
    } catch (org.springframework.dao.DataAccessException e) {
      throw new IllegalStateException("check 28 reads pg_stat_statements: start the test database with "
          + "shared_preload_libraries=pg_stat_statements (the local test cluster does): "
          + e.getMostSpecificCause().getMessage(), e);
    }
  }

  /** No class of SafeGrid's own code brings in an expression language or a script engine. */
  @Test
  void noExpressionEngineIsImportedBySafeGridCode() {
    var classes = new com.tngtech.archunit.core.importer.ClassFileImporter()
        .withImportOption(com.tngtech.archunit.core.importer.ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.safegrid");
    assertThat(classes.size()).isGreaterThan(50);
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.commons.jxpath..", "org.springframework.expression..",
            "javax.script..", "org.mvel2..", "ognl..", "org.apache.commons.jexl..", "org.apache.commons.jexl3..",
            "groovy..", "org.geotools.filter..")
        .check(classes);
  }

  // ---- 29 ----

  @Test
  void xmlUploadsAreRefusedBeforeAnyXmlParserRuns() throws Exception {
    try (Listener canary = new Listener()) {
      String doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">"
          + "<!ENTITY ssrf SYSTEM \"" + canary.url() + "\"><!ENTITY % p SYSTEM \"" + canary.url() + "p.dtd\"> %p;"
          + "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n";
      List<String[]> files = List.of(
          new String[] {"d.gml", doctype + "<gml:FeatureCollection xmlns:gml=\"http://www.opengis.net/gml\" "
              + "xsi:schemaLocation=\"" + canary.url() + "s.xsd\">&xxe;&ssrf;&b;</gml:FeatureCollection>"},
          new String[] {"d.kml", doctype + "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Placemark><name>&xxe;&ssrf;"
              + "</name></Placemark></kml>"},
          new String[] {"d.sld", doctype + "<StyledLayerDescriptor>&xxe;</StyledLayerDescriptor>"},
          new String[] {"d.geojson", "\uFEFF" + doctype + "<x>&xxe;</x>"});
      for (String[] f : files) {
        HttpResponse<String> r = timed4xx(() -> client.upload(f[0], f[1].getBytes(StandardCharsets.UTF_8), "layer",
            "grid"), f[0]);
        assertThat(body(r, 422).path("reason").asText()).as(f[0]).isEqualTo("unsupported_format");
        assertThat(r.body()).doesNotContain("root:");
        // inside a zip, next to a Shapefile part, XML is skipped, never parsed
        byte[] zip = zipEntries("layer.gml", f[1], "layer.kml", f[1], "layer.shp", "not a shapefile");
        HttpResponse<String> z = client.upload("x.zip", zip, "layer", "grid");
        noLeak(z);
        assertThat(z.statusCode()).isBetween(400, 499);
      }
      Thread.sleep(300);
      assertThat(canary.connections()).as("connections to the loopback canary").isZero();
    }
  }

  private static byte[] zipEntries(String... nameAndText) throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.ZipOutputStream(bytes)) {
      for (int i = 0; i < nameAndText.length; i += 2) {
        out.putNextEntry(new java.util.zip.ZipEntry(nameAndText[i]));
        out.write(nameAndText[i + 1].getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  // ---- 22, 23 ----

  /** Writes a FeatureCollection with one polygon of {@code vertices} vertices straight to disk. */
  private static Path polygonFile(Path file, int vertices, double radius) throws Exception {
    try (var w = new java.io.BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
      w.write("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"BIG\"},"
          + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
      for (int i = 0; i < vertices; i++) {
        double a = 2 * Math.PI * i / vertices;
        // 7 decimals (1 cm), so 5 M vertices make about 100 MB
        w.write('[');
        w.write(fixed7(114.4 + radius * Math.cos(a)));
        w.write(',');
        w.write(fixed7(23.1 + radius * Math.sin(a)));
        w.write("],");
      }
      w.write("[" + fixed7(114.4 + radius) + "," + fixed7(23.1) + "]]]}}]}");
    }
    return file;
  }

  private static String fixed7(double v) {
    long units = Math.round(v * 1e7);
    String digits = Long.toString(units);
    return digits.substring(0, digits.length() - 7) + "." + digits.substring(digits.length() - 7);
  }

  /**
   * Tagged {@code perf} (not in the default run): a timing criterion (health p99 < 200 ms during the
   * attack) that a build machine loaded by other jobs cannot judge; see docs/hostile-input.md.
   */
  @Test
  @org.junit.jupiter.api.Tag("perf")
  void complexityBombsAreRefusedFastWhileHealthStaysFast() throws Exception {
    Path vertices = polygonFile(tmp.resolve("5m.geojson"), 5_000_000, 0.05);
    Path string = org.safegrid.gisdata.hostile.Bombs.longString(tmp.resolve("60mb.geojson"), 60 << 20);
    byte[] nested = ("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"x\":"
        + "[".repeat(100_000) + "]".repeat(100_000) + "},\"geometry\":null}]}").getBytes(StandardCharsets.US_ASCII);
    // the probe is anonymous, as a load balancer's: with Basic credentials every probe would also pay a
    // BCrypt check (~80 ms of CPU here), which measures the password hash, not the health endpoint.
    // Warm the endpoint first: its first calls (class loading, first durability query) measure start-up,
    // not the attack
    for (int i = 0; i < 5; i++) {
      client.getAnonymous("/actuator/health");
    }
    // the same probe without an attack, for comparison on a shared machine (printed, not asserted)
    long[] quiet = new long[20];
    for (int i = 0; i < quiet.length; i++) {
      long t0 = System.nanoTime();
      client.getAnonymous("/actuator/health");
      quiet[i] = (System.nanoTime() - t0) / 1_000_000;
      Thread.sleep(50);
    }
    java.util.Arrays.sort(quiet);
    System.out.printf("health without attack: %d probes, p50 %d ms, max %d ms%n", quiet.length, quiet[quiet.length / 2],
        quiet[quiet.length - 1]);
    var health = new java.util.concurrent.ConcurrentLinkedQueue<Long>();
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread poller = new Thread(() -> {
      while (!stop.get()) {
        try {
          long t0 = System.nanoTime();
          HttpResponse<String> h = client.getAnonymous("/actuator/health");
          if (h.statusCode() == 200) {
            health.add((System.nanoTime() - t0) / 1_000_000);
          } else {
            health.add(Long.MAX_VALUE);
          }
          Thread.sleep(50);
        } catch (Exception e) {
          health.add(Long.MAX_VALUE);
        }
      }
    });
    poller.start();
    try {
      for (Path f : List.of(vertices, string)) {
        var heap = org.safegrid.gisdata.hostile.HeapWatch.start();
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.upload(f.getFileName().toString(),
            java.net.http.HttpRequest.BodyPublishers.ofFile(f), "layer", "grid");
        double seconds = (System.nanoTime() - t0) / 1e9;
        long mb = heap.peakDeltaBytes() >> 20;
        System.out.printf("%s (%d MB): HTTP %d %s in %.3f s, heap delta %d MB%n", f.getFileName(),
            Files.size(f) >> 20, r.statusCode(), json.readTree(r.body()).path("reason").asText(), seconds, mb);
        noLeak(r);
        assertThat(r.statusCode()).isIn(413, 422);
        // for bodies of 60–120 MB the time is the transfer and the multipart spooling of the body (2–8 s on
        // a busy 2-core box), so it is printed, not asserted; the reader itself refuses these in 0.1–0.3 s
        // (ComplexityBombTest), and the small nesting bomb below is held to < 1 s
        // (measured 2–16 s depending on the load of the machine)
        assertThat(mb).as("heap growth refusing %s", f.getFileName()).isLessThan(200);
      }
      HttpResponse<String> r = timed4xx(() -> client.upload("nested.geojson", nested, "layer", "grid"), "nested");
      assertThat(json.readTree(r.body()).path("reason").asText()).isEqualTo("too_complex");
    } finally {
      stop.set(true);
      poller.join();
    }
    long[] ms = health.stream().mapToLong(Long::longValue).sorted().toArray();
    assertThat(ms.length).isGreaterThan(5);
    long p99 = ms[(int) Math.ceil(ms.length * 0.99) - 1];
    System.out.printf("health during the attack: %d probes, p50 %d ms, p99 %d ms, all %s%n", ms.length,
        ms[ms.length / 2], p99, java.util.Arrays.toString(ms));
    assertThat(p99).as("health p99 (ms) during the attack").isLessThan(200);
  }

  /**
   * A coastline-like district of {@code vertices} vertices around (114.4, 23.1): a star-shaped ring
   * (so always simple) whose radius of about 0.2° wiggles at four scales, from bays to rocks.
   */
  static Path coastlineDistrictFile(Path file, String code, int vertices) throws Exception {
    try (var w = new java.io.BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
      w.write("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"adcode\":\""
          + code + "\",\"name\":\"coast district\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
      for (int i = 0; i <= vertices; i++) {
        double a = 2 * Math.PI * (i % vertices) / vertices;
        w.write(i == 0 ? "[" : ",[");
        w.write(fixed7(114.4 + coastRadius(a) * Math.cos(a)));
        w.write(',');
        w.write(fixed7(23.1 + coastRadius(a) * Math.sin(a)));
        w.write(']');
      }
      w.write("]]}}]}");
    }
    return file;
  }

  /** The radius of the coast district at angle {@code a}: 0.2° ± 8.4 %. */
  static double coastRadius(double a) {
    return 0.2 * (1 + 0.05 * Math.sin(37 * a) + 0.02 * Math.sin(211 * a) + 0.01 * Math.sin(1301 * a)
        + 0.004 * Math.sin(17011 * a));
  }

  @Test
  @org.junit.jupiter.api.Tag("slow")
  void largeLegitimatePolygonIsAcceptedAndQueriedFast() throws Exception {
    // check 23 as the plan words it: a 200k-vertex coastline district, uploaded, activated, subdivided
    String code = "441399";
    Path coast = coastlineDistrictFile(tmp.resolve("coast-district.geojson"), code, 199_990);
    long t0 = System.nanoTime();
    HttpResponse<String> d = client.upload("coast-district.geojson", java.net.http.HttpRequest.BodyPublishers.ofFile(coast),
        "layer", "districts", "datum", "wgs84");
    double uploadSeconds = (System.nanoTime() - t0) / 1e9;
    noLeak(d);
    JsonNode draft = body(d, 201);
    long t1 = System.nanoTime();
    body(client.postJson(draft.path("links").path("activate").asText(), ""), 200);
    double activateSeconds = (System.nanoTime() - t1) / 1e9;
    var pieces = jdbc.queryForMap("SELECT count(*) AS n, max(ST_NPoints(p.geom)) AS max_vertices, "
        + "(SELECT ST_NPoints(f.geom) FROM overlay_feature f WHERE f.id = min(p.feature_id)) AS vertices, "
        + "(SELECT ST_IsValid(f.geom) FROM overlay_feature f WHERE f.id = min(p.feature_id)) AS valid "
        + "FROM overlay_feature_part p JOIN overlay_layer l ON l.layer = p.layer AND l.version = p.version "
        + "WHERE p.layer = 'districts' AND p.code = ?", code);
    System.out.printf("200k-vertex coastline district (%d MB): upload HTTP %d in %.3f s (read, validate, "
            + "ST_IsValid/ST_MakeValid, insert, ST_Subdivide), activation in %.3f s; %s%n", Files.size(coast) >> 20,
        d.statusCode(), uploadSeconds, activateSeconds, pieces);
    assertThat(((Number) pieces.get("vertices")).intValue()).isGreaterThan(199_000);
    assertThat(pieces.get("valid")).isEqualTo(true);
    assertThat(((Number) pieces.get("n")).intValue()).as("subdivided copy").isGreaterThan(199_000 / 256);
    assertThat(((Number) pieces.get("max_vertices")).intValue()).isLessThanOrEqualTo(256);

    // point-in-district as the wall map asks it: GET /api/locate in a signed-in session (a Basic-auth call
    // would time a BCrypt check of the password each time, not the lookup)
    String session = client.formLogin();
    double[][] points = new double[63][];
    for (int i = 0; i < points.length; i++) {
      // spread over the district by the golden angle, out to just inside the lowest tide of the wiggles
      double a = i * 2.399963;
      double r = 0.183 * Math.sqrt((i + 0.5) / points.length);
      points[i] = new double[] {114.4 + r * Math.cos(a), 23.1 + r * Math.sin(a)};
    }
    // each lookup is timed against a peer in the same session and the same moment: GET /api/me, the
    // cheapest signed-in call, alternating with it, so a busy machine slows both and the difference is
    // what the 200k-vertex district costs
    long[] micros = new long[60];
    long[] peer = new long[60];
    for (int i = 0; i < points.length; i++) {
      long p0 = System.nanoTime();
      body(client.getInSession("/api/me", session), 200);
      long q0 = System.nanoTime();
      HttpResponse<String> r = client.getInSession(String.format(Locale.ROOT, "/api/locate?lon=%.6f&lat=%.6f",
          points[i][0], points[i][1]), session);
      long us = (System.nanoTime() - q0) / 1000;
      assertThat(body(r, 200).path("district").path("code").asText()).as("%s", r.body()).isEqualTo(code);
      if (i >= 3) { // the first three warm the path up
        micros[i - 3] = us;
        peer[i - 3] = (q0 - p0) / 1000;
      }
    }
    java.util.Arrays.sort(micros);
    java.util.Arrays.sort(peer);
    System.out.printf("GET /api/locate inside the 200k-vertex district, 60 calls: p50 %.1f ms, p95 %.1f ms, "
        + "max %.1f ms; GET /api/me beside it: p50 %.1f ms, p95 %.1f ms%n", micros[29] / 1000.0, micros[56] / 1000.0,
        micros[59] / 1000.0, peer[29] / 1000.0, peer[56] / 1000.0);
    assertThat((micros[56] - peer[56]) / 1000.0).as("p95 ms of GET /api/locate beyond the p95 of GET /api/me")
        .isLessThan(50);
    // beyond the coast (the highest tide is 0.2168°) there is no district
    HttpResponse<String> sea = client.getInSession("/api/locate?lon=114.62&lat=23.1", session);
    assertThat(body(sea, 200).path("district").isNull()).as(sea.body()).isTrue();

    // a user confined to the district still gets exactly the district's events, through its pieces
    accounts.createUser("coastal", "coastal-pw-123", List.of(Role.VIEWER));
    jdbc.update("UPDATE app_user SET district_code = ? WHERE username = 'coastal'", code);
    String inside = insertEvent(114.4 + 0.18 * Math.cos(1.0), 23.1 + 0.18 * Math.sin(1.0));
    String outside = insertEvent(114.4 + 0.22 * Math.cos(1.0), 23.1 + 0.22 * Math.sin(1.0));
    HostileClient coastal = new HostileClient(port, "coastal", "coastal-pw-123");
    HttpResponse<String> scoped = coastal.get("/api/events?bbox=114.1,22.8,114.7,23.4&limit=1000");
    HttpResponse<String> city = client.get("/api/events?bbox=114.1,22.8,114.7,23.4&limit=1000");
    assertThat(body(scoped, 200).toString()).contains(inside).doesNotContain(outside);
    assertThat(body(city, 200).toString()).contains(inside, outside);
    assertThat(body(coastal.get(String.format(Locale.ROOT, "/api/locate?lon=%.6f&lat=%.6f", points[7][0],
        points[7][1])), 200).path("district").path("code").asText()).isEqualTo(code);

    // the 200k-vertex polygon as a grid cell: stored valid and subdivided too
    Path f = polygonFile(tmp.resolve("coast.geojson"), 199_990, 0.2);
    long t2 = System.nanoTime();
    HttpResponse<String> r = client.upload("coast.geojson", java.net.http.HttpRequest.BodyPublishers.ofFile(f),
        "layer", "grid", "datum", "wgs84");
    double seconds = (System.nanoTime() - t2) / 1e9;
    System.out.printf("200k-vertex polygon as a grid cell (%d MB): HTTP %d in %.3f s%n", Files.size(f) >> 20,
        r.statusCode(), seconds);
    noLeak(r);
    JsonNode up = body(r, 201);
    long id = up.path("draftId").asLong();
    assertThat(jdbc.queryForObject("SELECT ST_NPoints(geom) FROM grid_cell WHERE grid_set_id = ?", Integer.class, id))
        .isGreaterThan(199_000);
    assertThat(jdbc.queryForObject("SELECT ST_IsValid(geom) FROM grid_cell WHERE grid_set_id = ?", Boolean.class, id))
        .isTrue();
    assertThat(jdbc.queryForObject("SELECT max(ST_NPoints(geom)) FROM grid_cell_part WHERE grid_set_id = ?",
        Integer.class, id)).isLessThanOrEqualTo(256);
    // the cell took the district its interior point lies in (looked up through the district's pieces)
    assertThat(jdbc.queryForObject("SELECT district_code FROM grid_cell WHERE grid_set_id = ?", String.class, id))
        .isEqualTo(code);
    // one vertex over the documented cap is refused cleanly
    Path over = polygonFile(tmp.resolve("over.geojson"), 200_010, 0.2);
    HttpResponse<String> o = client.upload("over.geojson", java.net.http.HttpRequest.BodyPublishers.ofFile(over),
        "layer", "grid", "datum", "wgs84");
    noLeak(o);
    assertThat(body(o, 413).path("reason").asText()).isEqualTo("too_many_vertices");
  }

  private String insertEvent(double lon, double lat) {
    String id = "coast-" + java.util.UUID.randomUUID();
    java.sql.Timestamp at = java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(60));
    jdbc.update("INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
        + "VALUES (?, 'camera', 'CAM-COAST', ?, '\\x00'::bytea)", id, at);
    jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) "
        + "VALUES (?, 'camera', 'CAM-COAST', 'intrusion', 3, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326))", id, at, lon, lat);
    return id;
  }
}
