package org.safegrid.server.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RiskEngineTest {

  static final double LON0 = 114.40;
  static final double LAT0 = 23.08;
  static final double SIZE = 0.0025;
  static final List<Duration> WINDOWS = List.of(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));
  static final long T0 = Instant.parse("2026-11-22T04:00:00Z").toEpochMilli(); // 12:00 local, a Sunday

  @Test
  void decayedScoreMatchesHandComputation() {
    GridModel g = TestGrids.squares(3, 3, LON0, LAT0, SIZE);
    RiskEngine e = new RiskEngine(g, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), CellEnvironment.none(9), WINDOWS);
    double[] c = TestGrids.centre(1, 1, LON0, LAT0, SIZE);
    e.advanceTo(T0);
    e.accept(T0 - 30 * 60_000, c[0], c[1], "camera", "intrusion", 3); // w = 1 * 2.0, 30 min old
    e.accept(T0 - 90 * 60_000, c[0], c[1], "checkpoint", "wanted_vehicle", 1); // w = 1 * 1.0, 90 min old
    RiskSnapshot s = e.snapshot();
    RiskSnapshot.WindowScores h1 = s.findWindow(Duration.ofHours(1)).orElseThrow();
    // 1 h window, half-life 30 min: only the first event, decayed by one half-life
    assertThat(h1.score()[4]).isCloseTo(2.0 * 0.5, within(1e-9));
    assertThat(h1.events()[4]).isEqualTo(1);
    RiskSnapshot.WindowScores d1 = s.findWindow(Duration.ofHours(24)).orElseThrow();
    // 24 h window, half-life 6 h
    double expected = 2.0 * Math.pow(2, -0.5 / 6) + 1.0 * Math.pow(2, -1.5 / 6);
    assertThat(d1.score()[4]).isCloseTo(expected, within(1e-9));
    // two events today in a cell that had none in the rest of the week: baseline = the floor
    // (a twentieth of the city's mean per cell), P(rate > baseline) = Q(3 + 4b, 1 + 5b) ≈ 0.92
    assertThat(d1.baseline()[4]).isCloseTo(2.0 / 7 / 9 / 20, within(1e-12));
    assertThat(d1.exceedance()[4]).isCloseTo(0.92, within(0.01));
    assertThat(d1.level()[4]).isEqualTo(RiskLevel.ELEVATED);
    assertThat(d1.percentile()[4]).isEqualTo(1.0);
    assertThat(d1.level()[0]).isEqualTo(RiskLevel.LOW);
  }

  @Test
  void incrementalStateEqualsExactRebuildAfterTimePassesAndEventsExpire() {
    GridModel g = TestGrids.squares(6, 6, LON0, LAT0, SIZE);
    RiskEngine e = new RiskEngine(g, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), CellEnvironment.none(36), WINDOWS);
    Random rnd = new Random(1);
    long t = T0;
    e.advanceTo(t);
    String[] kinds = {"intrusion", "loitering", "fight", "wanted_vehicle"};
    for (int step = 0; step < 200; step++) {
      for (int i = 0; i < 20; i++) {
        double lon = LON0 + rnd.nextDouble() * 6 * SIZE;
        double lat = LAT0 + rnd.nextDouble() * 6 * SIZE;
        e.accept(t - rnd.nextInt(60_000), lon, lat, "camera", kinds[rnd.nextInt(kinds.length)], rnd.nextInt(6));
      }
      t += 5 * 60_000; // 200 steps of 5 min = 16.7 h: the 1 h window expires many times
      e.advanceTo(t);
    }
    RiskSnapshot inc = e.snapshot();
    e.rebuild();
    RiskSnapshot full = e.snapshot();
    for (int w = 0; w < WINDOWS.size(); w++) {
      for (int c = 0; c < 36; c++) {
        assertThat(inc.windows().get(w).score()[c]).isCloseTo(full.windows().get(w).score()[c], within(1e-6));
        assertThat(inc.windows().get(w).events()[c]).isEqualTo(full.windows().get(w).events()[c]);
      }
    }
    assertThat(inc.windows().get(0).events()).matches(a -> java.util.Arrays.stream(a).sum() == 220,
        "the 1 h window holds exactly the last 11 steps of 20 events");
  }

  @Test
  void breakdownSumsToTheScoreAndNamesKindsWithoutHandSetEnvironmentWeights() {
    GridModel g = TestGrids.squares(3, 3, LON0, LAT0, SIZE);
    double[] campus = new double[9];
    campus[4] = 2;
    double[] coastal = new double[9];
    coastal[4] = 0.5;
    CellEnvironment env = new CellEnvironment(campus, coastal, new double[9], Map.of(), new int[9], new int[9]);
    RiskEngine e = new RiskEngine(g, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), env, WINDOWS);
    e.advanceTo(T0);
    double[] c = TestGrids.centre(1, 1, LON0, LAT0, SIZE);
    String[] kinds = {"intrusion", "loitering", "fight", "theft", "alarm"};
    for (int i = 0; i < 25; i++) {
      e.accept(T0 - i * 60_000L, c[0], c[1], "camera", kinds[i % 5], 1 + i % 5);
    }
    RiskSnapshot.WindowScores w = e.snapshot().findWindow(Duration.ofHours(24)).orElseThrow();
    RiskSnapshot.CellRisk r = w.cell(4);
    double sum = r.breakdown().stream().mapToDouble(RiskSnapshot.Contribution::value).sum();
    assertThat(sum).isCloseTo(r.score(), within(1e-9));
    assertThat(r.breakdown()).extracting(RiskSnapshot.Contribution::factor).contains("other kinds")
        .doesNotContain("campuses", "coastal_zone", "checkpoints");
    assertThat(r.breakdown().get(0).factor()).startsWith("kind:camera:");
    // the campus and coast of this cell weigh nothing by hand: the score is its events' term
    assertThat(r.score()).isCloseTo(r.eventTerm(), within(1e-12));
    assertThat(w.cell(0).score()).isZero();
    assertThat(r.lower()).isLessThan(r.score());
    assertThat(r.upper()).isGreaterThan(r.score());
  }

  @Test
  void aSilentCameraAddsNoObserverHoursAfterItWentSilent() {
    GridModel g = TestGrids.squares(10, 10, LON0, LAT0, SIZE);
    int[] cameras = new int[100];
    cameras[0] = 1;
    cameras[1] = 1;
    CellEnvironment env = new CellEnvironment(new double[100], new double[100], new double[100], Map.of(), cameras,
        new int[100]);
    RiskEngine e = new RiskEngine(g, RiskProperties.defaults(), env, WINDOWS);
    e.advanceTo(T0);
    Random rnd = new Random(3);
    for (int i = 0; i < 300; i++) {
      double[] c = TestGrids.centre(rnd.nextInt(10), rnd.nextInt(10), LON0, LAT0, SIZE);
      e.accept(T0 - (long) (rnd.nextDouble() * 6.9 * 86_400_000L), c[0], c[1], "incident", "property", 2);
    }
    double[] a = TestGrids.centre(0, 0, LON0, LAT0, SIZE);
    // cell 0's camera went silent half-way through the week; cell 1's twin stayed up
    e.setCameraOutages(List.of(new double[] {a[0], a[1], T0 - 84 * 3_600_000L}));
    RiskSnapshot.WindowScores week = e.snapshot().findWindow(Duration.ofDays(7)).orElseThrow();
    // observer-hours 168 x (1 + 1) - 84 = 252 against 336: the same covariates, three quarters the baseline
    assertThat(week.cell(0).baseline() / week.cell(1).baseline()).isCloseTo(0.75, within(1e-9));
    // a cell without cameras keeps its public observer-hour: half the twin's
    assertThat(week.cell(55).baseline() / week.cell(1).baseline()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void theForecastMadeAtTheWindowsStartIsTheBaselineOfItsLevel() {
    GridModel g = TestGrids.squares(3, 3, LON0, LAT0, SIZE);
    RiskEngine e = new RiskEngine(g, RiskProperties.defaults(), CellEnvironment.none(9), WINDOWS);
    e.advanceTo(T0);
    double[] a = TestGrids.centre(0, 0, LON0, LAT0, SIZE);
    double[] b = TestGrids.centre(1, 0, LON0, LAT0, SIZE);
    for (int i = 0; i < 4; i++) {
      e.accept(T0 - i * 60_000L, a[0], a[1], "incident", "disorder", 2);
      e.accept(T0 - i * 60_000L, b[0], b[1], "incident", "disorder", 2);
    }
    // the same four incidents in the hour: expected by the forecast in cell 0, not in cell 1
    double[] forecast = new double[9];
    java.util.Arrays.fill(forecast, 0.02);
    forecast[0] = 5.0;
    e.setForecastBaselines(Map.of(Duration.ofHours(1).toMillis(), forecast));
    RiskSnapshot.WindowScores hour = e.snapshot().findWindow(Duration.ofHours(1)).orElseThrow();
    assertThat(hour.cell(0).baseline()).isEqualTo(5.0);
    assertThat(hour.cell(0).level()).isEqualTo(RiskLevel.LOW);
    assertThat(hour.cell(1).baseline()).isEqualTo(0.02);
    assertThat(hour.cell(1).level()).isEqualTo(RiskLevel.CRITICAL);
    // restricted to a kind, the forecast is scaled by that kind's share of the week, as the model's baseline is
    assertThat(hour.restrictKinds(List.of("disorder")).cell(0).baseline()).isEqualTo(5.0);
    // without a forecast the window falls back to the cell's own history
    e.setForecastBaselines(Map.of());
    assertThat(e.snapshot().findWindow(Duration.ofHours(1)).orElseThrow().cell(0).baseline()).isNotEqualTo(5.0);
  }

  @Test
  void kindFilterCountsOnlyThoseKinds() {
    GridModel g = TestGrids.squares(3, 3, LON0, LAT0, SIZE);
    RiskEngine e = new RiskEngine(g, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), CellEnvironment.none(9), WINDOWS);
    e.advanceTo(T0);
    double[] a = TestGrids.centre(0, 0, LON0, LAT0, SIZE);
    double[] b = TestGrids.centre(2, 2, LON0, LAT0, SIZE);
    e.accept(T0, a[0], a[1], "camera", "fight", 1);
    e.accept(T0, b[0], b[1], "camera", "theft", 1);
    e.accept(T0, b[0], b[1], "patrol", "position", 0);
    RiskSnapshot.WindowScores w = e.snapshot().findWindow(Duration.ofHours(1)).orElseThrow().restrictKinds(List.of("fight"));
    assertThat(w.score()[0]).isCloseTo(1.0, within(1e-12));
    assertThat(w.score()[8]).isZero();
    // the position ping is coverage (5 s = 1/12 min), not risk
    assertThat(w.coverageHours()[8]).isCloseTo(5.0 / 3600, within(1e-12));
  }
}
