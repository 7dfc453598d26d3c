package org.safegrid.server.stats.hotspot;

/**
 * Getis-Ord Gi* local statistic with binary weights and the unit itself included, computed
 * exactly as R {@code spdep::localG} does for a {@code listw} built with {@code include.self}
 * and {@code style = "B"}:
 *
 * <pre>
 *   z_i = (Σ_j w_ij x_j − W_i x̄) / sqrt( s² (n S1_i − W_i²) / (n − 1) )
 *   x̄ = mean(x), s² = Σ (x − x̄)² / n, W_i = Σ_j w_ij, S1_i = Σ_j w_ij² (= W_i for binary w)
 * </pre>
 *
 * <p>Units without neighbours get {@code NaN} (the statistic would only restate the unit's own
 * standard score); {@link GiStarResult#isolated(int)} says which they are. A field with zero
 * variance gives {@code NaN} everywhere too: no unit can stand out from a flat field.
 * Pure function of its inputs; thread-safe.
 */
public final class GiStar {

  private GiStar() {}

  /**
   * Gi* over the units with {@code included[i]} only (null = all): the others take no part (not in
   * the mean, the variance, n or anyone's neighbourhood) and come back as isolated with NaN z, and
   * pseudo p-values from {@code permutations} conditional permutations ({@link GiStarPermutation},
   * spdep's scheme) when {@code permutations > 0}.
   */
  public static GiStarResult compute(double[] values, SpatialWeights weights, boolean[] included, int permutations,
                                     long seed) {
    int n = values.length;
    if (included == null) {
      GiStarResult r = compute(values, weights);
      return permutations > 0
          ? r.withPseudoP(GiStarPermutation.pseudoP(values, weights, permutations, seed, GiStarPermutation.Scheme.SPDEP),
              permutations)
          : r;
    }
    int m = 0;
    for (boolean b : included) {
      m += b ? 1 : 0;
    }
    double[] sub = new double[m];
    int[] back = new int[m];
    for (int i = 0, j = 0; i < n; i++) {
      if (included[i]) {
        back[j] = i;
        sub[j++] = values[i];
      }
    }
    SpatialWeights sw = weights.subset(included);
    GiStarResult r = compute(sub, sw);
    double[] z = new double[n];
    boolean[] isolated = new boolean[n];
    java.util.Arrays.fill(z, Double.NaN);
    java.util.Arrays.fill(isolated, true);
    for (int j = 0; j < m; j++) {
      z[back[j]] = r.z(j);
      isolated[back[j]] = r.isolated(j);
    }
    GiStarResult full = new GiStarResult(z, isolated);
    if (permutations <= 0) {
      return full;
    }
    double[] ps = GiStarPermutation.pseudoP(sub, sw, permutations, seed, GiStarPermutation.Scheme.SPDEP);
    double[] p = new double[n];
    java.util.Arrays.fill(p, Double.NaN);
    for (int j = 0; j < m; j++) {
      p[back[j]] = ps[j];
    }
    return full.withPseudoP(p, permutations);
  }

  /** Gi* z-scores and two-sided p-values of {@code values} over {@code weights}. */
  public static GiStarResult compute(double[] values, SpatialWeights weights) {
    int n = values.length;
    if (weights.size() != n) {
      throw new IllegalArgumentException("weights cover " + weights.size() + " units but there are " + n + " values");
    }
    double sum = 0;
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("values must be finite numbers");
      }
      sum += v;
    }
    double mean = sum / n;
    double ss = 0;
    for (double v : values) {
      double d = v - mean;
      ss += d * d;
    }
    double s2 = ss / n;
    int[] off = weights.offsets();
    int[] nb = weights.neighbours();
    double[] z = new double[n];
    boolean[] isolated = new boolean[n];
    for (int i = 0; i < n; i++) {
      int a = off[i];
      int b = off[i + 1];
      if (a == b) {
        isolated[i] = true;
        z[i] = Double.NaN;
        continue;
      }
      double lag = values[i];
      for (int k = a; k < b; k++) {
        lag += values[nb[k]];
      }
      double wi = b - a + 1;
      double var = s2 * (n * wi - wi * wi) / (n - 1);
      z[i] = (lag - wi * mean) / Math.sqrt(var);
    }
    if (!(s2 > 0)) {
      java.util.Arrays.fill(z, Double.NaN);
    }
    return new GiStarResult(z, isolated);
  }
}
