package org.safegrid.server.stats.hotspot;

/**
 * Global Moran's I with binary weights (the unit itself excluded) and its z-score under the
 * normality assumption, as R {@code spdep::moran.test(x, nb2listw(nb, style = "B"),
 * randomisation = FALSE, zero.policy = TRUE)}: I = (n / S0) Σ_ij w_ij z_i z_j / Σ z_i²,
 * E[I] = −1/(n − 1), Var[I] = (n² S1 − n S2 + 3 S0²) / ((n² − 1) S0²) − E[I]². As spdep
 * ({@code adjust.n = TRUE}), n counts only the units with neighbours, while the mean and Σ z² are
 * taken over all units.
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
    // S1 = ½ Σ_ij (w_ij + w_ji)² over ordered pairs: 2 per directed link of a symmetric pair, 1 per one-way link
    double s1 = 0;
    for (int i = 0; i < n; i++) {
      for (int k = off[i]; k < off[i + 1]; k++) {
        s1 += w.hasLink(nb[k], i) ? 2 : 1;
      }
    }
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double d = (off[i + 1] - off[i]) + inDegree[i];
      s2 += d * d;
    }
    // n counts the units with neighbours, as spdep's adjust.n; the mean and Σz² are over all units
    double m = n;
    for (int i = 0; i < n; i++) {
      if (off[i + 1] == off[i]) {
        m--;
      }
    }
    double i0 = m / s0 * cross / m2;
    double e = -1.0 / (m - 1);
    double var = (m * m * s1 - m * s2 + 3 * s0 * s0) / ((m * m - 1) * s0 * s0) - e * e;
    return (i0 - e) / Math.sqrt(var);
  }
}
