package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.junit.jupiter.api.Test;

/** The predictive distribution on simulated negative binomial counts (gamma–Poisson mixtures). */
class NegativeBinomialTest {

  static final int N = 40_000;
  static final double SIZE = 1.5;

  @Test
  void intervalsCoverTheirNominalShareOnSimulatedNegativeBinomialData() {
    MersenneTwister mt = new MersenneTwister(11);
    Random rnd = new Random(12);
    double[] m = new double[N];
    int[] y = new int[N];
    for (int i = 0; i < N; i++) {
      // means spread like a city's cells: most small, some large
      m[i] = Math.exp(rnd.nextGaussian() * 1.2 - 0.5);
      y[i] = draw(mt, m[i], SIZE);
    }
    double k = NegativeBinomial.fitSize(m, y);
    // ML size within 10 % of the truth (its SE with 40,000 counts is about 3 %)
    assertThat(k).isCloseTo(SIZE, within(0.15));
    double rand80 = 0;
    double rand95 = 0;
    double in80 = 0;
    double in95 = 0;
    double poisson80 = 0;
    for (int i = 0; i < N; i++) {
      rand80 += NegativeBinomial.randomisedInclusion(y[i], m[i], k, 0.80);
      rand95 += NegativeBinomial.randomisedInclusion(y[i], m[i], k, 0.95);
      in80 += inside(y[i], m[i], k, 0.80);
      in95 += inside(y[i], m[i], k, 0.95);
      poisson80 += NegativeBinomial.randomisedInclusion(y[i], m[i], Double.POSITIVE_INFINITY, 0.80);
    }
    // the randomised intervals cover the nominal share (binomial SE ≈ 0.2 points)
    assertThat(rand80 / N).isCloseTo(0.80, within(0.01));
    assertThat(rand95 / N).isCloseTo(0.95, within(0.01));
    // the discrete central interval covers at least its level
    assertThat(in80 / N).isGreaterThanOrEqualTo(0.80);
    assertThat(in95 / N).isGreaterThanOrEqualTo(0.95);
    // a Poisson forecast of overdispersed counts is visibly too narrow
    assertThat(poisson80 / N).isLessThan(0.75);
  }

  @Test
  void theRandomisedIntervalHoldsExactlyItsLevelWhereTheClosedOneCannot() {
    for (double[] mk : new double[][] {{0.01, 1.5}, {0.3, 0.4}, {2.7, Double.POSITIVE_INFINITY}, {40, 3}}) {
      double m = mk[0];
      double k = mk[1];
      for (double level : new double[] {0.80, 0.95}) {
        double mass = 0;
        double closed = 0;
        int[] ci = NegativeBinomial.centralInterval(m, k, level);
        for (int y = 0; y < 2_000; y++) {
          double p = Math.exp(NegativeBinomial.logPmf(y, m, k));
          double in = NegativeBinomial.randomisedInclusion(y, m, k, level);
          assertThat(in).as("inclusion of %d for m=%s k=%s", y, m, k).isBetween(0.0, 1.0);
          // nothing outside the closed interval is ever included
          if (y < ci[0] || y > ci[1]) {
            assertThat(in).isZero();
          } else {
            closed += p;
          }
          mass += p * in;
        }
        assertThat(mass).as("mass of the randomised %s interval, m=%s k=%s", level, m, k).isCloseTo(level, within(1e-9));
        assertThat(closed).isGreaterThanOrEqualTo(level - 1e-12);
      }
    }
    // a cell expecting 0.01 events: the closed 80 % interval is [0, 0] and holds 99 %
    assertThat(NegativeBinomial.centralInterval(0.01, 1.5, 0.80)).containsExactly(0, 0);
  }

  @Test
  void drawingTheRandomisedIntervalsEndsAgreesWithItsInclusionProbability() {
    // known truth: counts drawn from the forecast itself, each interval's ends kept or dropped by a
    // uniform draw (the randomised PIT V = F(y−1) + U·p(y) inside [(1−level)/2, (1+level)/2])
    MersenneTwister mt = new MersenneTwister(5);
    Random u = new Random(6);
    double m = 0.2;
    double k = 0.8;
    int n = 100_000;
    double drawn = 0;
    double expected = 0;
    for (int i = 0; i < n; i++) {
      int y = draw(mt, m, k);
      double lo = NegativeBinomial.cdf(y - 1, m, k);
      double v = lo + u.nextDouble() * (NegativeBinomial.cdf(y, m, k) - lo);
      drawn += v >= 0.10 && v <= 0.90 ? 1 : 0;
      expected += NegativeBinomial.randomisedInclusion(y, m, k, 0.80);
    }
    // SE of the drawn share ≈ 0.13 points; a closed interval here ([0, 1]) holds about 97 %
    assertThat(drawn / n).isCloseTo(0.80, within(0.006));
    assertThat(expected / n).isCloseTo(drawn / n, within(0.006));
  }

  @Test
  void poissonCountsGiveAnInfiniteOrVeryLargeSize() {
    MersenneTwister mt = new MersenneTwister(3);
    double[] m = new double[20_000];
    int[] y = new int[m.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = 0.5 + (i % 10) * 0.3;
      y[i] = new PoissonDistribution(mt, m[i], 1e-12, 10_000_000).sample();
    }
    assertThat(NegativeBinomial.fitSize(m, y)).isGreaterThan(50);
  }

  @Test
  void pmfSumsToOneAndCdfAndQuantileAgree() {
    double s = 0;
    for (int y = 0; y < 500; y++) {
      s += Math.exp(NegativeBinomial.logPmf(y, 3.2, 0.7));
    }
    assertThat(s).isCloseTo(1, within(1e-9));
    int q = NegativeBinomial.quantile(0.9, 3.2, 0.7);
    assertThat(NegativeBinomial.cdf(q, 3.2, 0.7)).isGreaterThanOrEqualTo(0.9);
    assertThat(NegativeBinomial.cdf(q - 1, 3.2, 0.7)).isLessThan(0.9);
  }

  /** A negative binomial count of mean m and size k, as the gamma–Poisson mixture it is. */
  private static int draw(MersenneTwister mt, double m, double k) {
    double rate = new GammaDistribution(mt, k, m / k).sample();
    return rate <= 0 ? 0 : new PoissonDistribution(mt, rate, 1e-12, 10_000_000).sample();
  }

  private static int inside(int y, double m, double k, double level) {
    int lo = NegativeBinomial.quantile((1 - level) / 2, m, k);
    int hi = NegativeBinomial.quantile((1 + level) / 2, m, k);
    return y >= lo && y <= hi ? 1 : 0;
  }
}
