package org.safegrid.server.stats.hotspot;

import java.util.Arrays;

/**
 * Benjamini–Hochberg False Discovery Rate classing of Gi* results into hot/cold at FDR levels
 * q = 0.01 / 0.05 / 0.10 (classes {@code hot99/95/90}, {@code cold99/95/90}: the number is
 * 100 × (1 − q), an FDR level, not a per-cell confidence).
 *
 * <p>For each level q in (0.01, 0.05, 0.10) the BH step-up rule finds the largest k with
 * {@code p_(k) ≤ k q / m} over the m testable units (units without neighbours are not tests) and
 * declares the k smallest p-values significant; a unit's class is the strictest level it passes,
 * its sign the sign of z. This is how ArcGIS's "Apply False Discovery Rate correction" reports
 * confidence bins.
 */
public final class FalseDiscoveryRate {

  private static final double[] LEVELS = {0.01, 0.05, 0.10};
  private static final int[] CONFIDENCE = {99, 95, 90};

  private FalseDiscoveryRate() {}

  /** Classes per unit with the FDR correction. */
  public static HotspotClass[] classify(GiStarResult gi) {
    return classify(gi, true);
  }

  /** Classes per unit; {@code fdr = false} uses the plain per-test p-value thresholds. */
  public static HotspotClass[] classify(GiStarResult gi, boolean fdr) {
    return classify(gi, gi.pValues(), fdr);
  }

  /**
   * Classes per unit from the given p-values (analytic, or the permutation pseudo p) and the sign
   * of z; with {@code fdr} the class is the strictest FDR level q at which Benjamini–Hochberg
   * declares the unit significant ({@code hot99} = discovered at q = 0.01).
   */
  public static HotspotClass[] classify(GiStarResult gi, double[] p, boolean fdr) {
    int n = gi.size();
    HotspotClass[] out = new HotspotClass[n];
    double[] sorted = Arrays.stream(p).filter(v -> !Double.isNaN(v)).sorted().toArray();
    int m = sorted.length;
    double[] cut = new double[LEVELS.length];
    for (int l = 0; l < LEVELS.length; l++) {
      cut[l] = fdr ? bhThreshold(sorted, LEVELS[l]) : LEVELS[l];
    }
    for (int i = 0; i < n; i++) {
      if (gi.isolated(i)) {
        out[i] = HotspotClass.NO_NEIGHBOURS;
        continue;
      }
      double z = gi.z(i);
      out[i] = HotspotClass.NONE;
      if (Double.isNaN(z) || m == 0) {
        continue;
      }
      for (int l = 0; l < LEVELS.length; l++) {
        if (p[i] <= cut[l]) {
          out[i] = HotspotClass.of(z > 0 ? 1 : -1, CONFIDENCE[l]);
          break;
        }
      }
    }
    return out;
  }

  /** The largest p-value declared significant at FDR level q, or −1 if none is. */
  static double bhThreshold(double[] sortedP, double q) {
    int m = sortedP.length;
    for (int k = m; k >= 1; k--) {
      if (sortedP[k - 1] <= (double) k * q / m) {
        return sortedP[k - 1];
      }
    }
    return -1;
  }

  /** Benjamini–Hochberg adjusted p-values (as R {@code p.adjust(p, "BH")}); NaN stays NaN. */
  public static double[] adjust(double[] p) {
    int n = p.length;
    Integer[] idx = new Integer[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isNaN(p[i])) {
        idx[m++] = i;
      }
    }
    Integer[] order = Arrays.copyOf(idx, m);
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    double[] out = new double[n];
    Arrays.fill(out, Double.NaN);
    double running = 1;
    for (int r = 0; r < m; r++) {
      int i = order[r];
      int rank = m - r;
      running = Math.min(running, p[i] * m / rank);
      out[i] = Math.min(1, running);
    }
    return out;
  }
}
