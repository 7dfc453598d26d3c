package org.safegrid.server.risk;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Exact (Garwood) 95 % confidence interval of a Poisson mean given an observed count N:
 * {@code [χ²(0.025; 2N)/2, χ²(0.975; 2N+2)/2]}. Cached for small counts; thread-safe.
 */
public final class PoissonInterval {

  private static final int CACHE = 2048;
  private static final double[] LOWER = new double[CACHE];
  private static final double[] UPPER = new double[CACHE];

  static {
    for (int n = 0; n < CACHE; n++) {
      LOWER[n] = n == 0 ? 0 : new ChiSquaredDistribution(2.0 * n).inverseCumulativeProbability(0.025) / 2;
      UPPER[n] = new ChiSquaredDistribution(2.0 * n + 2).inverseCumulativeProbability(0.975) / 2;
    }
  }

  private PoissonInterval() {}

  public static double lower(long n) {
    if (n < CACHE) {
      return LOWER[(int) n];
    }
    return Math.max(0, n - 1.959964 * Math.sqrt(n));
  }

  public static double upper(long n) {
    if (n < CACHE) {
      return UPPER[(int) n];
    }
    return n + 1.959964 * Math.sqrt(n) + 1;
  }
}
