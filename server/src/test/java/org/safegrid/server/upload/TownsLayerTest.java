package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.validate.ProblemType;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Towns as an uploadable boundary layer, over HTTP into a real PostGIS: a town's district is located
 * in the live districts layer; while no towns layer is live a grid's report says its towns were not
 * checked; once one is, each cell is stored with the town it overlaps most and the file's differing
 * town values are {@code town_mismatch} warnings with both values.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw"})
class TownsLayerTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, TownsLayerTest.class);
  }

  @Autowired
  TestRestTemplate rest;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;

  private final ObjectMapper json = new ObjectMapper();

  /*
   * District 441302 at lon 114.40–114.50, lat 23.10–23.12; towns T1 (west of 114.45) and T2 (east);
   * a row of four cells of 0.02° × 0.02°, cell G3 straddling the town border (30 % T1, 70 % T2):
   *
   *   114.40    114.42    114.44 114.45 114.46  114.48  114.50
   *   +---------+---------+----|---+----+-------+-------+
   *   |   G1    |   G2    |  G3    |    |  G4   |       |
   *   |   T1    |   T1    |T1| T2  |    |  T2   |       |
   *   +---------+---------+----|---+----+-------+-------+
   */
  @Test
  void townsAreLocatedAndTheFileTownFieldIsCheckedAgainstTheLiveTownsLayer() throws Exception {
    accounts.createUser("gina", "towns-pw-1", List.of(Role.GIS_ADMIN));
    JsonNode districts = created(upload("districts.geojson", collection(
        feature("{\"code\":\"441302\",\"name\":\"惠城区\"}", 114.40, 114.50)), "districts"));
    ok(activate("overlay-drafts", districts.path("draftId").asLong()));

    // no towns layer yet: the file's town values are stored, and the report says they were not checked
    JsonNode before = created(upload("grid-before.geojson", grid("T9", "T9", "T9", "T9"), "grid"));
    assertThat(before.path("report").path("notes").findValuesAsText("type")).containsExactly("towns_not_checked");
    assertThat(before.path("report").path("counts").has(ProblemType.TOWN_MISMATCH.code())).isFalse();
    assertThat(jdbc.queryForList("SELECT DISTINCT town_code FROM grid_cell WHERE grid_set_id = ?", String.class,
        before.path("draftId").asLong())).containsExactly("T9");

    // the towns layer: T2's district field holds the district's name, so it is located and flagged
    JsonNode towns = created(upload("towns.geojson", collection(
        feature("{\"code\":\"T1\",\"name\":\"桥东街道\",\"QXDM\":\"441302\"}", 114.40, 114.45),
        feature("{\"code\":\"T2\",\"name\":\"桥西街道\",\"QXDM\":\"惠城区\"}", 114.45, 114.50)), "towns"));
    assertThat(towns.path("report").path("layer").asText()).isEqualTo("towns");
    JsonNode districtMismatch = towns.path("report").path("problems").get(0);
    assertThat(districtMismatch.path("type").asText()).isEqualTo("district_mismatch");
    assertThat(districtMismatch.path("fileValue").asText()).isEqualTo("惠城区");
    ok(activate("overlay-drafts", towns.path("draftId").asLong()));
    assertThat(jdbc.queryForList("SELECT f.code || ':' || f.district_code FROM overlay_feature f JOIN overlay_layer l "
        + "ON l.layer = f.layer AND l.version = f.version WHERE f.layer = 'towns' ORDER BY 1", String.class))
        .containsExactly("T1:441302", "T2:441302");

    // a grid whose town field is right for G1 and G4, wrong for G2 (another town) and G3 (a name)
    JsonNode after = created(upload("grid-after.geojson", grid("T1", "T2", "桥东街道", "T2"), "grid"));
    assertThat(after.path("report").path("notes").isMissingNode()).as("%s", after.path("report")).isTrue();
    assertThat(after.path("report").path("counts").path("town_mismatch").asInt()).isEqualTo(2);
    Map<String, String[]> mismatches = new java.util.TreeMap<>();
    after.path("report").path("problems").forEach(p -> {
      if (p.path("type").asText().equals("town_mismatch")) {
        mismatches.put(p.path("code").asText(), new String[] {p.path("fileValue").asText(), p.path("foundValue").asText()});
        assertThat(p.path("blocking").asBoolean()).isFalse();
      }
    });
    assertThat(mismatches.keySet()).containsExactly("G2", "G3");
    assertThat(mismatches.get("G2")).containsExactly("T2", "T1");
    assertThat(mismatches.get("G3")).containsExactly("桥东街道", "T2");
    assertThat(jdbc.queryForList("SELECT code || ':' || town_code || ':' || town_name FROM grid_cell "
        + "WHERE grid_set_id = ? ORDER BY code", String.class, after.path("draftId").asLong()))
        .containsExactly("G1:T1:桥东街道", "G2:T1:桥东街道", "G3:T2:桥西街道", "G4:T2:桥西街道");
  }

  private ResponseEntity<String> upload(String fileName, String geojson, String layer) {
    return rest.withBasicAuth("gina", "towns-pw-1").postForEntity("/api/uploads",
        UploadForms.form(fileName, geojson.getBytes(StandardCharsets.UTF_8), layer), String.class);
  }

  private ResponseEntity<String> activate(String kind, long id) {
    return rest.withBasicAuth("gina", "towns-pw-1").postForEntity("/api/" + kind + "/" + id + "/activate", null,
        String.class);
  }

  private JsonNode created(ResponseEntity<String> r) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(201);
    JsonNode body = json.readTree(r.getBody());
    assertThat(ReportSchema.violations(body.path("report"))).as("%s", body.path("report")).isEmpty();
    return body;
  }

  private JsonNode ok(ResponseEntity<String> r) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(200);
    return json.readTree(r.getBody());
  }

  /** Four cells G1..G4 of the sketch with the given values in their town field (JDDM). */
  private static String grid(String... towns) {
    double[][] xs = {{114.40, 114.42}, {114.42, 114.44}, {114.444, 114.464}, {114.46, 114.48}};
    String[] cells = new String[4];
    for (int i = 0; i < 4; i++) {
      cells[i] = feature(String.format(Locale.ROOT, "{\"WGBM\":\"G%d\",\"QXDM\":\"441302\",\"JDDM\":\"%s\"}", i + 1,
          towns[i]), xs[i][0], xs[i][1]);
    }
    return collection(cells);
  }

  private static String feature(String props, double x0, double x1) {
    return String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":%s,\"geometry\":{\"type\":\"Polygon\","
        + "\"coordinates\":[[[%.6f,23.10],[%.6f,23.10],[%.6f,23.12],[%.6f,23.12],[%.6f,23.10]]]}}", props, x0, x1, x1,
        x0, x0);
  }

  private static String collection(String... features) {
    return "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}";
  }
}
