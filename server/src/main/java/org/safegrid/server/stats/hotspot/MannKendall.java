package org.safegrid.server.stats.hotspot;

/**
 * The Mann-Kendall test for a monotonic trend in a series: S = Σ_{i<j} sign(x_j − x_i),
 * Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18 (ties corrected), Z = (S − sign S)/√Var(S),
 * two-sided p = 2 Φ(−|Z|), tau = S / (n(n−1)/2).
 *
 * @param s   the S statistic
 * @param tau Kendall's tau (tau-a) of the series against time
 * @param z   continuity-corrected standard score
 * @param p   two-sided p-value (1 when the series is too short or constant)
 */
public record MannKendall(double s, double tau, double z, double p) {

  public static MannKendall test(double[] x) {
    int n = x.length;
    if (n < 3) {
      return new MannKendall(0, 0, 0, 1);
    }
    long s = 0;
    for (int i = 0; i < n - 1; i++) {
      for (int j = i + 1; j < n; j++) {
        s += Double.compare(x[j], x[i]) > 0 ? 1 : Double.compare(x[j], x[i]) < 0 ? -1 : 0;
      }
    }
    double[] sorted = x.clone();
    java.util.Arrays.sort(sorted);
    double tieTerm = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && sorted[j] == sorted[i]) {
        j++;
      }
      long t = j - i;
      tieTerm += t * (t - 1) * (2 * t + 5);
      i = j;
    }
    double var = (n * (n - 1.0) * (2 * n + 5) - tieTerm) / 18.0;
    double tau = s / (n * (n - 1) / 2.0);
    if (!(var > 0)) {
      return new MannKendall(s, tau, 0, 1);
    }
    double z = s == 0 ? 0 : (s - Math.signum(s)) / Math.sqrt(var);
    return new MannKendall(s, tau, z, GiStarResult.twoSidedP(z));
  }
}
