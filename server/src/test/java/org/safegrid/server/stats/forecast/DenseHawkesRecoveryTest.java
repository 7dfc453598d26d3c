package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the EM recovers the planted parameters at the forecast benchmark's density, where an
 * offspring has about a hundred candidate parents. The benchmark's process (θ 0.3, 1/ω 5 days,
 * σ 100 m, uniform background; 2,700 events a day on a 20 km square) on a 5 km square at the same
 * density: about 60,000 events in a year, the square itself the raster, the benchmark's 250 m
 * background bandwidth. Before the fix (a compensator that charged for offspring beyond the parent
 * search, an M step blind to the edge, the period's end and the search's cut, a background density
 * that lost its tail over the raster's edge) this fit ended at θ 0.229, 1/ω 4.0 days, σ 72 m.
 *
 * <p>The tolerances are three standard deviations of a parametric bootstrap of this very set-up
 * (10 seeds, {@link #SD}). Its means: θ 0.286, 1/ω 4.87 days, σ 98.6 m, within 1.1 standard
 * deviations of the truth; the background density still takes a little of the triggering
 * (μ 120.2 for 117.5 a day), which is why θ's mean lies 0.014 low.
 */
class DenseHawkesRecoveryTest {

  static final double SIDE = 5_000;
  static final double DAYS = 365;
  static final double THETA = 0.3;
  static final double OMEGA = 0.2;
  static final double SIGMA = 100;
  /** Background events a day: 61,250 events a year in all, as the benchmark's 1,000,000 on 400 km². */
  static final double MU = 61_250 * (1 - THETA) / DAYS;
  /** Bootstrap standard deviations of θ, 1/ω (days) and σ (m): this fit on seeds 1–10. */
  static final double[] SD = {0.0128, 0.297, 2.99};

  @Test
  void emRecoversThePlantedTriggeringAtTheBenchmarksDensity() {
    List<EventPoint> pts = HawkesSimulation.simulateOnSquare(1, MU, THETA, OMEGA, SIGMA, SIDE, DAYS);
    Raster square = new Raster(0, 0, 250, (int) (SIDE / 250), (int) (SIDE / 250));
    SelfExcitingFit f = SelfExcitingModel.fit("sim", pts, square, 0, (long) (DAYS * HawkesSimulation.DAY_MS), 250,
        SelfExcitingModel.Bounds.defaults());
    System.out.printf(Locale.ROOT, "dense Hawkes, %d events: θ %.4f, 1/ω %.3f d, σ %.2f m, μ %.2f/day (%d EM maps)%n",
        f.events(), f.theta(), f.meanDelayDays(), f.sigmaMeters(), f.muPerDay(), f.iterations());
    assertThat(f.events()).isBetween(55_000, 65_000);
    assertThat(f.iterations()).as("converged").isLessThan(SelfExcitingModel.Bounds.defaults().maxIterations());
    assertThat(f.theta()).as("theta").isCloseTo(THETA, within(3 * SD[0]));
    assertThat(f.meanDelayDays()).as("mean delay").isCloseTo(1 / OMEGA, within(3 * SD[1]));
    assertThat(f.sigmaMeters()).as("sigma").isCloseTo(SIGMA, within(3 * SD[2]));
  }
}
