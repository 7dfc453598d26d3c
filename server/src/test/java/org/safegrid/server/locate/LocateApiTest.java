package org.safegrid.server.locate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.safegrid.server.upload.UploadForms;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The subdivided pieces of polygons ({@code grid_cell_part}, {@code overlay_feature_part}) as
 * uploads write them, and {@code GET /api/locate} that reads them, over HTTP against a real PostGIS.
 *
 * <p>The fixture, uploaded and activated through the API: district A a square, district B with a
 * straight west border on A and a wiggly 2,000-vertex "coast" on the east (so it has many pieces);
 * a 4 × 2 grid of 0.05° cells across both, ids 1–8 row by row, towns TA (west half) and TB.
 *
 * <pre>
 *   23.10 +---------+---------+---------+---------+~
 *         |  5      |  6      |  7      |  8    * |~~   * IN_B
 *   23.05 +---------+---------+---------+---------+~   B = 441303 (wiggly east edge)
 *         |  1 *    |  2      |  3      |  4      |~
 *   23.00 +---------+---------+---------+---------+~   * IN_A, A = 441302
 *      114.30    114.35    114.40    114.45    114.50
 *                          (A | B border, EDGE on it at 23.02)
 * </pre>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=locate-admin-pw",
    "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocateApiTest {

  static final String A = "441302";
  static final String B = "441303";
  static final double[] IN_A = {114.33, 23.03};
  static final double[] IN_B = {114.47, 23.07};
  static final double[] EDGE = {114.40, 23.02};
  static final int COAST_VERTICES = 2_000;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    db = PostgisTestSupport.register(registry, LocateApiTest.class);
  }

  @Autowired
  TestRestTemplate rest;
  @Autowired
  JdbcTemplate jdbc;

  /** The test database; its administrator injects the failing trigger, which the server's own role may not. */
  static org.safegrid.ingest.testing.TestDatabase db;
  @Autowired
  UserAccountService accounts;

  private final ObjectMapper json = new ObjectMapper();
  private long districtsDraft;
  private long gridSet;

  @BeforeAll
  void fixture() throws Exception {
    for (Role r : Role.people()) {
      String name = "u" + r.name().toLowerCase(Locale.ROOT).replace("_", "");
      accounts.createUser(name, name + "-password-1", List.of(r));
    }
    accounts.createUser("ana", "ana-password-1", List.of(Role.VIEWER));
    jdbc.update("UPDATE app_user SET district_code = ? WHERE username = 'ana'", A);

    JsonNode d = body(upload("districts.geojson", districts(), "districts"), 201);
    districtsDraft = d.path("draftId").asLong();
    assertThat(rest.withBasicAuth("ugisadmin", "ugisadmin-password-1")
        .postForEntity(d.path("links").path("activate").asText(), null, String.class).getStatusCode().value())
        .isEqualTo(200);
    JsonNode g = body(upload("grid.geojson", grid("G"), "grid"), 201);
    gridSet = g.path("draftId").asLong();
    assertThat(rest.withBasicAuth("ugisadmin", "ugisadmin-password-1")
        .postForEntity(g.path("links").path("activate").asText(), null, String.class).getStatusCode().value())
        .isEqualTo(200);
  }

  // --- fixture files -------------------------------------------------------------------------

  /** A: the square 114.30–114.40 × 23.00–23.10. B: west edge on A, a wiggly east edge near 114.50. */
  private static byte[] districts() {
    StringBuilder coast = new StringBuilder("[114.4,23.1]");
    for (int i = 0; i <= COAST_VERTICES; i++) {
      double lat = 23.10 - 0.10 * i / COAST_VERTICES;
      double lon = 114.50 + 0.008 * Math.sin(i * 0.37) + 0.004 * Math.sin(i * 1.3) + 0.012;
      coast.append(String.format(Locale.ROOT, ",[%.7f,%.7f]", lon, lat));
    }
    coast.append(",[114.4,23.0],[114.4,23.1]");
    String a = "{\"type\":\"Feature\",\"properties\":{\"adcode\":\"" + A + "\",\"name\":\"District A\"},\"geometry\":"
        + "{\"type\":\"Polygon\",\"coordinates\":[[[114.3,23.0],[114.4,23.0],[114.4,23.1],[114.3,23.1],[114.3,23.0]]]}}";
    String b = "{\"type\":\"Feature\",\"properties\":{\"adcode\":\"" + B + "\",\"name\":\"District B\"},\"geometry\":"
        + "{\"type\":\"Polygon\",\"coordinates\":[[" + coast + "]]}}";
    return ("{\"type\":\"FeatureCollection\",\"features\":[" + a + "," + b + "]}").getBytes(StandardCharsets.UTF_8);
  }

  /** The 4 × 2 grid, cells row by row from the south-west; town TA west of 114.40, TB east. */
  private static byte[] grid(String prefix) {
    List<String> cells = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      for (int c = 0; c < 4; c++) {
        double x = 114.30 + c * 0.05;
        double y = 23.00 + r * 0.05;
        String town = c < 2 ? "TA" : "TB";
        cells.add(String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"%s%d\",\"WGMC\":"
                + "\"cell %d\",\"town_code\":\"%s\",\"town_name\":\"Town %s\"},\"geometry\":{\"type\":\"Polygon\","
                + "\"coordinates\":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f]]]}}",
            prefix, r * 4 + c + 1, r * 4 + c + 1, town, town, x, y, x + 0.05, y, x + 0.05, y + 0.05, x, y + 0.05, x, y));
      }
    }
    return ("{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", cells) + "]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  // --- the pieces ------------------------------------------------------------------------------

  @Test
  void theUploadStoresPiecesOfAtMost256VerticesThatCoverEachPolygon() {
    int version = jdbc.queryForObject("SELECT version FROM overlay_draft WHERE id = ?", Integer.class, districtsDraft);
    // B's 2,000-vertex coast is cut into several pieces, A's square is one
    assertThat(jdbc.queryForObject("SELECT count(*) FROM overlay_feature_part WHERE layer = 'districts' AND version = ? "
        + "AND code = ?", Integer.class, version, B)).isGreaterThan(COAST_VERTICES / 256);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM overlay_feature_part WHERE layer = 'districts' AND version = ? "
        + "AND code = ?", Integer.class, version, A)).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT max(ST_NPoints(geom)) FROM overlay_feature_part", Integer.class))
        .isLessThanOrEqualTo(256);
    assertThat(jdbc.queryForObject("SELECT max(ST_NPoints(geom)) FROM grid_cell_part", Integer.class))
        .isLessThanOrEqualTo(256);
    // the union of each feature's pieces is the feature: no area lost or added
    List<Double> relativeDifference = jdbc.queryForList("SELECT ST_Area(ST_SymDifference(f.geom, ST_Union(p.geom))) "
        + "/ ST_Area(f.geom) FROM overlay_feature f JOIN overlay_feature_part p ON p.feature_id = f.id "
        + "WHERE f.layer = 'districts' GROUP BY f.id, f.geom", Double.class);
    assertThat(relativeDifference).hasSize(2).allSatisfy(d -> assertThat(d).isLessThan(1e-9));
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell c WHERE c.grid_set_id = ? AND ST_Area(ST_SymDifference("
        + "c.geom, (SELECT ST_Union(p.geom) FROM grid_cell_part p WHERE p.grid_set_id = c.grid_set_id "
        + "AND p.cell_id = c.cell_id))) > 1e-12", Integer.class, gridSet)).isZero();
    assertThat(jdbc.queryForObject("SELECT count(DISTINCT cell_id) FROM grid_cell_part WHERE grid_set_id = ?",
        Integer.class, gridSet)).isEqualTo(8);
    // the upload assigned each cell the live district its interior point lies in, through the pieces
    assertThat(jdbc.queryForList("SELECT district_code FROM grid_cell WHERE grid_set_id = ? ORDER BY cell_id",
        String.class, gridSet)).containsExactly(A, A, B, B, A, A, B, B);
  }

  @Test
  void aDiscardedDraftTakesItsPiecesWithIt() throws Exception {
    JsonNode g = body(upload("draft.geojson", grid("D"), "grid"), 201);
    long draft = g.path("draftId").asLong();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell_part WHERE grid_set_id = ?", Integer.class, draft))
        .isEqualTo(8);
    ResponseEntity<String> del = rest.withBasicAuth("ugisadmin", "ugisadmin-password-1")
        .exchange("/api/grid-sets/" + draft, HttpMethod.DELETE, null, String.class);
    assertThat(del.getStatusCode().value()).isEqualTo(204);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell_part WHERE grid_set_id = ?", Integer.class, draft))
        .isZero();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell_part WHERE grid_set_id = ?", Integer.class, gridSet))
        .isEqualTo(8);
  }

  @Test
  void anUploadThatFailsMidWayLeavesNoPiecesBehind() throws Exception {
    // the third cell's insert fails; before failing it records (in a sequence, which a rollback does not undo)
    // how many pieces the upload's transaction had written by then
    JdbcTemplate admin = new JdbcTemplate(db.dataSource());
    admin.execute("CREATE SEQUENCE test_pieces_seen MINVALUE 0 START 0");
    // SECURITY DEFINER: it runs in the server's transaction, whose role may not touch the administrator's sequence
    admin.execute("CREATE FUNCTION test_fail_third_cell() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN "
        + "PERFORM setval('test_pieces_seen', (SELECT count(*) FROM grid_cell_part WHERE grid_set_id = NEW.grid_set_id)); "
        + "RAISE EXCEPTION 'injected failure'; END $$");
    admin.execute("CREATE TRIGGER test_fail_third_cell BEFORE INSERT ON grid_cell FOR EACH ROW "
        + "WHEN (NEW.code = 'F3') EXECUTE FUNCTION test_fail_third_cell()");
    long setsBefore = jdbc.queryForObject("SELECT count(*) FROM grid_set", Long.class);
    long piecesBefore = jdbc.queryForObject("SELECT count(*) FROM grid_cell_part", Long.class);
    try {
      ResponseEntity<String> r = upload("fails.geojson", grid("F"), "grid");
      assertThat(r.getStatusCode().value()).as(r.getBody()).isEqualTo(503);
      assertThat(r.getBody()).doesNotContain("injected");
    } finally {
      admin.execute("DROP TRIGGER test_fail_third_cell ON grid_cell");
      admin.execute("DROP FUNCTION test_fail_third_cell()");
    }
    assertThat(admin.queryForObject("SELECT last_value FROM test_pieces_seen", Long.class))
        .as("pieces of cells 1 and 2 existed in the failing transaction").isEqualTo(2);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_set", Long.class)).isEqualTo(setsBefore);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell_part", Long.class)).isEqualTo(piecesBefore);
  }

  // --- GET /api/locate ----------------------------------------------------------------------------

  @Test
  void aPointInsideADistrictGivesItsDistrictTownAndCell() throws Exception {
    JsonNode a = locate("uviewer", IN_A);
    assertThat(a.path("district").path("code").asText()).isEqualTo(A);
    assertThat(a.path("district").path("name").asText()).isEqualTo("District A");
    assertThat(a.path("town").path("code").asText()).isEqualTo("TA");
    assertThat(a.path("town").path("name").asText()).isEqualTo("Town TA");
    assertThat(a.path("cell").path("id").asInt()).isEqualTo(1);
    assertThat(a.path("cell").path("code").asText()).isEqualTo("G1");
    assertThat(a.path("cell").path("name").asText()).isEqualTo("cell 1");
    assertThat(a.path("cell").path("gridSetId").asLong()).isEqualTo(gridSet);
    assertThat(a.path("lon").asDouble()).isEqualTo(IN_A[0]);

    JsonNode b = locate("uviewer", IN_B);
    assertThat(b.path("district").path("code").asText()).isEqualTo(B);
    assertThat(b.path("town").path("code").asText()).isEqualTo("TB");
    assertThat(b.path("cell").path("code").asText()).isEqualTo("G8");
  }

  @Test
  void aPointOnTheWigglyCoastIsInsideOnlyOnTheLandSide() throws Exception {
    // the east edge at vertex i: one step west of it is in B, one step east is outside (beyond the grid too)
    int i = 1_234;
    double lat = 23.10 - 0.10 * i / COAST_VERTICES;
    double lon = 114.50 + 0.008 * Math.sin(i * 0.37) + 0.004 * Math.sin(i * 1.3) + 0.012;
    assertThat(locate("uviewer", new double[] {lon - 1e-6, lat}).path("district").path("code").asText()).isEqualTo(B);
    JsonNode sea = locate("uviewer", new double[] {lon + 1e-4, lat});
    assertThat(sea.path("district").isNull()).as("%s", sea).isTrue();
  }

  @Test
  void aPointOutsideEverythingGivesNulls() throws Exception {
    JsonNode n = locate("uplanner", new double[] {113.0, 22.0});
    assertThat(n.path("district").isNull()).isTrue();
    assertThat(n.path("town").isNull()).isTrue();
    assertThat(n.path("cell").isNull()).isTrue();
  }

  @Test
  void aPointOnABorderBelongsToTheLowerCodeAndCellId() throws Exception {
    JsonNode e = locate("uviewer", EDGE);
    assertThat(e.path("district").path("code").asText()).isEqualTo(A);
    assertThat(e.path("cell").path("id").asInt()).isEqualTo(2);
    // a grid corner shared by four cells
    assertThat(locate("uviewer", new double[] {114.35, 23.05}).path("cell").path("id").asInt()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lat=23.03", "lon=114.33", "lon=&lat=23.03", "lon=NaN&lat=23.03", "lon=114.33&lat=Infinity",
      "lon=abc&lat=23.03", "lon=0x1p3&lat=23.03", "lon=114.33d&lat=23.03", "lon=1e2&lat=23.03", "lon=181&lat=23.03",
      "lon=114.33&lat=-90.5", "lon=114.33,23.03&lat=23.03", "lon=114.33&lat=23.03%27--", "lon=23.03&lat=114.33"})
  void badCoordinatesAre400WithAReason(String query) throws Exception {
    ResponseEntity<String> r = rest.withBasicAuth("uviewer", "uviewer-password-1").getForEntity("/api/locate?" + query,
        String.class);
    assertThat(r.getStatusCode().value()).as(r.getBody()).isEqualTo(400);
    assertThat(r.getHeaders().getContentType().toString()).isEqualTo("application/problem+json");
    JsonNode p = json.readTree(r.getBody());
    assertThat(p.path("detail").asText()).containsAnyOf("lon ", "lat ").doesNotContain("Exception");
  }

  @Test
  void everyReadingRoleMayLocateOthersMayNot() {
    for (String reader : List.of("uviewer", "uplanner", "ugisadmin", "uadmin")) {
      assertThat(status(reader)).as(reader).isEqualTo(200);
    }
    for (String other : List.of("uauditor", "uingest")) {
      assertThat(status(other)).as(other).isEqualTo(403);
    }
    assertThat(rest.getForEntity("/api/locate?lon=114.33&lat=23.03", String.class).getStatusCode().value())
        .isEqualTo(401);
  }

  @Test
  void aScopedUserLocatesInsideItsDistrictAndGetsNothingOutsideAudited() throws Exception {
    JsonNode in = locate("ana", IN_A);
    assertThat(in.path("district").path("code").asText()).isEqualTo(A);
    assertThat(in.path("cell").path("code").asText()).isEqualTo("G1");
    // on the border the caller's own district is the answer
    assertThat(locate("ana", EDGE).path("district").path("code").asText()).isEqualTo(A);

    JsonNode out = locate("ana", IN_B);
    assertThat(out.path("district").isNull()).as("%s", out).isTrue();
    assertThat(out.path("town").isNull()).isTrue();
    assertThat(out.path("cell").isNull()).isTrue();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'scope.filtered' "
        + "AND username = 'ana' AND object_type = 'locate' AND detail->>'scope' = ?", Integer.class, A)).isEqualTo(1);
  }

  // --- plumbing -------------------------------------------------------------------------------

  private int status(String user) {
    return rest.withBasicAuth(user, user + "-password-1").getForEntity("/api/locate?lon=114.33&lat=23.03", String.class)
        .getStatusCode().value();
  }

  private JsonNode locate(String user, double[] lonLat) throws Exception {
    ResponseEntity<String> r = rest.withBasicAuth(user, user + "-password-1").getForEntity(
        String.format(Locale.ROOT, "/api/locate?lon=%.7f&lat=%.7f", lonLat[0], lonLat[1]), String.class);
    return body(r, 200);
  }

  private ResponseEntity<String> upload(String fileName, byte[] bytes, String layer) {
    return rest.withBasicAuth("ugisadmin", "ugisadmin-password-1").postForEntity("/api/uploads",
        UploadForms.form(fileName, bytes, layer), String.class);
  }

  private JsonNode body(ResponseEntity<String> r, int expectedStatus) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(expectedStatus);
    return json.readTree(r.getBody());
  }
}
