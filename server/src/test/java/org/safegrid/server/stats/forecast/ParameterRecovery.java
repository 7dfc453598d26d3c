package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Locale;

/**
 * Recovery of planted parameters over repeated simulations: each parameter's standard error (SE) is
 * the spread of its estimates over the runs; the mean estimate must lie within 2 SE of the truth and
 * every single estimate within 4 SE, and the spread must be informative (a broken fit that returns
 * its start values has none).
 */
final class ParameterRecovery {

  static final String[] NAMES = {"mu", "theta", "omega", "sigma"};

  private ParameterRecovery() {
  }

  /** The four fitted parameters of a fit, in {@link #NAMES} order. */
  static double[] of(SelfExcitingFit f) {
    return new double[] {f.muPerDay(), f.theta(), f.omegaPerDay(), f.sigmaMeters()};
  }

  /**
   * @param truth          planted values, in {@link #NAMES} order
   * @param est            one row of estimates per run
   * @param maxRelativeSe  the SE must be below this share of the truth
   */
  static void assertRecovered(String label, double[] truth, double[][] est, double maxRelativeSe) {
    int runs = est.length;
    for (int p = 0; p < truth.length; p++) {
      double mean = 0;
      for (double[] e : est) {
        mean += e[p] / runs;
      }
      double var = 0;
      for (double[] e : est) {
        var += (e[p] - mean) * (e[p] - mean) / (runs - 1);
      }
      double se = Math.sqrt(var);
      System.out.printf(Locale.ROOT, "%s %s: truth %.4g, mean of %d fits %.4g, SE %.3g%n", label, NAMES[p], truth[p],
          runs, mean, se);
      assertThat(se).as(NAMES[p] + " SE").isPositive().isLessThan(maxRelativeSe * truth[p]);
      assertThat(mean).as(NAMES[p] + " mean over seeds").isCloseTo(truth[p], within(2 * se));
      for (double[] e : est) {
        assertThat(e[p]).as(NAMES[p]).isCloseTo(truth[p], within(4 * se));
      }
    }
  }
}
