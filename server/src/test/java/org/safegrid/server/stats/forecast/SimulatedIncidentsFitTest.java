package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.simulator.IncidentProcess;
import org.safegrid.server.hotspot.LocalMetricProjection;

/**
 * The simulator's incidents carry what they were planted with: the forecast's EM
 * ({@link SelfExcitingModel#fit}) run on incidents the reference city's {@link IncidentProcess}
 * draws recovers the planted background rate, branching ratio, delay and spread. As in
 * {@link HawkesEmTest}, standard errors are measured over {@link #SEEDS} independent runs; the mean
 * estimate must lie within 2 SE of the truth and every single estimate within 4 SE.
 */
class SimulatedIncidentsFitTest {

  static final int SEEDS = 6;
  static final double DAYS = 730;
  static final double DAY_MS = 86_400_000.0;
  static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

  /**
   * The documented process with a flat cycle: the EM's background is stationary in time, so the
   * daily cycle is left out here. With the cycle (measured, 6 runs of 730 days, μ = 7/day) μ, θ and σ
   * are recovered but ω comes out at 0.2585 ± 0.0030 for 0.25 (2.9 SE): the evening peak of the
   * background is partly taken for short-delay triggering (docs/scenario.md).
   */
  @Test
  void emOnSimulatedIncidentsWithoutTheCycleRecoversThePlantedParameters() {
    recover("simulated incidents, flat cycle", IncidentProcess.Parameters.DEFAULT.with(7, 0.4, 0.25, 150).withoutCycle());
  }

  static void recover(String label, IncidentProcess.Parameters planted) {
    ReferenceCity city = ReferenceCity.huizhou();
    Instant start = Instant.parse("2024-01-01T00:00:00Z");
    long end = start.toEpochMilli() + (long) (DAYS * DAY_MS);
    double[][] est = new double[SEEDS][];
    int[] sizes = new int[SEEDS];
    for (int s = 0; s < SEEDS; s++) {
      IncidentProcess process = new IncidentProcess(city, planted, 300 + s, "fit", start, ZONE);
      List<IncidentProcess.Incident> drawn = new ArrayList<>();
      for (IncidentProcess.Incident i = process.nextIncident(); i.epochMillis() < end; i = process.nextIncident()) {
        drawn.add(i);
      }
      LocalMetricProjection proj = LocalMetricProjection.around(drawn.stream().mapToDouble(IncidentProcess.Incident::lat)
          .toArray());
      List<EventPoint> pts = new ArrayList<>();
      double minX = Double.MAX_VALUE;
      double minY = Double.MAX_VALUE;
      double maxX = -Double.MAX_VALUE;
      double maxY = -Double.MAX_VALUE;
      for (IncidentProcess.Incident i : drawn) {
        EventPoint p = new EventPoint(i.epochMillis() - start.toEpochMilli(), proj.x(i.lon()), proj.y(i.lat()), "all");
        pts.add(p);
        minX = Math.min(minX, p.x());
        minY = Math.min(minY, p.y());
        maxX = Math.max(maxX, p.x());
        maxY = Math.max(maxY, p.y());
      }
      sizes[s] = pts.size();
      Raster r = Raster.covering(minX, minY, maxX, maxY, 250, 2000);
      SelfExcitingFit f = SelfExcitingModel.fit("all", pts, r, 0, (long) (DAYS * DAY_MS), 500,
          SelfExcitingModel.Bounds.defaults());
      est[s] = ParameterRecovery.of(f);
    }
    ParameterRecovery.assertRecovered(String.format(Locale.ROOT, "%s (%d..%d per run):", label,
        java.util.Arrays.stream(sizes).min().orElse(0), java.util.Arrays.stream(sizes).max().orElse(0)),
        new double[] {planted.muPerDay(), planted.theta(), planted.omegaPerDay(), planted.sigmaMeters()}, est, 0.2);
  }

  @Test
  void theBackgroundFollowsTheDailyAndWeeklyCycle() {
    IncidentProcess process = new IncidentProcess(ReferenceCity.huizhou(),
        IncidentProcess.Parameters.DEFAULT.with(200, 0, 1, 100), 9, "cyc", Instant.parse("2025-01-06T00:00:00Z"), ZONE);
    long[] byHour = new long[24];
    long[] byDay = new long[7];
    int n = 100_000;
    for (int k = 0; k < n; k++) {
      var t = Instant.ofEpochMilli(process.nextIncident().epochMillis()).atZone(ZONE);
      byHour[t.getHour()]++;
      byDay[t.getDayOfWeek().getValue() - 1]++;
    }
    double[] h = IncidentProcess.Parameters.DEFAULT.hourFactors();
    double[] d = IncidentProcess.Parameters.DEFAULT.weekdayFactors();
    for (int i = 0; i < 24; i++) {
      // expected n/24 × factor; the binomial SD is below 1 % of n/24 × 2 here, allow 4 SD
      double expected = n / 24.0 * h[i];
      assertThat((double) byHour[i]).as("hour " + i).isCloseTo(expected, within(4 * Math.sqrt(expected) + 1));
    }
    double sat = byDay[5] / (n / 7.0);
    double mon = byDay[0] / (n / 7.0);
    assertThat(sat).isCloseTo(d[5], within(0.05));
    assertThat(mon).isCloseTo(d[0], within(0.05));
  }
}
