package org.safegrid.server.stats.hotspot;

import org.apache.commons.math3.special.Erf;

/**
 * Gi* z-scores per unit, with which units had no neighbours. The p-values are two-sided normal
 * tail probabilities, {@code 2 Φ(−|z|)}; {@code NaN} where z is undefined.
 */
public final class GiStarResult {

  private final double[] z;
  private final boolean[] isolated;

  GiStarResult(double[] z, boolean[] isolated) {
    this.z = z;
    this.isolated = isolated;
  }

  public int size() {
    return z.length;
  }

  public double z(int i) {
    return z[i];
  }

  /** A copy of all z-scores. */
  public double[] zScores() {
    return z.clone();
  }

  /** True when unit i had no neighbour: its z and p are NaN and it is never classed. */
  public boolean isolated(int i) {
    return isolated[i];
  }

  public double p(int i) {
    return twoSidedP(z[i]);
  }

  /** All p-values. */
  public double[] pValues() {
    double[] p = new double[z.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = twoSidedP(z[i]);
    }
    return p;
  }

  /** Two-sided p-value of a standard normal score: {@code erfc(|z|/√2)} (= 2 Φ(−|z|)). */
  public static double twoSidedP(double z) {
    if (Double.isNaN(z)) {
      return Double.NaN;
    }
    return Erf.erfc(Math.abs(z) / Math.sqrt(2));
  }
}
