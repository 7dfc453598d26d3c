package org.safegrid.server.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.backtest.Backtest;
import org.safegrid.server.backtest.BacktestEvents;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.TestGrids;

/**
 * The live scorecard on real PostGIS with known data: a year of incidents of which a share sits
 * around one hot corner, a test week that repeats the pattern, plus events the scorecard must not
 * count (sensor events, incidents known only to a district centroid).
 */
@ExtendWith(PostgisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScorecardServiceTest {

  static final double LON0 = 114.30;
  static final double LAT0 = 23.00;
  static final double SIZE = 0.0025;
  static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
  static final int TEST_HOT = 30;
  static final int TEST_SPREAD = 20;

  final GridModel grid = TestGrids.squares(40, 40, LON0, LAT0, SIZE);
  final Instant now = Instant.now();
  javax.sql.DataSource ds;
  long testInWest;

  @BeforeAll
  void plant(TestDatabase db) throws Exception {
    ds = db.dataSource();
    LocalDate today = LocalDate.ofInstant(now, ZONE);
    Instant testStart = today.minusDays(ScorecardService.TEST_DAYS - 1).atStartOfDay(ZONE).toInstant();
    Instant trainStart = testStart.minus(Duration.ofDays(ScorecardService.TRAIN_DAYS - 7));
    Random rnd = new Random(5);
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO event "
        + "(event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES (?, ?, 'T', ?, 3, ?, "
        + "ST_SetSRID(ST_MakePoint(?, ?), 4326), ?::jsonb)")) {
      int id = 0;
      long trainMs = Duration.between(trainStart, testStart).toMillis();
      for (int i = 0; i < 1500; i++) {
        Instant t = trainStart.plusMillis((long) (rnd.nextDouble() * trainMs));
        add(ps, "tr-" + id++, "incident", i % 5 == 0 ? "violent" : "property", t, point(rnd, i % 5 < 2), "geocoded_address");
      }
      long testMs = Duration.between(testStart, now).toMillis();
      for (int i = 0; i < TEST_HOT + TEST_SPREAD; i++) {
        Instant t = testStart.plusMillis((long) (rnd.nextDouble() * testMs));
        double[] p = point(rnd, i < TEST_HOT);
        testInWest += p[0] < LON0 + 20 * SIZE ? 1 : 0;
        add(ps, "te-" + id++, "incident", "property", t, p, "geocoded_address");
      }
      // not counted: a sensor event, and incidents placed at a district's centroid
      for (int i = 0; i < 40; i++) {
        add(ps, "cam-" + i, "camera", "intrusion", now.minusSeconds(3600 + i), point(rnd, true), null);
        add(ps, "ctr-" + i, "incident", "property", now.minusSeconds(7200 + i), point(rnd, true), "district_centroid");
      }
      ps.executeBatch();
    }
  }

  /** Around the hot corner (cell 30,30, σ ≈ 100 m) or anywhere on the grid. */
  static double[] point(Random rnd, boolean hot) {
    if (hot) {
      return new double[] {LON0 + 30.5 * SIZE + rnd.nextGaussian() * 0.001, LAT0 + 30.5 * SIZE + rnd.nextGaussian() * 0.001};
    }
    return new double[] {LON0 + rnd.nextDouble() * 40 * SIZE, LAT0 + rnd.nextDouble() * 40 * SIZE};
  }

  static void add(PreparedStatement ps, String id, String source, String kind, Instant t, double[] p, String quality)
      throws Exception {
    ps.setString(1, id);
    ps.setString(2, source);
    ps.setString(3, kind);
    ps.setTimestamp(4, Timestamp.from(t));
    ps.setDouble(5, p[0]);
    ps.setDouble(6, p[1]);
    ps.setString(7, quality == null ? "{}" : "{\"channel\":\"110\",\"location\":{\"quality\":\"" + quality
        + "\",\"accuracyMeters\":100}}");
    ps.addBatch();
  }

  @Test
  void theScorecardIsTheBacktestOfTheTableOverItsStatedPeriods() throws Exception {
    Map<String, Object> card = new ScorecardService(ds, RiskProperties.defaults()).scorecard(grid, now);
    JsonNode j = new ObjectMapper().valueToTree(card);
    assertThat(j.path("scored").asBoolean()).as(j.path("reason").asText()).isTrue();
    assertThat(j.path("sources").toString()).isEqualTo("[\"incident\"]");
    assertThat(j.path("trainEvents").asLong()).isEqualTo(1500);
    assertThat(j.path("testEvents").asLong()).isEqualTo(TEST_HOT + TEST_SPREAD);
    assertThat(j.path("studyArea").asText()).isEqualTo("cells within 500 m of a training event");
    // the measures of the backtest, for SafeGrid and every baseline
    for (String m : new String[] {"safegrid", "naive", "recent", "kde", "blend"}) {
      for (String q : new String[] {"1", "5", "10"}) {
        assertThat(j.at("/summary/models/" + m + "/" + q + "/pai").isNumber()).isTrue();
      }
      assertThat(j.at("/summary/models/" + m + "/log_score").asDouble()).isNegative();
    }
    assertThat(j.at("/summary/coverage/80").asDouble()).isBetween(0.0, 1.0);
    // 30 of the 50 test incidents are within ~100 m of the hot corner: 5 % of the area holds most of them
    assertThat(j.at("/summary/models/safegrid/5/hit_rate").asDouble()).isGreaterThan(0.5);
    assertThat(j.at("/summary/models/naive/5/hit_rate").asDouble()).isGreaterThan(0.5);

    // the same figures as the backtest command run on the same table and periods
    String train = j.path("train").asText();
    String test = j.path("test").asText().substring(0, 21);
    Backtest.Options o = Backtest.parse(new String[] {"--from-db", "incident", "--tz", ZONE.getId(), "--cell-size",
        String.valueOf(j.path("cellSizeMeters").asDouble()), "--train", train, "--test", test});
    Map<String, Object> cli;
    try (Connection c = ds.getConnection()) {
      cli = Backtest.run(o, BacktestEvents.readTable(c, ZONE, Set.of(), null, null), "table",
          new PrintStream(new ByteArrayOutputStream()));
    }
    assertThat(j.path("summary")).isEqualTo(new ObjectMapper().valueToTree(cli.get("summary")));
  }

  @Test
  void aDistrictsScorecardCountsOnlyItsEvents() {
    Map<String, Object> card = new ScorecardService(ds, RiskProperties.defaults()).scorecard(grid, now, "D1");
    JsonNode j = new ObjectMapper().valueToTree(card);
    assertThat(j.path("district").asText()).isEqualTo("D1");
    assertThat(j.path("testEvents").asLong()).isEqualTo(testInWest);
  }
}
