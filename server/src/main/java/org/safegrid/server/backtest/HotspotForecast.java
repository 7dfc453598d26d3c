package org.safegrid.server.backtest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SafeGrid's hotspot forecast for a set of cells: the engine's time-decayed event weights
 * (half-life {@code halfLifeDays}), smoothed with a quartic kernel of radius {@code bandwidthMeters}
 * and blended with the cell's own decayed count.
 *
 * <pre>
 *   w_e      = 2^(−age_e / halfLife)
 *   own(c)   = Σ_{e in c} w_e / area(c)                        (events per km²)
 *   kde(c)   = Σ_e w_e · 3/(π h²) · (1 − d²/h²)²,  d = |centre(c) − e| &lt; h   (events per km²)
 *   score(c) = (1 − α) own(c) + α kde(c)
 * </pre>
 *
 * Plain class; the backtest, the live scorecard and the heat layer share it.
 *
 * @param halfLifeDays    half-life of the time decay, days
 * @param bandwidthMeters quartic kernel radius, metres
 * @param alpha           weight of the smoothed term, 0..1
 */
public record HotspotForecast(double halfLifeDays, double bandwidthMeters, double alpha) {

  /** Defaults chosen on a validation period before the reported test (see the backtest docs). */
  public static HotspotForecast defaults(double cellSizeMeters) {
    return new HotspotForecast(180, Math.max(1.6 * cellSizeMeters, 400), 0.3);
  }

  /** The quartic (biweight) kernel density at distance² d2 for radius h, per square metre. */
  public static double quartic(double d2, double h) {
    double h2 = h * h;
    if (d2 >= h2) {
      return 0;
    }
    double u = 1 - d2 / h2;
    return 3.0 / (Math.PI * h2) * u * u;
  }

  /**
   * Scores the cells.
   *
   * @param cx         cell centre x (metres)
   * @param cy         cell centre y
   * @param areaM2     cell areas
   * @param cellOfEvent cell index of each training event, or −1 outside every cell
   * @param ex         event x (metres)
   * @param ey         event y
   * @param ageDays    age of each event at the forecast time, days
   */
  public double[] score(double[] cx, double[] cy, double[] areaM2, int[] cellOfEvent, double[] ex, double[] ey,
                        double[] ageDays) {
    int n = cx.length;
    double[] own = new double[n];
    double[] kde = new double[n];
    double h = bandwidthMeters;
    // bucket the cell centres by the kernel radius
    Map<Long, List<Integer>> buckets = new HashMap<>();
    for (int i = 0; i < n; i++) {
      buckets.computeIfAbsent(key(Math.floorDiv((long) Math.floor(cx[i]), (long) Math.ceil(h)),
          Math.floorDiv((long) Math.floor(cy[i]), (long) Math.ceil(h))), k -> new ArrayList<>()).add(i);
    }
    long hb = (long) Math.ceil(h);
    for (int e = 0; e < ex.length; e++) {
      double w = Math.pow(2, -Math.max(0, ageDays[e]) / halfLifeDays);
      if (cellOfEvent[e] >= 0) {
        own[cellOfEvent[e]] += w;
      }
      long bx = Math.floorDiv((long) Math.floor(ex[e]), hb);
      long by = Math.floorDiv((long) Math.floor(ey[e]), hb);
      for (long dx = -1; dx <= 1; dx++) {
        for (long dy = -1; dy <= 1; dy++) {
          List<Integer> cells = buckets.get(key(bx + dx, by + dy));
          if (cells == null) {
            continue;
          }
          for (int c : cells) {
            double ddx = cx[c] - ex[e];
            double ddy = cy[c] - ey[e];
            kde[c] += w * quartic(ddx * ddx + ddy * ddy, h);
          }
        }
      }
    }
    double[] out = new double[n];
    for (int c = 0; c < n; c++) {
      double ownDensity = own[c] / Math.max(areaM2[c], 1) * 1e6;
      out[c] = (1 - alpha) * ownDensity + alpha * kde[c] * 1e6;
    }
    return out;
  }

  private static long key(long a, long b) {
    return (a << 32) ^ (b & 0xffffffffL);
  }
}
