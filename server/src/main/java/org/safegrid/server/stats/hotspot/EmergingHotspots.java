package org.safegrid.server.stats.hotspot;

/**
 * Emerging hot spot classification as ArcGIS Pro's "How Emerging Hot Spot Analysis works" defines
 * the categories, from a cell's space-time Gi* z-series and the Mann–Kendall trend of that series.
 *
 * <p>The published definitions, for hot spots (cold spots mirror them; "hot" = a bin significantly
 * hot, "90 %" = at least 90 % of all bins):
 * <ul>
 *   <li>new: hot in the final bin and never hot before;</li>
 *   <li>consecutive: one uninterrupted run of at least two hot bins ending in the final bin, never
 *       hot before that run, and under 90 % of bins hot;</li>
 *   <li>intensifying: hot in 90 % of bins including the final one, with a significant upward
 *       trend of the z-scores;</li>
 *   <li>persistent: hot in 90 % of bins with no significant trend;</li>
 *   <li>diminishing: hot in 90 % of bins including the final one, with a significant downward trend;</li>
 *   <li>sporadic: hot in the final bin, hot on and off before, under 90 % of bins hot, never cold;</li>
 *   <li>oscillating: hot in the final bin, cold in some earlier bin, under 90 % of bins hot;</li>
 *   <li>historical: not hot in the final bin, but hot in 90 % of bins;</li>
 *   <li>no pattern: none of these.</li>
 * </ul>
 *
 * <p>Where the text leaves a choice, this class takes the reading that keeps the categories
 * disjoint and puts the final bin first (documented in docs/engine.md):
 * <ol>
 *   <li>A cell hot in 90 % of bins and hot in the final bin is intensifying, diminishing or
 *       persistent by its trend; persistent therefore also requires the final bin hot, and a cell
 *       hot in 90 % of bins but not in the final one is historical, whatever its trend or the sign
 *       of its last z (not "last z &lt; 0").</li>
 *   <li>Any significant cold bin before a final hot bin makes the cell oscillating, so new and
 *       consecutive mean "never significant before" and a run of cold bins never counts towards
 *       a consecutive hot spot.</li>
 *   <li>The final bin decides between two readings that both fit: a cell cold in 90 % of bins but
 *       hot in the final one is an oscillating hot spot, not a historical cold spot.</li>
 *   <li>Sporadic requires the final bin hot, as the text says; on-and-off hot bins ending in a
 *       non-significant bin are no pattern.</li>
 * </ol>
 * The trend is Mann–Kendall on the z-series at level {@code trendAlpha} (two-sided).
 */
public final class EmergingHotspots {

  /** Fewest time bins: with fewer, Mann–Kendall rarely reaches significance and "90 %" means every bin. */
  public static final int MIN_BINS = 10;

  private EmergingHotspots() {}

  /**
   * Classifies one cell.
   *
   * @param gs         Gi* z per bin, oldest first
   * @param sigs       whether each bin is significant
   * @param trendAlpha significance level of the Mann–Kendall test
   */
  public static EmergingCategory classify(double[] gs, boolean[] sigs, double trendAlpha) {
    int n = gs.length;
    if (n == 0) {
      return EmergingCategory.NO_PATTERN;
    }
    boolean[] hot = new boolean[n];
    boolean[] cold = new boolean[n];
    for (int t = 0; t < n; t++) {
      hot[t] = sigs[t] && gs[t] > 0;
      cold[t] = sigs[t] && gs[t] < 0;
    }
    MannKendall mk = MannKendall.test(gs);
    int trend = mk.p() < trendAlpha ? (int) Math.signum(mk.s()) : 0;
    EmergingCategory h = side(hot, cold, trend, true);
    return h != null ? h : sideOrNone(cold, hot, -trend);
  }

  private static EmergingCategory sideOrNone(boolean[] own, boolean[] other, int trend) {
    EmergingCategory c = side(own, other, trend, false);
    return c != null ? c : EmergingCategory.NO_PATTERN;
  }

  /**
   * The category on one side ({@code own} = the hot bins for hot spots, the cold bins for cold
   * spots; {@code trend} = +1 when the series moves towards {@code own}), or null.
   */
  private static EmergingCategory side(boolean[] own, boolean[] other, int trend, boolean hotSide) {
    int n = own.length;
    int last = n - 1;
    int ownCount = 0;
    int otherCount = 0;
    for (int t = 0; t < n; t++) {
      ownCount += own[t] ? 1 : 0;
      otherCount += other[t] ? 1 : 0;
    }
    boolean ninety = ownCount * 10L >= 9L * n;
    if (ninety && own[last]) {
      return trend > 0 ? pick(hotSide, EmergingCategory.INTENSIFYING_HOTSPOT, EmergingCategory.INTENSIFYING_COLDSPOT)
          : trend < 0 ? pick(hotSide, EmergingCategory.DIMINISHING_HOTSPOT, EmergingCategory.DIMINISHING_COLDSPOT)
          : pick(hotSide, EmergingCategory.PERSISTENT_HOTSPOT, EmergingCategory.PERSISTENT_COLDSPOT);
    }
    if (own[last]) {
      if (otherCount > 0) {
        return pick(hotSide, EmergingCategory.OSCILLATING_HOTSPOT, EmergingCategory.OSCILLATING_COLDSPOT);
      }
      int runStart = last;
      while (runStart > 0 && own[runStart - 1]) {
        runStart--;
      }
      boolean before = false;
      for (int t = 0; t < runStart; t++) {
        before |= own[t];
      }
      if (!before) {
        return runStart == last ? pick(hotSide, EmergingCategory.NEW_HOTSPOT, EmergingCategory.NEW_COLDSPOT)
            : pick(hotSide, EmergingCategory.CONSECUTIVE_HOTSPOT, EmergingCategory.CONSECUTIVE_COLDSPOT);
      }
      return pick(hotSide, EmergingCategory.SPORADIC_HOTSPOT, EmergingCategory.SPORADIC_COLDSPOT);
    }
    if (ninety && !other[last]) {
      return pick(hotSide, EmergingCategory.HISTORICAL_HOTSPOT, EmergingCategory.HISTORICAL_COLDSPOT);
    }
    return null;
  }

  private static EmergingCategory pick(boolean hotSide, EmergingCategory hot, EmergingCategory cold) {
    return hotSide ? hot : cold;
  }

  /**
   * Classifies every cell of a space-time cube: Gi* per bin over the space-time neighbourhood (the
   * cell, its spatial neighbours, in the same bin and the {@code timeLag} previous bins, as
   * ArcGIS's neighbourhood time step), Benjamini–Hochberg over all bins of all cells as one family,
   * then {@link #classify} per cell. Cells without a spatial neighbour are {@code no_neighbours}.
   *
   * @param values        values[bin][cell], oldest bin first; at least {@link #MIN_BINS} bins
   * @param w             spatial weights of the cells
   * @param timeLag       previous bins in the neighbourhood (1 = the bin before)
   * @param minConfidence FDR level (90/95/99) at which a bin counts as significant
   * @param trendAlpha    Mann–Kendall significance level
   */
  public static EmergingCategory[] classifyAll(double[][] values, SpatialWeights w, int timeLag, int minConfidence,
                                               double trendAlpha) {
    int bins = values.length;
    if (bins < MIN_BINS) {
      throw new IllegalArgumentException("emerging hot spots need at least " + MIN_BINS + " time bins, got " + bins
          + ": Mann–Kendall cannot show a trend in fewer");
    }
    int n = w.size();
    double[][] z = SpaceTimeGiStar.compute(values, w, timeLag);
    double[] flat = new double[bins * n];
    boolean[] isolated = new boolean[bins * n];
    for (int b = 0; b < bins; b++) {
      for (int i = 0; i < n; i++) {
        flat[b * n + i] = z[b][i];
        isolated[b * n + i] = w.isIsolated(i);
      }
    }
    HotspotClass[] cls = FalseDiscoveryRate.classify(new GiStarResult(flat, isolated));
    EmergingCategory[] out = new EmergingCategory[n];
    double[] gs = new double[bins];
    boolean[] sigs = new boolean[bins];
    for (int i = 0; i < n; i++) {
      if (w.isIsolated(i)) {
        out[i] = EmergingCategory.NO_NEIGHBOURS;
        continue;
      }
      for (int b = 0; b < bins; b++) {
        // a flat cube (no events anywhere) carries no signal
        gs[b] = Double.isNaN(z[b][i]) ? 0 : z[b][i];
        sigs[b] = cls[b * n + i].atLeast(minConfidence);
      }
      out[i] = classify(gs, sigs, trendAlpha);
    }
    return out;
  }
}
