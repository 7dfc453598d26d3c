package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 * Scope cannot widen itself (issue 18 item 5), over HTTP into a real PostGIS: a district-scoped GIS
 * officer can neither upload nor activate anything outside the district (403 {@code outside_scope},
 * audited), and a districts layer or grid set that moves a district's area by more than the 1 %
 * tolerance waits for a second GIS administrator (202 with the diff; the requester's own approval is
 * 403 {@code own_request}; approval activates, rejection does not; every step audited).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FourEyesActivationTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, FourEyesActivationTest.class);
  }

  private static final String A = "441302";
  private static final String B = "441303";
  private static final String PW = "four-eyes-pw-1";

  @Autowired
  TestRestTemplate rest;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;

  private final ObjectMapper json = new ObjectMapper();

  /*
   * Districts A (441302) and B (441303) side by side, lat 23.10–23.15, split at lon 114.45; the grid
   * is 10 × 5 cells of 0.01°, columns 0–4 in A and 5–9 in B, rows 0–4 from the south:
   *
   *   114.40          114.45          114.50
   *   +---+---+...+---+---+---+...+---+   row 4
   *   |   A (441302)  |   B (441303)  |   ...
   *   +---+---+...+---+---+---+...+---+   row 0
   */
  @Test
  @Order(1)
  void setUpTheLiveDistrictsAndGridWithOneOfficer() throws Exception {
    accounts.createUser("gina", PW, List.of(Role.GIS_ADMIN));
    accounts.createUser("gabe", PW, List.of(Role.GIS_ADMIN));
    accounts.createUser("sam", PW, List.of(Role.GIS_ADMIN));
    jdbc.update("UPDATE app_user SET district_code = ? WHERE username = 'sam'", A);
    // nothing is live yet: the first districts layer and the first grid need no second officer
    activated(post("gina", created(upload("gina", "districts.geojson", districts(114.45), "districts"))));
    activated(post("gina", created(upload("gina", "grid.geojson", grid(c -> true, 1.0), "grid"))));
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_cell c JOIN grid_set s ON s.id = c.grid_set_id "
        + "WHERE s.status = 'active' AND c.district_code = ?", Integer.class, B)).isEqualTo(25);
  }

  @Test
  @Order(2)
  void aDistrictScopedOfficerCannotUploadCityWideLayersNorCellsOfAnotherDistrict() throws Exception {
    ResponseEntity<String> districts = upload("sam", "districts.geojson", districts(114.49), "districts");
    assertForbidden(districts, "outside_scope", "whole city");
    // B's cells dropped: a change outside sam's district A; the draft is rolled back
    int sets = jdbc.queryForObject("SELECT count(*) FROM grid_set", Integer.class);
    ResponseEntity<String> onlyA = upload("sam", "grid-a.geojson", grid(c -> c % 10 < 5, 1.0), "grid");
    assertForbidden(onlyA, "outside_scope", "outside your district " + A);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM grid_set", Integer.class)).isEqualTo(sets);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE username = 'sam' AND action = 'upload' "
        + "AND outcome = 'failure' AND detail->>'reason' = 'outside_scope'", Integer.class)).isEqualTo(2);
  }

  @Test
  @Order(3)
  void aChangeWithinTheToleranceIsActivatedByOneOfficer() throws Exception {
    // cell 0 narrowed by a tenth: A loses 0.4 % of its area
    long id = created(upload("gina", "grid-small.geojson", grid(c -> true, 0.9), "grid"));
    JsonNode a = activated(post("gina", id));
    assertThat(a.path("id").asLong()).isEqualTo(id);
  }

  @Test
  @Order(4)
  void aScopedOfficersChangeInsideTheDistrictIsAllowedAndAMovedAreaWaitsForASecondOfficer() throws Exception {
    // sam drops A's top row (B's cells unchanged copies): allowed in scope, but A loses 20 % of its area
    long id = created(upload("sam", "grid-a-top.geojson", grid(c -> !(c / 10 == 4 && c % 10 < 5), 0.9), "grid"));
    JsonNode pending = accepted(post("sam", id));
    JsonNode request = pending.path("request");
    assertThat(request.path("reason").asText()).contains(A + ": -20.").doesNotContain(B);
    assertThat(request.path("requestedBy").asText()).isEqualTo("sam");
    assertThat(request.path("diff").path("counts").path("removed").asInt()).isEqualTo(5);
    assertForbidden(approve("sam", request), "own_request", "second GIS administrator");
    assertThat(activeGridSet()).isNotEqualTo(id);
    JsonNode a = ok(approve("gina", request));
    assertThat(a.path("id").asLong()).isEqualTo(id);
    assertThat(activeGridSet()).isEqualTo(id);
    assertThat(jdbc.queryForObject("SELECT status || ':' || decided_by FROM activation_request WHERE id = ?", String.class,
        request.path("id").asLong())).isEqualTo("approved:gina");
    assertThat(jdbc.queryForList("SELECT username || ':' || action || ':' || outcome FROM audit_event "
        + "WHERE object_type = 'activation_request' AND object_id = ? ORDER BY id", String.class,
        request.path("id").asText())).containsExactly("sam:activation.request:success",
            "sam:activation.approve:failure", "gina:activation.approve:success");
    // once decided, it cannot be approved again
    assertThat(approve("gabe", request).getStatusCode().value()).isEqualTo(409);
  }

  @Test
  @Order(5)
  void aScopedOfficerCannotActivateASetThatChangesAnotherDistrict() throws Exception {
    // gina's draft drops B's top row; sam may not activate it, gina must ask gabe
    long id = created(upload("gina", "grid-b-top.geojson", grid(c -> !(c / 10 == 4), 0.9), "grid"));
    assertForbidden(post("sam", id), "outside_scope", "outside your district " + A);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE username = 'sam' AND action = 'activate' "
        + "AND outcome = 'failure' AND object_id = ?", Integer.class, Long.toString(id))).isEqualTo(1);
    JsonNode request = accepted(post("gina", id)).path("request");
    assertThat(request.path("reason").asText()).contains(B + ": -20.");
    ResponseEntity<String> listed = rest.withBasicAuth("gabe", PW).getForEntity("/api/activation-requests", String.class);
    assertThat(json.readTree(listed.getBody()).findValuesAsText("targetId")).contains(Long.toString(id));
    ok(approve("gabe", request));
    assertThat(activeGridSet()).isEqualTo(id);
  }

  @Test
  @Order(6)
  void aDistrictsLayerThatMovesABorderWaitsAndARejectionActivatesNothing() throws Exception {
    int live = jdbc.queryForObject("SELECT version FROM overlay_layer WHERE layer = 'districts'", Integer.class);
    // the border moves 0.01° east: A grows by a fifth, B shrinks by a fifth
    long draft = created(upload("gina", "districts-v2.geojson", districts(114.46), "districts"));
    ResponseEntity<String> r = rest.withBasicAuth("gina", PW).postForEntity("/api/overlay-drafts/" + draft + "/activate",
        null, String.class);
    JsonNode request = accepted(r).path("request");
    assertThat(request.path("targetKind").asText()).isEqualTo("overlay");
    assertThat(request.path("diff").path("districts").findValuesAsText("districtCode")).containsExactly(A, B);
    assertThat(request.path("reason").asText()).contains(A + ": +20.").contains(B + ": -20.");
    JsonNode rejected = ok(rest.withBasicAuth("gabe", PW).postForEntity("/api/activation-requests/"
        + request.path("id").asLong() + "/reject", null, String.class));
    assertThat(rejected.path("status").asText()).isEqualTo("rejected");
    assertThat(jdbc.queryForObject("SELECT version FROM overlay_layer WHERE layer = 'districts'", Integer.class))
        .isEqualTo(live);
    // asked again, it is a new request; the live grid is unchanged meanwhile, so gabe's approval holds
    JsonNode again = accepted(rest.withBasicAuth("gina", PW).postForEntity("/api/overlay-drafts/" + draft + "/activate",
        null, String.class)).path("request");
    assertThat(again.path("id").asLong()).isNotEqualTo(request.path("id").asLong());
    ok(approve("gabe", again));
    assertThat(jdbc.queryForObject("SELECT version FROM overlay_layer WHERE layer = 'districts'", Integer.class))
        .isNotEqualTo(live);
  }

  private long activeGridSet() {
    return jdbc.queryForObject("SELECT id FROM grid_set WHERE status = 'active'", Long.class);
  }

  private ResponseEntity<String> upload(String user, String fileName, String geojson, String layer) {
    return rest.withBasicAuth(user, PW).postForEntity("/api/uploads",
        UploadForms.form(fileName, geojson.getBytes(StandardCharsets.UTF_8), layer), String.class);
  }

  private long created(ResponseEntity<String> r) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(201);
    return json.readTree(r.getBody()).path("draftId").asLong();
  }

  /** Activates a grid set ({@code id} of a grid set) or, for the first districts layer, the overlay draft. */
  private ResponseEntity<String> post(String user, long id) throws Exception {
    boolean overlay = jdbc.queryForObject("SELECT count(*) FROM grid_set WHERE id = ?", Integer.class, id) == 0;
    return rest.withBasicAuth(user, PW).postForEntity(
        (overlay ? "/api/overlay-drafts/" : "/api/grid-sets/") + id + "/activate", null, String.class);
  }

  private ResponseEntity<String> approve(String user, JsonNode request) {
    return rest.withBasicAuth(user, PW).postForEntity("/api/activation-requests/" + request.path("id").asLong()
        + "/approve", null, String.class);
  }

  private JsonNode activated(ResponseEntity<String> r) throws Exception {
    return ok(r);
  }

  private JsonNode ok(ResponseEntity<String> r) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(200);
    return json.readTree(r.getBody());
  }

  private JsonNode accepted(ResponseEntity<String> r) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(202);
    JsonNode body = json.readTree(r.getBody());
    assertThat(body.path("status").asText()).isEqualTo("pending");
    return body;
  }

  private void assertForbidden(ResponseEntity<String> r, String reason, String detail) throws Exception {
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(403);
    JsonNode body = json.readTree(r.getBody());
    assertThat(body.path("reason").asText()).isEqualTo(reason);
    assertThat(body.path("detail").asText()).contains(detail);
  }

  /** Districts A west and B east of {@code border}, lon 114.40–114.50, lat 23.10–23.15. */
  private static String districts(double border) {
    return collection(List.of(
        feature("{\"code\":\"" + A + "\",\"name\":\"A\"}", 114.40, 23.10, border, 23.15),
        feature("{\"code\":\"" + B + "\",\"name\":\"B\"}", border, 23.10, 114.50, 23.15)));
  }

  /** The 50 cells whose number passes {@code keep}; cell 0's western edge at {@code firstWidth} of its width. */
  private static String grid(IntPredicate keep, double firstWidth) {
    List<String> cells = new ArrayList<>();
    for (int c = 0; c < 50; c++) {
      if (!keep.test(c)) {
        continue;
      }
      double x0 = 114.40 + (c % 10) * 0.01 + (c == 0 ? (1 - firstWidth) * 0.01 : 0);
      double y0 = 23.10 + (c / 10) * 0.01;
      cells.add(feature(String.format(Locale.ROOT, "{\"code\":\"C%02d\"}", c), x0, y0, 114.40 + (c % 10 + 1) * 0.01,
          y0 + 0.01));
    }
    return collection(cells);
  }

  private static String feature(String props, double x0, double y0, double x1, double y1) {
    return String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":%s,\"geometry\":{\"type\":\"Polygon\","
        + "\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}", props, x0, y0, x1, y0, x1,
        y1, x0, y1, x0, y0);
  }

  private static String collection(List<String> features) {
    return "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}";
  }
}
