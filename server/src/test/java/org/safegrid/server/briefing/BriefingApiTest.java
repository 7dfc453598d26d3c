package org.safegrid.server.briefing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.risk.LiveRiskService;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code GET /api/briefing} on real PostGIS against counts the test makes itself: 警情 by kind and
 * channel (by coordinates: west of the border is district A), the centroid-only count, the top
 * hotspot's events in its own polygon, alert-incident medians from the seeded delays, feed gaps and the
 * patrol coverage of the hotspot cells; and the refusals: bad periods and unknown districts (400),
 * another district for a district-scoped user (403), a role the briefing is not for (403).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=briefing-admin-pw",
        // a ping covers only the cell it lies in, so the expected coverage is known cell by cell
        "safegrid.patrol.cover-distance-meters=1",
        "spring.datasource.hikari.maximum-pool-size=6", "spring.datasource.hikari.minimum-idle=1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BriefingApiTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, BriefingApiTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;
  @Autowired
  LiveRiskService live;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private BriefingFixture city;

  @BeforeAll
  void fixture() {
    accounts.createUser("ana", "ana-password-12", List.of(Role.VIEWER));
    accounts.createUser("pat", "pat-password-12", List.of(Role.PLANNER));
    accounts.createUser("aud", "aud-password-12", List.of(Role.AUDITOR));
    jdbc.update("UPDATE app_user SET district_code = ? WHERE username = 'ana'", BriefingFixture.A);
    city = new BriefingFixture(jdbc);
    city.load();
    live.refresh();
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
            .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode briefing(String district, String user, String password) throws Exception {
    HttpResponse<String> r = get("/api/briefing?" + city.query(district), user, password);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  /** 警情 of [from, to) counted by the test: district by coordinates, or by its centroid's district code. */
  private long count(Instant from, Instant to, String district, String column, String value) {
    String where = "source = 'incident' AND observed_at >= ? AND observed_at < ?"
        + (column == null ? "" : " AND " + column + " = '" + value + "'")
        + (district == null ? "" : district.equals(BriefingFixture.A)
            ? " AND coalesce(attrs->'location'->>'districtCode', CASE WHEN ST_X(geom) < " + BriefingFixture.BORDER + " THEN 'A' END) IN ('A', '" + district + "')"
            : " AND coalesce(attrs->'location'->>'districtCode', CASE WHEN ST_X(geom) >= " + BriefingFixture.BORDER + " THEN 'B' END) IN ('B', '" + district + "')");
    return jdbc.queryForObject("SELECT count(*) FROM event WHERE " + where, Long.class,
        Timestamp.from(from), Timestamp.from(to));
  }

  @Test
  void reportedIncidentFiguresMatchTheTestsOwnCounts() throws Exception {
    for (String district : new String[] {null, BriefingFixture.A, BriefingFixture.B}) {
      JsonNode b = briefing(district, "pat", "pat-password-12").path("incidents");
      String as = district == null ? "city" : district;
      assertThat(b.path("total").asLong()).as(as).isEqualTo(count(city.from, city.to, district, null, null)).isPositive();
      assertThat(b.path("previousTotal").asLong()).as(as)
          .isEqualTo(count(city.previousFrom, city.from, district, null, null)).isPositive();
      for (String kind : BriefingFixture.KINDS) {
        assertThat(b.path("byKind").path(kind).path("count").asLong()).as(as + " " + kind)
            .isEqualTo(count(city.from, city.to, district, "kind", kind));
        assertThat(b.path("byKind").path(kind).path("previous").asLong()).as(as + " " + kind + " before")
            .isEqualTo(count(city.previousFrom, city.from, district, "kind", kind));
      }
      for (String channel : BriefingFixture.CHANNELS) {
        assertThat(b.path("byChannel").path(channel).path("count").asLong()).as(as + " " + channel)
            .isEqualTo(count(city.from, city.to, district, "attrs->>'channel'", channel));
      }
      long centroid = jdbc.queryForObject("SELECT count(*) FROM event WHERE source = 'incident' AND observed_at >= ? "
          + "AND observed_at < ? AND attrs->'location'->>'quality' = 'district_centroid' "
          + "AND (CAST(? AS text) IS NULL OR attrs->'location'->>'districtCode' = ?)", Long.class,
          Timestamp.from(city.from), Timestamp.from(city.to), district, district);
      assertThat(b.path("districtCentroidOnly").asLong()).as(as).isEqualTo(centroid).isPositive();
    }
  }

  @Test
  void topHotspotCountsTheEventsInsideItsOwnPolygonAndRisesAgainstThePreviousWeek() throws Exception {
    JsonNode b = briefing(BriefingFixture.A, "pat", "pat-password-12");
    JsonNode top = b.path("hotspots").path("top").path("features");
    assertThat(top.size()).isPositive();
    JsonNode first = top.get(0);
    assertThat(first.path("properties").path("rank").asInt()).isEqualTo(1);
    assertThat(first.path("properties").path("district").asText()).isEqualTo(BriefingFixture.A);
    // its peak cell lies in A's cluster: rows 4..6, columns 1..3
    int peak = Integer.parseInt(first.path("properties").path("peakCell").asText().substring(1));
    assertThat(peak / 10).isBetween(4, 6);
    assertThat(peak % 10).isBetween(1, 3);
    String geometry = first.path("geometry").toString();
    String inside = "SELECT count(*) FROM event WHERE ST_Intersects(geom, ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)) "
        + "AND observed_at >= ? AND observed_at < ? AND NOT (source = 'patrol' AND kind = 'position')";
    long now = jdbc.queryForObject(inside, Long.class, geometry, Timestamp.from(city.from), Timestamp.from(city.to));
    long before = jdbc.queryForObject(inside, Long.class, geometry, Timestamp.from(city.previousFrom),
        Timestamp.from(city.from));
    assertThat(first.path("properties").path("trendEvents").asLong()).isEqualTo(now);
    assertThat(first.path("properties").path("trendEventsBefore").asLong()).isEqualTo(before);
    assertThat(now).isGreaterThan(3 * before + 3);
    assertThat(first.path("properties").path("trend").asText()).isEqualTo("up");
    // no hotspot of A's briefing holds a cell of B
    top.forEach(f -> assertThat(Integer.parseInt(f.path("properties").path("peakCell").asText().substring(1)) % 10)
        .isLessThan(5));
  }

  @Test
  void alertIncidentsFeedGapsAndPatrolCoverageAreThoseSeeded() throws Exception {
    JsonNode a = briefing(BriefingFixture.A, "pat", "pat-password-12");
    JsonNode ai = a.path("alertIncidents");
    assertThat(ai.path("total").asLong()).isEqualTo(3);
    assertThat(ai.path("previousTotal").asLong()).isEqualTo(1);
    assertThat(ai.path("byRule").path("campus-violent").asLong()).isEqualTo(2);
    assertThat(ai.path("byRule").path("disorder-cluster").asLong()).isEqualTo(1);
    assertThat(ai.path("bySeverity").path("high").asLong()).isEqualTo(2);
    assertThat(ai.path("bySeverity").path("critical").asLong()).isZero();
    assertThat(ai.path("acknowledged").asLong()).isEqualTo(3);
    assertThat(ai.path("medianAcknowledgeSeconds").asDouble()).isCloseTo(median(60, 120, 300), within(0.01));
    // the running engine closes the still-open one after its quiet period: closing times as stored now
    List<Long> closeSeconds = jdbc.queryForList("SELECT extract(epoch FROM closed_at - opened_at)::bigint FROM incident "
        + "WHERE closed_at IS NOT NULL AND opened_at >= ? AND opened_at < ? AND district_code = ?", Long.class,
        Timestamp.from(city.from), Timestamp.from(city.to), BriefingFixture.A);
    assertThat(closeSeconds).hasSizeGreaterThanOrEqualTo(2).contains(600L, 1800L);
    assertThat(ai.path("closed").asLong()).isEqualTo(closeSeconds.size());
    assertThat(ai.path("medianCloseSeconds").asDouble())
        .isCloseTo(median(closeSeconds.stream().mapToLong(Long::longValue).toArray()), within(1.0));

    // feed health: A's two cameras, one gap of 6 h in a week; B's camera, 2 h of its 6 h gap inside the period
    JsonNode cams = camera(a);
    double week = Duration.between(city.from, city.to).toSeconds();
    assertThat(cams.path("sources").asLong()).isEqualTo(2);
    assertThat(cams.path("gaps").asLong()).isEqualTo(1);
    assertThat(cams.path("gapHours").asDouble()).isCloseTo(6.0, within(1e-6));
    assertThat(cams.path("uptimeShare").asDouble()).isCloseTo(1 - 6 * 3600 / (2 * week), within(1e-9));
    JsonNode camsB = camera(briefing(BriefingFixture.B, "pat", "pat-password-12"));
    assertThat(camsB.path("gapHours").asDouble()).isCloseTo(2.0, within(1e-6));
    assertThat(camsB.path("uptimeShare").asDouble()).isCloseTo(1 - 2 * 3600 / week, within(1e-9));

    // patrol coverage: of A's hotspot cells only G52 had a ping in the period (G42's was the week before)
    JsonNode pc = a.path("patrolCoverage");
    int hotspotCells = pc.path("hotspotCells").asInt();
    assertThat(hotspotCells).isPositive();
    assertThat(pc.path("visitedCells").asInt()).isEqualTo(1);
    assertThat(pc.path("share").asDouble()).isCloseTo(1.0 / hotspotCells, within(1e-9));
    JsonNode cityWide = briefing(null, "pat", "pat-password-12");
    assertThat(cityWide.path("patrolCoverage").path("visitedCells").asInt())
        .as("city-wide coverage, G52 and G57: %s %s", cityWide.path("patrolCoverage"), cityWide.path("hotspots"))
        .isEqualTo(2);
  }

  private static JsonNode camera(JsonNode briefing) {
    for (JsonNode s : briefing.path("feedHealth").path("sources")) {
      if (s.path("source").asText().equals("camera")) {
        return s;
      }
    }
    throw new AssertionError("no camera row in " + briefing.path("feedHealth"));
  }

  private static double median(long... v) {
    long[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }

  @Test
  void aDistrictScopedOfficerGetsItsOwnDistrictAndIsRefusedAnother() throws Exception {
    JsonNode own = briefing(null, "ana", "ana-password-12");
    assertThat(own.path("district").path("code").asText()).isEqualTo(BriefingFixture.A);
    assertThat(own.path("district").path("name").asText()).isEqualTo("惠城区");
    assertThat(own.path("incidents").path("total").asLong())
        .isEqualTo(count(city.from, city.to, BriefingFixture.A, null, null));
    assertThat(get("/api/briefing?" + city.query(BriefingFixture.B), "ana", "ana-password-12").statusCode())
        .isEqualTo(403);
    assertThat(get("/api/briefing?" + city.query(BriefingFixture.A), "ana", "ana-password-12").statusCode())
        .isEqualTo(200);
    assertThat(get("/api/briefing?" + city.query(BriefingFixture.B), "pat", "pat-password-12").statusCode())
        .isEqualTo(200);
    // the briefing is for the command center, planners and admins, not the audit role
    assertThat(get("/api/briefing?" + city.query(null), "aud", "aud-password-12").statusCode()).isEqualTo(403);
  }

  @Test
  void badPeriodsAndUnknownDistrictsAreRefusedWithAReason() throws Exception {
    String[][] cases = {
        {"from=2026-11-30&to=2026-11-23", "must be before"},
        {"from=2026-11-23&to=2026-11-23", "must be before"},
        {"from=2024-11-01&to=2026-11-23", "at most 366 days"},
        {"from=last-week&to=2026-11-23", "ISO-8601"},
        {"to=2026-11-23", "'from' is required"},
        {"from=2026-11-16T00:00:00%2B08:00&to=2026-11-23&district=449999", "not in the live districts layer"},
        {"from=2026-11-16&to=2026-11-23&district=B'--", "six-digit"}};
    for (String[] c : cases) {
      HttpResponse<String> r = get("/api/briefing?" + c[0], "pat", "pat-password-12");
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(json.readTree(r.body()).path("detail").asText()).as(c[0]).contains(c[1]);
    }
    // instants with an offset are read as such
    HttpResponse<String> ok = get("/api/briefing?from=" + city.from + "&to=" + city.to, "pat", "pat-password-12");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(json.readTree(ok.body()).path("period").path("from").asText()).isEqualTo(city.from.toString());
  }
}
