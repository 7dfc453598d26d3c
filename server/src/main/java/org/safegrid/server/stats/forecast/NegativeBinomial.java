package org.safegrid.server.stats.forecast;

import org.apache.commons.math3.special.Gamma;

/**
 * The negative binomial predictive distribution of a cell's count: mean m, size k, variance
 * {@code m + m²/k} (k → ∞ is Poisson). Its dispersion k is fitted by maximum likelihood on
 * (forecast mean, observed count) pairs from data before the evaluated period. Plain functions.
 */
public final class NegativeBinomial {

  private NegativeBinomial() {}

  /** log P(Y = y) for mean m and size k. */
  public static double logPmf(int y, double m, double k) {
    if (m <= 0) {
      return y == 0 ? 0 : Double.NEGATIVE_INFINITY;
    }
    if (Double.isInfinite(k)) {
      return Poisson.logPmf(y, m);
    }
    return Gamma.logGamma(y + k) - Gamma.logGamma(k) - Gamma.logGamma(y + 1.0)
        + k * Math.log(k / (k + m)) + y * Math.log(m / (k + m));
  }

  /** P(Y ≤ y). */
  public static double cdf(int y, double m, double k) {
    if (y < 0) {
      return 0;
    }
    double s = 0;
    double p = Math.exp(logPmf(0, m, k));
    double q = m / (k + m);
    for (int i = 0; i <= y; i++) {
      s += p;
      p *= Double.isInfinite(k) ? m / (i + 1) : (i + k) / (i + 1) * q;
    }
    return Math.min(1, s);
  }

  /** The smallest y with P(Y ≤ y) ≥ p. */
  public static int quantile(double prob, double m, double k) {
    double s = 0;
    double p = Math.exp(logPmf(0, m, k));
    double q = m / (k + m);
    for (int i = 0; i < 1_000_000; i++) {
      s += p;
      if (s >= prob - 1e-12) {
        return i;
      }
      p *= Double.isInfinite(k) ? m / (i + 1) : (i + k) / (i + 1) * q;
    }
    return 1_000_000;
  }

  /** The central interval of probability {@code level}: the (1−level)/2 and (1+level)/2 quantiles. */
  public static int[] centralInterval(double m, double k, double level) {
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("level must be in (0, 1), got " + level);
    }
    return new int[] {quantile((1 - level) / 2, m, k), quantile((1 + level) / 2, m, k)};
  }

  /**
   * The probability that count {@code y} lies inside the <em>randomised</em> central interval of
   * probability {@code level}: the interval that holds every count strictly between its end points
   * and each end point with the share of its probability that keeps exactly {@code (1−level)/2} of
   * the distribution outside on each side (Stevens 1950 for the binomial; for forecasts of counts,
   * the randomised PIT of Brockwell 2007 and Czado, Gneiting and Held 2009). The value is the share
   * of the PIT's interval {@code [F(y−1), F(y)]} inside {@code [(1−level)/2, (1+level)/2]}: 1
   * inside the interval, 0 outside, a fraction at its ends. Summed against the distribution's own
   * probabilities it is exactly {@code level}, so its mean over observations equals {@code level}
   * when the forecasts are calibrated, though counts are discrete and a cell expecting 0.01 events
   * has the closed interval [0, 0] of probability 0.99.
   */
  public static double randomisedInclusion(int y, double m, double k, double level) {
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("level must be in (0, 1), got " + level);
    }
    double lo = cdf(y - 1, m, k);
    double hi = cdf(y, m, k);
    double a = (1 - level) / 2;
    double b = 1 - a;
    if (hi <= lo) {
      return lo >= a && lo <= b ? 1 : 0;
    }
    return Math.max(0, Math.min(hi, b) - Math.max(lo, a)) / (hi - lo);
  }

  /**
   * Maximum-likelihood size k for counts y with means m (golden-section search on log k in
   * [1e-3, 1e6]; returns ∞ when the Poisson fits at least as well).
   */
  public static double fitSize(double[] m, int[] y) {
    double lo = Math.log(1e-3);
    double hi = Math.log(1e6);
    double g = (Math.sqrt(5) - 1) / 2;
    double a = hi - g * (hi - lo);
    double b = lo + g * (hi - lo);
    double fa = logLik(m, y, Math.exp(a));
    double fb = logLik(m, y, Math.exp(b));
    for (int it = 0; it < 80; it++) {
      if (fa < fb) {
        lo = a;
        a = b;
        fa = fb;
        b = lo + g * (hi - lo);
        fb = logLik(m, y, Math.exp(b));
      } else {
        hi = b;
        b = a;
        fb = fa;
        a = hi - g * (hi - lo);
        fa = logLik(m, y, Math.exp(a));
      }
    }
    double k = Math.exp((lo + hi) / 2);
    return logLik(m, y, Double.POSITIVE_INFINITY) >= logLik(m, y, k) ? Double.POSITIVE_INFINITY : k;
  }

  /** Σ log P(y_i; m_i, k). */
  public static double logLik(double[] m, int[] y, double k) {
    double s = 0;
    for (int i = 0; i < m.length; i++) {
      s += logPmf(y[i], m[i], k);
    }
    return s;
  }
}
