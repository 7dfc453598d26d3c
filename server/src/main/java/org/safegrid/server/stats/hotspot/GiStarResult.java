package org.safegrid.server.stats.hotspot;

import org.apache.commons.math3.special.Erf;

/**
 * Gi* z-scores per unit, with which units had no neighbours. The analytic p-values are two-sided
 * normal tail probabilities, {@code 2 Φ(−|z|)}; {@code NaN} where z is undefined. Optionally the
 * permutation pseudo p-values ({@link GiStarPermutation}) too.
 */
public final class GiStarResult {

  private final double[] z;
  private final boolean[] isolated;
  private final double[] pSim;
  private final int permutations;

  GiStarResult(double[] z, boolean[] isolated) {
    this(z, isolated, null, 0);
  }

  private GiStarResult(double[] z, boolean[] isolated, double[] pSim, int permutations) {
    this.z = z;
    this.isolated = isolated;
    this.pSim = pSim;
    this.permutations = permutations;
  }

  /** This result with permutation pseudo p-values ({@link GiStarPermutation}) added. */
  public GiStarResult withPseudoP(double[] pseudoP, int nsim) {
    if (pseudoP.length != z.length) {
      throw new IllegalArgumentException("one pseudo p per unit expected");
    }
    return new GiStarResult(z, isolated, pseudoP, nsim);
  }

  /** Number of permutations behind {@link #pSim}; 0 when only analytic p-values were computed. */
  public int permutations() {
    return permutations;
  }

  /** The permutation pseudo p of unit i, NaN when none was computed or the unit has no neighbours. */
  public double pSim(int i) {
    return pSim == null ? Double.NaN : pSim[i];
  }

  /** All pseudo p-values (a copy), or null when only analytic p-values were computed. */
  public double[] pSimValues() {
    return pSim == null ? null : pSim.clone();
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
