package org.safegrid.server.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.stats.Sampling;

/**
 * The environment model in the live engine: a week of events simulated exactly at the model's rates
 * (campus cells three times as busy at night, patrolled cells watched more), then the levels and
 * the relative risks the engine reports.
 */
class EnvironmentModelTest {

  static final double LON0 = 114.40;
  static final double LAT0 = 23.08;
  static final double SIZE = 0.0025;
  static final int SIDE = 20;
  static final List<Duration> WINDOWS = List.of(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));
  static final long HOUR = 3_600_000L;
  static final long END = Instant.parse("2026-11-22T04:00:00Z").toEpochMilli();
  static final double RATE = 0.01; // events per observer-hour away from campuses
  static final double CAMPUS_NIGHT_RR = 3;

  /** Campuses in the first two columns; cameras in every fifth cell. */
  static CellEnvironment environment() {
    int n = SIDE * SIDE;
    double[] campus = new double[n];
    int[] cameras = new int[n];
    for (int c = 0; c < n; c++) {
      campus[c] = c % SIDE < 2 ? 1 : 0;
      cameras[c] = c % 5 == 0 ? 1 : 0;
    }
    return new CellEnvironment(campus, new double[n], new double[n], Map.of(), cameras, new int[n]);
  }

  /** A week of events at the model's rates; {@code patrolled} cells get a patrol for every hour, and its events. */
  static RiskEngine quietWeek(Random rnd, CellEnvironment env, int patrolled) {
    GridModel g = TestGrids.squares(SIDE, SIDE, LON0, LAT0, SIZE);
    RiskProperties cfg = RiskProperties.defaults();
    RiskEngine e = new RiskEngine(g, cfg, env, WINDOWS);
    long start = END - 7 * 24 * HOUR;
    long pingsPerHour = HOUR / cfg.patrolPingInterval().toMillis();
    for (long h = start; h < END; h += HOUR) {
      e.advanceTo(h);
      boolean night = EnvironmentModel.hourClass(h, cfg.zone()) == EnvironmentModel.NIGHT;
      for (int c = 0; c < SIDE * SIDE; c++) {
        double exposure = 1 + env.cameras()[c] + (c == patrolled ? 1 : 0);
        if (c == patrolled) {
          double[] p = TestGrids.centre(c % SIDE, c / SIDE, LON0, LAT0, SIZE);
          e.addPings(p[0], p[1], h + 1, pingsPerHour);
        }
        double rate = RATE * exposure * (night && env.campus()[c] > 0 ? CAMPUS_NIGHT_RR : 1);
        int k = Sampling.poisson(rnd, rate);
        for (int i = 0; i < k; i++) {
          e.acceptInCell(c, h + rnd.nextInt((int) HOUR), "incident", "violent", 3);
        }
      }
    }
    e.advanceTo(END);
    return e;
  }

  @Test
  void aQuietCityHasNoCriticalCellsAndAZeroCountCellIsNeverCritical() {
    CellEnvironment env = environment();
    int critical = 0;
    int high = 0;
    int cellWindows = 0;
    for (int seed = 0; seed < 5; seed++) {
      RiskSnapshot s = quietWeek(new Random(seed), env, -1).snapshot();
      for (RiskSnapshot.WindowScores w : s.windows()) {
        assertThat(w.environment()).as("model fitted on a week of ~1,500 events").isNotNull();
        for (int c = 0; c < w.size(); c++) {
          cellWindows++;
          critical += w.level()[c] == RiskLevel.CRITICAL ? 1 : 0;
          high += w.level()[c] == RiskLevel.HIGH ? 1 : 0;
          if (w.events()[c] == 0) {
            assertThat(w.level()[c]).isEqualTo(RiskLevel.LOW);
          }
        }
      }
    }
    // 6,000 cell-windows whose counts are Poisson at their own baselines
    assertThat(cellWindows).isEqualTo(6_000);
    assertThat(critical).as("critical cells in a quiet city").isZero();
    assertThat(high).as("high cells in a quiet city (P ≥ 0.95 by chance)").isLessThan(60);
  }

  @Test
  void theSevenDayBaselineIsTheCellsOwnExpectedCountNotTheCityMean() {
    CellEnvironment env = environment();
    RiskSnapshot.WindowScores week = quietWeek(new Random(9), env, -1).snapshot().findWindow(Duration.ofDays(7))
        .orElseThrow();
    // a campus cell with a camera (cell 0) against a plain cell without one (cell 3): 168 h at 0.01 per
    // observer-hour, the campus cell twice watched and three times as busy at night
    int nightHours = 0;
    for (long h = END - 168 * HOUR; h < END; h += HOUR) {
      nightHours += EnvironmentModel.hourClass(h, RiskProperties.defaults().zone()) == EnvironmentModel.NIGHT ? 1 : 0;
    }
    double plain = RATE * 168;
    double campusCamera = RATE * 2 * (168 - nightHours + CAMPUS_NIGHT_RR * nightHours);
    assertThat(week.baseline()[3]).isBetween(plain * 0.75, plain * 1.3);
    assertThat(week.baseline()[0]).isBetween(campusCamera * 0.75, campusCamera * 1.3);
    RiskSnapshot.CellRisk campus = week.cell(0);
    RiskSnapshot.RelativeRisk night = campus.relativeRisks().stream()
        .filter(r -> r.factor().equals("campus:night")).findFirst().orElseThrow();
    assertThat(night.lower()).isLessThan(CAMPUS_NIGHT_RR);
    assertThat(night.upper()).isGreaterThan(CAMPUS_NIGHT_RR);
    assertThat(night.lower()).as("campus at night is learned as riskier").isGreaterThan(1.5);
    assertThat(campus.cellRelativeRisk()).isNotNull();
    assertThat(campus.cellRelativeRisk().lower()).isLessThan(1);
    assertThat(campus.cellRelativeRisk().upper()).isGreaterThan(1);
  }

  @Test
  void aBurstInAQuietCellIsCritical() {
    CellEnvironment env = environment();
    RiskEngine e = quietWeek(new Random(3), env, -1);
    for (int i = 0; i < 12; i++) {
      e.acceptInCell(3 + 5 * SIDE, END - 1 - i * 60_000L, "incident", "violent", 3);
    }
    RiskSnapshot.WindowScores hour = e.snapshot().findWindow(Duration.ofHours(1)).orElseThrow();
    assertThat(hour.level()[3 + 5 * SIDE]).isEqualTo(RiskLevel.CRITICAL);
  }

  @Test
  void eventsFoundWherePatrolsGoDoNotMakeThePatrolledCellRiskier() {
    // the patrolled cell reports twice as much because it is watched twice as much: its baseline
    // doubles with its observer-hours, so its level stays where an unpatrolled cell's would be
    CellEnvironment env = environment();
    int patrolled = 7 + 10 * SIDE;
    int twin = 8 + 10 * SIDE;
    RiskSnapshot.WindowScores week = quietWeek(new Random(4), env, patrolled).snapshot()
        .findWindow(Duration.ofDays(7)).orElseThrow();
    assertThat(week.baseline()[patrolled] / week.baseline()[twin]).isBetween(1.9, 2.1);
    assertThat(week.level()[patrolled]).isIn(RiskLevel.LOW, RiskLevel.ELEVATED);
  }
}
