package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.locationtech.jts.algorithm.distance.DiscreteHausdorffDistance;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.safegrid.gisdata.boundary.GeoPackageReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Uploads through HTTP into a real PostGIS: drafts, reports, activation, audit, export and refusals. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw",
    "safegrid.upload.max-file-bytes=3000000", "safegrid.upload.max-vertices-per-feature=5000",
    // one officer activates and rolls back here; four-eyes activation is FourEyesActivationTest's subject
    "safegrid.upload.approval.enabled=false"})
class UploadApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, UploadApiTest.class);
  }

  /** Collects GridSetActivated events as the engine would receive them. */
  @TestConfiguration
  static class Events {
    static final List<GridSetActivated> RECEIVED = new CopyOnWriteArrayList<>();

    @Bean
    Object gridSetActivatedListener() {
      return new Object() {
        @EventListener
        public void on(GridSetActivated e) {
          RECEIVED.add(e);
        }
      };
    }
  }

  @Autowired
  TestRestTemplate rest;
  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;

  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path tmp;

  private static boolean usersCreated;

  @BeforeAll
  static void reset() {
    Events.RECEIVED.clear();
  }

  private void users() {
    if (!usersCreated) {
      accounts.createUser("gis", "gis-pw", List.of(Role.GIS_ADMIN));
      accounts.createUser("viewer", "viewer-pw", List.of(Role.VIEWER));
      usersCreated = true;
    }
  }

  /** Uploads with {@code datum=wgs84} unless {@code params} name the datum; a null value leaves a field out. */
  ResponseEntity<String> upload(String user, String password, String fileName, byte[] bytes, String layer,
      String... params) {
    users();
    return rest.withBasicAuth(user, password).postForEntity("/api/uploads",
        UploadForms.form(fileName, bytes, layer, params), String.class);
  }

  ResponseEntity<String> post(String path) {
    return rest.withBasicAuth("gis", "gis-pw").postForEntity(path, null, String.class);
  }

  JsonNode body(ResponseEntity<String> r, int expectedStatus) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(expectedStatus);
    return json.readTree(r.getBody());
  }

  private int count(String table) {
    return jdbc.queryForObject("SELECT count(*) FROM " + table, Integer.class);
  }

  @Test
  void gbkGaussKrugerDistrictsUploadCleanAndComeBackInWgs84WithinOneMetre() throws Exception {
    byte[] zip = UploadFixtures.districtsShapefileGk4547Gbk(tmp);
    JsonNode up = body(upload("gis", "gis-pw", "districts_4547.zip", zip, "districts"), 201);
    JsonNode report = up.path("report");
    assertThat(report.path("problems")).isEmpty();
    assertThat(report.path("crs").asText()).startsWith("EPSG:4547");
    assertThat(report.path("encoding").asText()).startsWith("GBK");
    assertThat(report.path("mapping").path("codeField").asText()).isEqualTo("adcode");
    assertThat(up.path("kind").asText()).isEqualTo("overlay");

    body(post(up.path("links").path("activate").asText()), 200);
    JsonNode live = json.readTree(rest.withBasicAuth("gis", "gis-pw").getForObject("/api/overlays/districts", String.class));
    JsonNode original = json.readTree(UploadFixtures.districtsWgs84());
    assertThat(live.path("features")).hasSize(original.path("features").size());
    GeoJsonReader gj = new GeoJsonReader();
    for (JsonNode o : original.path("features")) {
      String name = o.path("properties").path("name").asText();
      JsonNode back = null;
      for (JsonNode l : live.path("features")) {
        if (l.path("properties").path("name").asText().equals(name)) {
          back = l;
        }
      }
      assertThat(back).as("district %s back from the server", name).isNotNull();
      Geometry a = gj.read(o.path("geometry").toString());
      Geometry b = gj.read(back.path("geometry").toString());
      assertThat(DiscreteHausdorffDistance.distance(a, b) * 111_319.49).as("metres off for %s", name).isLessThan(1.0);
    }
    List<String> actions = jdbc.queryForList("SELECT action || ':' || outcome || ':' || coalesce(detail->>'sha256', '') "
        + "FROM audit_event WHERE object_type = 'overlay_draft' ORDER BY id", String.class);
    assertThat(actions).contains("upload:success:" + up.path("sha256").asText());
    assertThat(actions).anyMatch(a -> a.startsWith("activate:success"));
  }

  @Test
  void districtsTracedFromWebMapsInGcj02ComeBackOnTheWgs84Reference() throws Exception {
    byte[] gcj02;
    try (var in = getClass().getClassLoader()
        .getResourceAsStream("org/safegrid/gisdata/reference/huizhou/districts_gcj02.geojson")) {
      gcj02 = in.readAllBytes();
    }
    JsonNode up = body(upload("gis", "gis-pw", "districts_gcj02.geojson", gcj02, "districts", "datum", "gcj02"), 201);
    assertThat(up.path("report").path("datum").asText()).isEqualTo("gcj02");
    long draft = up.path("draftId").asLong();
    int version = jdbc.queryForObject("SELECT version FROM overlay_draft WHERE id = ?", Integer.class, draft);
    JsonNode original = json.readTree(UploadFixtures.districtsWgs84());
    GeoJsonReader gj = new GeoJsonReader();
    for (JsonNode o : original.path("features")) {
      String name = o.path("properties").path("name").asText();
      String back = jdbc.queryForObject("SELECT ST_AsGeoJSON(geom) FROM overlay_feature WHERE layer = 'districts' "
          + "AND version = ? AND name = ?", String.class, version, name);
      double metres = DiscreteHausdorffDistance.distance(gj.read(o.path("geometry").toString()), gj.read(back)) * 111_319.49;
      assertThat(metres).as("metres off for %s", name).isLessThan(1.0);
    }
  }

  @ParameterizedTest(name = "datum {0}")
  @MethodSource("missingDatums")
  void anUploadThatDoesNotStateItsDatumIsRefusedWith400AndAuditedAndNothingIsStored(String what, String datum)
      throws Exception {
    int[] before = {count("grid_set"), count("grid_cell"), count("overlay_draft"), count("overlay_feature")};
    int refusals = jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'upload' "
        + "AND outcome = 'failure' AND detail->>'reason' = 'datum_required'", Integer.class);
    JsonNode p = body(upload("gis", "gis-pw", "nodatum.geojson", UploadFixtures.grid(4, 0.01, "N"), "grid",
        "datum", datum), 400);
    assertThat(p.path("reason").asText()).isEqualTo("datum_required");
    assertThat(json.convertValue(p.path("accepted"), List.class)).isEqualTo(
        org.safegrid.gisdata.boundary.ReadOptions.DATUMS);
    assertThat(p.path("detail").asText()).contains("datum=wgs84", "datum=gcj02");
    assertThat(new int[] {count("grid_set"), count("grid_cell"), count("overlay_draft"), count("overlay_feature")})
        .containsExactly(before);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'upload' AND outcome = 'failure' "
        + "AND detail->>'reason' = 'datum_required' AND username = 'gis' AND detail->>'fileName' = 'nodatum.geojson'",
        Integer.class)).isEqualTo(refusals + 1);
  }

  static Stream<Arguments> missingDatums() {
    return Stream.of(Arguments.of("missing", null), Arguments.of("empty", ""), Arguments.of("blank", "  "));
  }

  @Test
  void anUnknownDatumIsStillRefusedAsABadParameter() throws Exception {
    int sets = count("grid_set");
    JsonNode p = body(upload("gis", "gis-pw", "bd09.geojson", UploadFixtures.grid(4, 0.01, "U"), "grid",
        "datum", "bd09"), 422);
    assertThat(p.path("reason").asText()).isEqualTo("bad_parameter");
    assertThat(p.path("detail").asText()).contains("wgs84", "gcj02");
    assertThat(count("grid_set")).isEqualTo(sets);
  }

  @Test
  void everyAcceptedDatumIsStoredAsADraftAndNamedInTheReport() throws Exception {
    for (String datum : org.safegrid.gisdata.boundary.ReadOptions.DATUMS) {
      for (String spelled : List.of(datum, datum.toUpperCase(java.util.Locale.ROOT))) {
        JsonNode up = body(upload("gis", "gis-pw", "d-" + spelled + ".geojson",
            UploadFixtures.grid(4, 0.01, "D" + spelled), "grid", "datum", spelled), 201);
        assertThat(up.path("report").path("datum").asText()).as(spelled).isEqualTo(datum);
        assertThat(jdbc.queryForObject("SELECT report->>'datum' FROM grid_set WHERE id = ?", String.class,
            up.path("draftId").asLong())).isEqualTo(datum);
      }
    }
  }

  @Test
  void plantedDefectsAreReportedAndNothingIsStored() throws Exception {
    byte[] file = UploadFixtures.collection(List.of(
        // A reaches 0.001° into B
        UploadFixtures.wktFeature("A", "{\"type\":\"Polygon\",\"coordinates\":[[[114.40,23.10],[114.411,23.10],"
            + "[114.411,23.11],[114.40,23.11],[114.40,23.10]]]}"),
        UploadFixtures.cell("B", 114.41, 23.10, 0.01),
        UploadFixtures.cell("C", 114.44, 23.10, 0.01),
        UploadFixtures.wktFeature("D", "{\"type\":\"Polygon\",\"coordinates\":[[[114.45,23.10],[114.46,23.11],"
            + "[114.46,23.10],[114.45,23.11],[114.45,23.10]]]}"),
        UploadFixtures.cell("C", 114.42, 23.10, 0.01),
        UploadFixtures.cell("H", 114.43, 23.10, 0.01),
        // closes the ring around the gap at 114.42–114.44 x 23.11–23.12
        UploadFixtures.cell("E", 114.41, 23.11, 0.01),
        UploadFixtures.cell("F", 114.44, 23.11, 0.01),
        UploadFixtures.wktFeature("G", "{\"type\":\"Polygon\",\"coordinates\":[[[114.41,23.12],[114.45,23.12],"
            + "[114.45,23.13],[114.41,23.13],[114.41,23.12]]]}")));
    int sets = count("grid_set");
    JsonNode p = body(upload("gis", "gis-pw", "defects.geojson", file, "grid"), 422);
    assertThat(p.path("reason").asText()).isEqualTo("blocking_problems");
    JsonNode counts = p.path("report").path("counts");
    assertThat(json.convertValue(counts, java.util.Map.class)).as("%s", p).isEqualTo(java.util.Map.of(
        "invalid_geometry", 1, "duplicate_code", 1, "overlap", 1, "gap", 1));
    for (JsonNode problem : p.path("report").path("problems")) {
      assertThat(problem.path("type").asText()).isIn("invalid_geometry", "duplicate_code", "overlap", "gap");
      assertThat(problem.path("message").asText()).isNotBlank();
      assertThat(problem.path("location").path("type").asText()).isNotBlank();
    }
    assertThat(count("grid_set")).isEqualTo(sets);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'upload' AND outcome = 'failure' "
        + "AND detail->>'reason' = 'blocking_problems'", Integer.class)).isPositive();
  }

  @Test
  void viewerMayNotUploadOrActivate() throws Exception {
    assertThat(upload("viewer", "viewer-pw", "g.geojson", UploadFixtures.grid(4, 0.01, "V"), "grid")
        .getStatusCode().value()).isEqualTo(403);
    assertThat(rest.withBasicAuth("viewer", "viewer-pw").postForEntity("/api/grid-sets/1/activate", null, String.class)
        .getStatusCode().value()).isEqualTo(403);
  }

  @Test
  void fullCityGridActivatesInUnderTenSecondsAndEarlierSetsStayForRollback() throws Exception {
    long u0 = System.nanoTime();
    JsonNode first = body(upload("gis", "gis-pw", "grid-a.geojson", UploadFixtures.grid(3586, 0.02, "A"), "grid"), 201);
    System.out.printf("upload + validation + draft of a 3586-cell grid set over HTTP: %.3f s%n",
        (System.nanoTime() - u0) / 1e9);
    long a = first.path("draftId").asLong();
    // the test grid is a square over the city's envelope, larger than the districts live in this class
    // when the districts test ran first: its cells beyond them are outside_districts warnings, nothing else
    assertThat(json.convertValue(first.path("report").path("counts"), java.util.Map.class).keySet())
        .isSubsetOf(java.util.Set.of("outside_districts"));
    assertThat(first.path("report").path("blocked").asBoolean()).isFalse();
    assertThat(jdbc.queryForObject("SELECT cell_count FROM grid_set WHERE id = ?", Integer.class, a)).isEqualTo(3586);
    assertThat(jdbc.queryForObject("SELECT status FROM grid_set WHERE id = ?", String.class, a)).isEqualTo("draft");

    long t0 = System.nanoTime();
    body(post("/api/grid-sets/" + a + "/activate"), 200);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("activation of a 3586-cell grid set over HTTP: %.3f s%n", seconds);
    assertThat(seconds).isLessThan(10.0);
    assertThat(jdbc.queryForObject("SELECT id FROM grid_set WHERE status = 'active'", Long.class)).isEqualTo(a);
    assertThat(Events.RECEIVED).contains(new GridSetActivated(a));

    JsonNode second = body(upload("gis", "gis-pw", "grid-b.geojson", UploadFixtures.grid(3586, 0.02, "B"), "grid"), 201);
    long b = second.path("draftId").asLong();
    body(post("/api/grid-sets/" + b + "/activate"), 200);
    assertThat(jdbc.queryForObject("SELECT status FROM grid_set WHERE id = ?", String.class, a)).isEqualTo("archived");
    // rollback = activating the earlier set
    body(post("/api/grid-sets/" + a + "/activate"), 200);
    assertThat(jdbc.queryForList("SELECT id || ':' || status FROM grid_set WHERE id IN (?, ?) ORDER BY id",
        String.class, a, b)).containsExactly(a + ":active", b + ":archived");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell WHERE grid_set_id = ?", Integer.class, b)).isEqualTo(3586);

    JsonNode report = json.readTree(rest.withBasicAuth("gis", "gis-pw")
        .getForObject("/api/grid-sets/" + b + "/report", String.class));
    assertThat(report.path("featureCount").asInt()).isEqualTo(3586);

    ResponseEntity<String> geojson = rest.withBasicAuth("viewer", "viewer-pw")
        .getForEntity("/api/grid-sets/" + b + "/export?format=geojson", String.class);
    assertThat(geojson.getStatusCode().value()).isEqualTo(200);
    assertThat(json.readTree(geojson.getBody()).path("features")).hasSize(3586);
    ResponseEntity<byte[]> gpkg = rest.withBasicAuth("viewer", "viewer-pw")
        .getForEntity("/api/grid-sets/" + b + "/export?format=gpkg", byte[].class);
    assertThat(gpkg.getStatusCode().value()).isEqualTo(200);
    Path file = tmp.resolve("export.gpkg");
    Files.write(file, gpkg.getBody());
    var layer = new GeoPackageReader(ReadLimits.defaults()).read(file, null);
    assertThat(layer.features()).hasSize(3586);
    assertThat(layer.crsWkt()).isEqualTo("EPSG:4326");
    assertThat(layer.features()).extracting(f -> f.properties().get("code")).contains("B00001", "B03586");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'export'", Integer.class))
        .isEqualTo(2);
    // the exported GeoPackage comes back in as a clean grid set
    JsonNode again = body(upload("gis", "gis-pw", "export.gpkg", gpkg.getBody(), "grid"), 201);
    assertThat(again.path("report").path("format").asText()).isEqualTo("GEOPACKAGE");
    assertThat(again.path("report").path("featureCount").asInt()).isEqualTo(3586);
    assertThat(json.convertValue(again.path("report").path("counts"), java.util.Map.class).keySet())
        .isSubsetOf(java.util.Set.of("outside_districts"));
  }

  @Test
  void coastlineUploadDerivesTheCoastalZoneOnActivation() throws Exception {
    byte[] coast = UploadFixtures.collection(List.of("{\"type\":\"Feature\",\"properties\":{\"name\":\"test coast\"},"
        + "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[114.5,22.7],[114.6,22.7]]}}"));
    JsonNode up = body(upload("gis", "gis-pw", "coast.geojson", coast, "coastline"), 201);
    assertThat(up.path("report").path("problems")).isEmpty();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM overlay_layer WHERE layer = 'coastline'", Integer.class))
        .as("a draft is not live").isZero();
    body(post(up.path("links").path("activate").asText()), 200);
    // 1 km either side of a 10.3 km line, plus two half-disc caps: about 23.7 km²
    double area = jdbc.queryForObject("SELECT ST_Area(f.geom::geography) FROM overlay_feature f JOIN overlay_layer l "
        + "ON l.layer = f.layer AND l.version = f.version WHERE f.layer = 'coastal_zone'", Double.class);
    assertThat(area / 1e6).isBetween(22.5, 25.0);

    byte[] campuses = UploadFixtures.collection(List.of(
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"一中\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.41,23.11]}}",
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"二中\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.42,23.12]}}"));
    JsonNode c = body(upload("gis", "gis-pw", "campuses.geojson", campuses, "campuses"), 201);
    body(post(c.path("links").path("activate").asText()), 200);
    JsonNode live = json.readTree(rest.withBasicAuth("viewer", "viewer-pw").getForObject("/api/overlays/campuses",
        String.class));
    assertThat(live.findValuesAsText("name")).containsExactlyInAnyOrder("一中", "二中");
  }

  static Stream<Arguments> badInputs() throws Exception {
    String polygon = UploadFixtures.cell("X", 114.4, 23.1, 0.01);
    StringBuilder ring = new StringBuilder();
    for (int i = 0; i < 6000; i++) {
      double a = 2 * Math.PI * i / 6000;
      ring.append(String.format(java.util.Locale.ROOT, "[%.6f,%.6f],", 114.4 + 0.01 * Math.cos(a), 23.1 + 0.01 * Math.sin(a)));
    }
    ring.append("[114.41,23.1]");
    String manyVertices = UploadFixtures.wktFeature("V", "{\"type\":\"Polygon\",\"coordinates\":[[" + ring + "]]}");
    byte[] big = new byte[3_500_000];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    Object[] manyEntries = new Object[200];
    for (int i = 0; i < 100; i++) {
      manyEntries[2 * i] = "f" + i + ".txt";
      manyEntries[2 * i + 1] = new byte[1];
    }
    return Stream.of(
        Arguments.of("zip bomb (ratio)", "bomb.zip", UploadFixtures.zip("layer.shp", new byte[60 << 20]), 413, "zip_bomb"),
        Arguments.of("zip bomb (entries)", "many.zip", UploadFixtures.zip(manyEntries), 413, "zip_bomb"),
        Arguments.of("path traversal", "evil.zip", UploadFixtures.zip("../../../tmp/evil.shp", new byte[10]), 422,
            "unsafe_zip_entry"),
        Arguments.of("over the size limit", "big.geojson", big, 413, "file_too_large"),
        Arguments.of("too many vertices", "v.geojson", UploadFixtures.collection(List.of(manyVertices)), 413,
            "too_many_vertices"),
        Arguments.of("shapefile without .shp", "noshp.zip", "noshp", 422, "shapefile_incomplete"),
        Arguments.of("shapefile without .dbf", "nodbf.zip", "nodbf", 422, "shapefile_incomplete"),
        Arguments.of("corrupt .shp", "corrupt.zip", "corrupt", 422, "corrupt_file"),
        Arguments.of("mixed geometry types", "mixed.geojson", UploadFixtures.collection(List.of(polygon,
            UploadFixtures.wktFeature("P", "{\"type\":\"Point\",\"coordinates\":[114.4,23.1]}"))), 422,
            "mixed_geometry_types"),
        Arguments.of("unknown CRS without override", "noprj.zip", "noprj", 422, "unknown_crs"),
        Arguments.of("empty file", "empty.geojson", new byte[0], 422, "empty_file"),
        Arguments.of("not a FeatureCollection", "feature.geojson", polygon.getBytes(StandardCharsets.UTF_8), 422,
            "not_feature_collection"),
        Arguments.of("metres as degrees", "m.geojson", UploadFixtures.collection(List.of(
            UploadFixtures.cell("M", 12_736_000, 2_645_000, 1000))), 422, "implausible_coordinates"),
        Arguments.of("swapped lat/lon", "s.geojson", UploadFixtures.collection(List.of(
            UploadFixtures.cell("S", 23.1, 114.4, 0.01))), 422, "swapped_axes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsRefusedWithAReasonAndNothingWritten(String what, String fileName, Object content, int status,
      String reason) throws Exception {
    byte[] bytes = content instanceof byte[] b ? b : shapefileVariant((String) content);
    int sets = count("grid_set");
    int cells = count("grid_cell");
    int drafts = count("overlay_draft");
    int features = count("overlay_feature");
    JsonNode p = body(upload("gis", "gis-pw", fileName, bytes, "grid"), status);
    assertThat(p.path("reason").asText()).as("%s", p).isEqualTo(reason);
    assertThat(p.path("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("safegrid-");
    assertThat(List.of(count("grid_set"), count("grid_cell"), count("overlay_draft"), count("overlay_feature")))
        .containsExactly(sets, cells, drafts, features);
    assertThat(Path.of("/tmp/evil.shp")).doesNotExist();
  }

  private byte[] shapefileVariant(String variant) throws Exception {
    return switch (variant) {
      case "noshp" -> UploadFixtures.districtsShapefileGk4547Gbk(tmp, "shp");
      case "nodbf" -> UploadFixtures.districtsShapefileGk4547Gbk(tmp, "dbf");
      case "noprj" -> UploadFixtures.districtsShapefileGk4547Gbk(tmp, "prj");
      case "corrupt" -> {
        UploadFixtures.districtsShapefileGk4547Gbk(tmp);
        byte[] shp = Files.readAllBytes(tmp.resolve("districts.shp"));
        for (int i = 0; i < 200; i++) {
          shp[i] = (byte) 'x';
        }
        yield UploadFixtures.zip("d.shp", shp, "d.shx", Files.readAllBytes(tmp.resolve("districts.shx")),
            "d.dbf", Files.readAllBytes(tmp.resolve("districts.dbf")), "d.prj", Files.readAllBytes(tmp.resolve("districts.prj")));
      }
      default -> throw new IllegalArgumentException(variant);
    };
  }

  /** Opens a raw upload: sends the headers declaring {@code contentLength} and {@code sent} body bytes, no more. */
  private java.net.Socket openUpload(long contentLength, int sent) throws Exception {
    String auth = java.util.Base64.getEncoder().encodeToString("gis:gis-pw".getBytes(StandardCharsets.UTF_8));
    return openMultipart("POST", "/api/uploads", "Authorization: Basic " + auth + "\r\n", contentLength, sent);
  }

  /** Sends the head of a multipart request and {@code sent} bytes of its declared body; the rest never comes. */
  private java.net.Socket openMultipart(String method, String path, String extraHeaders, long contentLength, int sent)
      throws Exception {
    java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders
        + "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: " + contentLength + "\r\n\r\n"
        + "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.geojson\"\r\n\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().write(new byte[sent]);
    socket.getOutputStream().flush();
    return socket;
  }

  private static String readAnswer(java.net.Socket socket) throws Exception {
    byte[] buf = new byte[4096];
    int n = socket.getInputStream().read(buf);
    return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
  }

  @Test
  void multipartBodiesAreRefusedWith415BeforeSecurityOnEveryPathButTheUploadEndpoint() throws Exception {
    String basic = "Authorization: Basic " + java.util.Base64.getEncoder()
        .encodeToString("gis:gis-pw".getBytes(StandardCharsets.UTF_8)) + "\r\n";
    String[][] requests = {{"POST", "/login", ""}, {"POST", "/logout", ""}, {"POST", "/api/me/password", ""},
        {"POST", "/api/me/password", basic}, {"POST", "/api/users", ""}, {"PUT", "/api/users/gis/roles", ""},
        {"POST", "/api/alerts/roster", basic}, {"POST", "/api/activity", ""}, {"POST", "/api/patrol/plan", ""},
        {"POST", "/api/grid-sets/1/activate", basic}, {"POST", "/no/such/path", ""}, {"POST", "/api/uploads/", ""}};
    for (String[] r : requests) {
      // 50 MB declared, 1 KB sent: an answer while the body is still owed means nothing waited for it
      long start = System.nanoTime();
      try (java.net.Socket s = openMultipart(r[0], r[1], r[2], 50_000_000L, 1024)) {
        String answer = readAnswer(s);
        assertThat(answer).as("%s %s", r[0], r[1]).startsWith("HTTP/1.1 415")
            .contains("application/problem+json", "multipart_not_accepted", "Connection: close");
      }
      assertThat((System.nanoTime() - start) / 1_000_000).as("%s %s answered without the body", r[0], r[1])
          .isLessThan(2_000);
    }
    // the upload endpoint itself goes on to its admission and to authentication
    try (java.net.Socket s = openMultipart("POST", "/api/uploads", "", 50_000_000L, 1024)) {
      assertThat(readAnswer(s)).startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void theMultipartGateLetsThroughExactlyTheHandlersThatConsumeMultipart(
      @org.springframework.beans.factory.annotation.Autowired
      @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
      org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping mappings) {
    java.util.Set<String> consuming = new java.util.TreeSet<>();
    mappings.getHandlerMethods().forEach((info, method) -> {
      boolean multipart = info.getConsumesCondition().getConsumableMediaTypes().stream()
          .anyMatch(t -> t.getType().equals("multipart"));
      if (multipart) {
        consuming.addAll(info.getPatternValues());
      }
    });
    assertThat(consuming).as("every upload endpoint must be listed in MultipartGate.UPLOAD_PATHS, and only those")
        .containsExactlyInAnyOrderElementsOf(MultipartGate.UPLOAD_PATHS);
  }

  @Test
  void oversizedDeclaredBodyIsRefusedWith413BeforeItIsSent() throws Exception {
    // 50 MB declared against the 3 MB cap; only the headers and 1 KB are ever sent
    long start = System.nanoTime();
    try (java.net.Socket s = openUpload(50_000_000L, 1024)) {
      String answer = readAnswer(s);
      assertThat(answer).startsWith("HTTP/1.1 413").contains("application/problem+json", "file_too_large",
          "nosniff");
    }
    assertThat((System.nanoTime() - start) / 1_000_000).as("answered without waiting for the body").isLessThan(2_000);
  }

  @Test
  void uploadsBeyondTheConcurrencyCapGet503WithRetryAfterAndTheSlotsComeBack() throws Exception {
    users();
    // two uploads whose bodies never finish hold the two slots
    java.net.Socket a = openUpload(1_000_000L, 1024);
    java.net.Socket b = openUpload(1_000_000L, 1024);
    try {
      java.net.Socket c = null;
      String answer = "";
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!answer.startsWith("HTTP/1.1 503") && System.nanoTime() < deadline) {
        // the two held uploads may take a moment to reach the filter
        c = openUpload(1_000_000L, 1024);
        c.setSoTimeout(2_000);
        try {
          answer = readAnswer(c);
        } catch (java.net.SocketTimeoutException e) {
          answer = ""; // admitted: one of the two had not got its slot yet
        }
        c.close();
      }
      assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After: 5", "uploads_busy");
    } finally {
      a.close();
      b.close();
    }
    // the slots are released when the two broken uploads end
    long deadline = System.nanoTime() + 20_000_000_000L;
    int status;
    do {
      Thread.sleep(200);
      status = upload("gis", "gis-pw", "after.geojson", UploadFixtures.grid(4, 0.01, "Q"), "grid").getStatusCode().value();
    } while (status == 503 && System.nanoTime() < deadline);
    assertThat(status).isEqualTo(201);
  }
}
