package org.safegrid.server.stats.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.junit.jupiter.api.Test;

class ExceedanceProbabilityTest {

  @Test
  void agreesWithTheGammaPosteriorComputedDirectly() {
    double b = 2.5;
    double k = 4;
    for (int n = 0; n < 15; n++) {
      double a = k * b + 1;
      double direct = 1 - new GammaDistribution(a + n, 1 / (a / b + 1)).cumulativeProbability(b);
      assertThat(ExceedanceProbability.of(n, b, k)).isCloseTo(direct, within(1e-9));
    }
  }

  @Test
  void aCellWithNoEventsIsBelowOneHalf() {
    for (double b : new double[] {1e-3, 0.1, 1, 10, 100}) {
      assertThat(ExceedanceProbability.of(0, b, 4)).isLessThan(0.5);
    }
  }

  @Test
  void aQuietCityHasNoCriticalCells() {
    // 10,000 cells with baselines from 0.001 to 20 events per window, each counting exactly what
    // its baseline predicts (Poisson), 50 windows: no cell-window reaches 0.99
    MersenneTwister mt = new MersenneTwister(4);
    int critical = 0;
    int high = 0;
    for (int c = 0; c < 10_000; c++) {
      double b = Math.exp(Math.log(1e-3) + (Math.log(20) - Math.log(1e-3)) * c / 10_000.0);
      PoissonDistribution pd = new PoissonDistribution(mt, b, 1e-12, 10_000_000);
      for (int w = 0; w < 50; w++) {
        double p = ExceedanceProbability.of(pd.sample(), b, 4);
        critical += p >= 0.99 ? 1 : 0;
        high += p >= 0.95 ? 1 : 0;
      }
    }
    assertThat(critical).isZero();
    assertThat(high).isLessThan(250); // under 0.05 % of 500,000 cell-windows (99 with this seed)
  }

  @Test
  void aBurstWellAboveTheBaselineIsCritical() {
    assertThat(ExceedanceProbability.of(4, 0.01, 4)).isGreaterThanOrEqualTo(0.99);
    assertThat(ExceedanceProbability.of(20, 5, 4)).isGreaterThanOrEqualTo(0.99);
    assertThat(ExceedanceProbability.of(1, 0.01, 4)).isLessThan(0.8);
  }

  @Test
  void thePredictiveIntervalHoldsAtLeast95PercentOfCountsDrawnFromTheBaselinesPrior() {
    // counts from the gamma-Poisson the baseline stands for: the 95 % interval must hold at least 95 %
    // (discrete counts: a little more) and a Poisson count at the same mean must not be held more often
    MersenneTwister rng = new MersenneTwister(17);
    for (double b : new double[] {0.05, 0.5, 3, 20}) {
      int[] ci = ExceedanceProbability.predictiveInterval(b, 4, 0.95);
      GammaDistribution rate = new GammaDistribution(rng, 4 * b + 1, b / (4 * b + 1));
      int inside = 0;
      int draws = 20_000;
      for (int i = 0; i < draws; i++) {
        int y = new PoissonDistribution(rng, rate.sample(), 1e-12, 10_000).sample();
        inside += y >= ci[0] && y <= ci[1] ? 1 : 0;
      }
      assertThat(inside / (double) draws).as("baseline %s, interval [%d, %d]", b, ci[0], ci[1]).isBetween(0.945, 0.999);
    }
    assertThat(ExceedanceProbability.predictiveInterval(0.01, 4, 0.95)).containsExactly(0, 0);
  }
}
