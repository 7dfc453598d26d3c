package org.safegrid.server.stats.forecast;

import org.apache.commons.math3.special.Gamma;

/** Poisson log probabilities, for the log score of count forecasts. */
public final class Poisson {

  private Poisson() {}

  /** log P(Y = y) for a Poisson mean m (m ≤ 0 puts all mass on 0). */
  public static double logPmf(int y, double m) {
    if (m <= 0) {
      return y == 0 ? 0 : Double.NEGATIVE_INFINITY;
    }
    return y * Math.log(m) - m - Gamma.logGamma(y + 1.0);
  }
}
