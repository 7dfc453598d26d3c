package org.safegrid.server.stats.hotspot;

/**
 * Global Moran's I with binary weights (the unit itself excluded) and its z-score under the
 * normality assumption, as R {@code spdep::moran.test(x, nb2listw(nb, style = "B"),
 * randomisation = FALSE, zero.policy = TRUE)}: I = (n / S0) Σ_ij w_ij z_i z_j / Σ z_i²,
 * E[I] = −1/(n − 1), Var[I] = (n² S1 − n S2 + 3 S0²) / ((n² − 1) S0²) − E[I]². Units without
 * neighbours count in n and in the mean, as spdep does with {@code zero.policy}.
 */
public final class MoranI {

  private MoranI() {}

  /** The z-score of Global Moran's I; NaN for a flat field or weights without links. */
  public static double zNormal(double[] x, SpatialWeights w) {
    int n = x.length;
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= n;
    double m2 = 0;
    for (double v : x) {
      m2 += (v - mean) * (v - mean);
    }
    int[] off = w.offsets();
    int[] nb = w.neighbours();
    double s0 = nb.length;
    if (!(m2 > 0) || s0 == 0) {
      return Double.NaN;
    }
    double cross = 0;
    int[] inDegree = new int[n];
    for (int i = 0; i < n; i++) {
      double zi = x[i] - mean;
      for (int k = off[i]; k < off[i + 1]; k++) {
        cross += zi * (x[nb[k]] - mean);
        inDegree[nb[k]]++;
      }
    }
    // S1 = ½ Σ (w_ij + w_ji)²: 2 per symmetric pair counted from each side, 1 per one-way link
    double s1 = 0;
    for (int i = 0; i < n; i++) {
      for (int k = off[i]; k < off[i + 1]; k++) {
        s1 += w.hasLink(nb[k], i) ? 2 : 0.5;
      }
    }
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double d = (off[i + 1] - off[i]) + inDegree[i];
      s2 += d * d;
    }
    double i0 = n / s0 * cross / m2;
    double e = -1.0 / (n - 1);
    double var = (n * (double) n * s1 - n * s2 + 3 * s0 * s0) / ((n * (double) n - 1) * s0 * s0) - e * e;
    return (i0 - e) / Math.sqrt(var);
  }
}
