package org.safegrid.server.stats.hotspot;

/**
 * Emerging hot spot classification of one cell from its Gi* series over time bins and the
 * Mann-Kendall trend of that series.
 *
 * <p>Definition followed: the rules as R {@code sfdep::emerging_hotspot_analysis} encodes them
 * (its internal {@code classify_hotspot}, sfdep 0.2), which implement ArcGIS Pro's "How Emerging
 * Hot Spot Analysis works". As there, the rules are tried in a fixed order and the first that
 * holds wins: new, consecutive, intensifying, persistent, diminishing, oscillating, historical,
 * sporadic (hot before cold at each step), else no pattern; "90 %" means the share of bins.
 * One deliberate difference: sfdep's intensifying rule counts all significant bins, hot or cold,
 * so a cold spot that is fading (cold in every bin, z rising) comes out as an "intensifying hot
 * spot"; we count hot bins for intensifying hot spots and require the last bin to be hot, as the
 * ArcGIS text says (and the mirror for cold). Persistent keeps sfdep's reading (the last bin need
 * not be significant). Further differences from sfdep: the Gi* per bin is the analytic one
 * with binary distance-band weights (no space-time lag, no permutation p-values) and a bin is
 * significant when its Benjamini–Hochberg class reaches the configured confidence.
 */
public final class EmergingHotspots {

  private EmergingHotspots() {}

  /**
   * Classifies one cell.
   *
   * @param gs        Gi* z per bin, oldest first
   * @param sigs      whether each bin is significant
   * @param trendAlpha significance level of the Mann-Kendall test (sfdep uses one threshold for both)
   */
  public static EmergingCategory classify(double[] gs, boolean[] sigs, double trendAlpha) {
    int n = gs.length;
    if (n == 0) {
      return EmergingCategory.NO_PATTERN;
    }
    MannKendall mk = MannKendall.test(gs);
    double tau = mk.tau();
    double tauP = mk.p();
    int sig = 0;
    int hot = 0;
    int cold = 0;
    for (int i = 0; i < n; i++) {
      if (sigs[i]) {
        sig++;
        if (gs[i] > 0) {
          hot++;
        } else if (gs[i] < 0) {
          cold++;
        }
      }
    }
    boolean lastSig = sigs[n - 1];
    boolean lastHot = lastSig && gs[n - 1] > 0;
    boolean lastCold = lastSig && gs[n - 1] < 0;
    double hotShare = hot / (double) n;
    double coldShare = cold / (double) n;

    if (sig == 1 && lastHot) {
      return EmergingCategory.NEW_HOTSPOT;
    }
    if (sig == 1 && lastCold) {
      return EmergingCategory.NEW_COLDSPOT;
    }
    if (lastHot && onlyFinalRunSignificant(sigs) && hotShare < 0.9) {
      return EmergingCategory.CONSECUTIVE_HOTSPOT;
    }
    if (lastCold && onlyFinalRunSignificant(sigs) && coldShare < 0.9) {
      return EmergingCategory.CONSECUTIVE_COLDSPOT;
    }
    if (hotShare >= 0.9 && lastHot && tau > 0 && tauP < trendAlpha) {
      return EmergingCategory.INTENSIFYING_HOTSPOT;
    }
    if (coldShare >= 0.9 && lastCold && tau < 0 && tauP <= trendAlpha) {
      return EmergingCategory.INTENSIFYING_COLDSPOT;
    }
    if (hotShare >= 0.9 && tauP > trendAlpha) {
      return EmergingCategory.PERSISTENT_HOTSPOT;
    }
    if (coldShare >= 0.9 && tauP > trendAlpha) {
      return EmergingCategory.PERSISTENT_COLDSPOT;
    }
    if (hotShare >= 0.9 && lastSig && tau < 0 && tauP <= trendAlpha) {
      return EmergingCategory.DIMINISHING_HOTSPOT;
    }
    if (coldShare >= 0.9 && lastSig && tau > 0 && tauP <= trendAlpha) {
      return EmergingCategory.DIMINISHING_COLDSPOT;
    }
    if (hotShare <= 0.9 && lastHot && cold > 0) {
      return EmergingCategory.OSCILLATING_HOTSPOT;
    }
    if (coldShare < 0.9 && lastCold && hot > 0) {
      return EmergingCategory.OSCILLATING_COLDSPOT;
    }
    if (hotShare >= 0.9 && gs[n - 1] < 0) {
      return EmergingCategory.HISTORICAL_HOTSPOT;
    }
    if (gs[n - 1] > 0 && coldShare >= 0.9) {
      return EmergingCategory.HISTORICAL_COLDSPOT;
    }
    if (hotShare < 0.9 && cold == 0 && hot > 0) {
      return EmergingCategory.SPORADIC_HOTSPOT;
    }
    if (coldShare < 0.9 && hot == 0 && cold > 0) {
      return EmergingCategory.SPORADIC_COLDSPOT;
    }
    return EmergingCategory.NO_PATTERN;
  }

  /** True when the significant bins are exactly one uninterrupted run ending at the last bin. */
  private static boolean onlyFinalRunSignificant(boolean[] sigs) {
    int n = sigs.length;
    int i = n - 1;
    while (i >= 0 && sigs[i]) {
      i--;
    }
    for (int j = 0; j <= i; j++) {
      if (sigs[j]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Classifies every cell of a space-time cube.
   *
   * @param values        values[bin][cell], oldest bin first
   * @param w             spatial weights of the cells
   * @param minConfidence confidence (90/95/99) at which a bin counts as significant after FDR
   * @param trendAlpha    Mann-Kendall significance level
   */
  public static EmergingCategory[] classifyAll(double[][] values, SpatialWeights w, int minConfidence, double trendAlpha) {
    int bins = values.length;
    int n = w.size();
    double[][] z = new double[bins][];
    boolean[][] sig = new boolean[bins][n];
    for (int b = 0; b < bins; b++) {
      GiStarResult gi = GiStar.compute(values[b], w);
      HotspotClass[] cls = FalseDiscoveryRate.classify(gi);
      z[b] = gi.zScores();
      for (int i = 0; i < n; i++) {
        sig[b][i] = cls[i].atLeast(minConfidence);
        if (Double.isNaN(z[b][i])) {
          z[b][i] = 0; // a flat bin (no events anywhere) carries no signal
        }
      }
    }
    EmergingCategory[] out = new EmergingCategory[n];
    double[] gs = new double[bins];
    boolean[] sigs = new boolean[bins];
    for (int i = 0; i < n; i++) {
      if (w.isIsolated(i)) {
        out[i] = EmergingCategory.NO_NEIGHBOURS;
        continue;
      }
      for (int b = 0; b < bins; b++) {
        gs[b] = z[b][i];
        sigs[b] = sig[b][i];
      }
      out[i] = classify(gs, sigs, trendAlpha);
    }
    return out;
  }
}
