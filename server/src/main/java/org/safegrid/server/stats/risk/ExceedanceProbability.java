package org.safegrid.server.stats.risk;

import org.apache.commons.math3.special.Gamma;
import org.safegrid.server.stats.forecast.NegativeBinomial;

/**
 * The probability that a cell's current event rate exceeds what its own baseline predicts, given
 * the count observed in the window: a gamma–Poisson (conjugate) model.
 *
 * <pre>
 *   prior    λ ~ Gamma(shape a, rate a/b),  a = κ·b + 1       (mean b: the baseline's expected count in the window)
 *   data     N | λ ~ Poisson(λ)                                (the count in the window)
 *   answer   P(λ &gt; b | N) = Q(a + N, a + b)                  (Q = upper regularised incomplete gamma)
 * </pre>
 *
 * κ is how many windows of evidence the baseline is worth (default 4); the extra 1 keeps a cell
 * whose baseline is near zero from turning critical on a single event. With N = 0 the answer is
 * below one half. Stateless.
 */
public final class ExceedanceProbability {

  private ExceedanceProbability() {}

  /**
   * @param count          events in the window
   * @param baseline       the expected count in the window from the cell's baseline (> 0)
   * @param priorWindows   κ, the weight of the baseline in windows
   */
  public static double of(long count, double baseline, double priorWindows) {
    if (!(baseline > 0)) {
      throw new IllegalArgumentException("baseline must be positive, got " + baseline);
    }
    double a = priorWindows * baseline + 1;
    return Gamma.regularizedGammaQ(a + count, a + baseline);
  }

  /**
   * The central {@code level} interval of the count the baseline predicts for the window: under the
   * same prior the count is negative binomial with mean b and size κ·b + 1 (a Poisson count whose
   * rate is gamma-distributed). A count inside it is ordinary variation around the baseline.
   */
  public static int[] predictiveInterval(double baseline, double priorWindows, double level) {
    if (!(baseline > 0) || !(level > 0 && level < 1)) {
      throw new IllegalArgumentException("baseline must be positive and level in (0, 1), got " + baseline + ", " + level);
    }
    return NegativeBinomial.centralInterval(baseline, priorWindows * baseline + 1, level);
  }
}
