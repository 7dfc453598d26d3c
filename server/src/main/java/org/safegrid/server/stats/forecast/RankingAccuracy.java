package org.safegrid.server.stats.forecast;

import java.util.Arrays;
import java.util.Random;

/**
 * Hit rate, PAI and PEI* of a ranking of equal-area cells at a share of the study area, with
 * ties broken at random and the hits averaged over {@link #ORDERS} random orders (counts tie
 * heavily; breaking ties by cell index would reward whichever model happens to list busy cells
 * first).
 *
 * <ul>
 *   <li>hit rate = test events in the k top cells ÷ test events in the study area</li>
 *   <li>PAI = hit rate ÷ (k / n) (Chainey, Tompson and Uhlig 2008)</li>
 *   <li>PEI* = hits ÷ the most events any k cells held (Hunt 2016, with the same number of cells)</li>
 * </ul>
 *
 * @param coverage   requested share of the study area
 * @param cells      k, the cells selected: round(coverage · n), at least 1
 * @param studyCells n, the cells of the study area
 * @param hits       mean test events in the selected cells over the orders
 * @param best       most test events any k cells held
 * @param total      test events in the study area
 */
public record RankingAccuracy(double coverage, int cells, int studyCells, double hits, long best, long total) {

  /** Random tie orders averaged. */
  public static final int ORDERS = 20;

  public double hitRate() {
    return total == 0 ? 0 : hits / total;
  }

  public double pai() {
    return hitRate() / ((double) cells / studyCells);
  }

  public double peiStar() {
    return best == 0 ? 0 : hits / best;
  }

  /** Measures a ranking (higher = riskier) against test counts at each coverage. */
  public static RankingAccuracy[] measure(double[] score, int[] testCounts, double[] coverages, Random rnd) {
    int n = score.length;
    Integer[] boxed = new Integer[n];
    for (int i = 0; i < n; i++) {
      boxed[i] = i;
    }
    Arrays.sort(boxed, (a, b) -> Double.compare(score[b], score[a]));
    long total = 0;
    for (int c : testCounts) {
      total += c;
    }
    int[] sorted = testCounts.clone();
    Arrays.sort(sorted);
    RankingAccuracy[] out = new RankingAccuracy[coverages.length];
    for (int q = 0; q < coverages.length; q++) {
      int k = Math.max(1, Math.min(n, (int) Math.round(coverages[q] * n)));
      long best = 0;
      for (int i = 0; i < k; i++) {
        best += sorted[n - 1 - i];
      }
      // the tie group straddling position k − 1: [gs, ge)
      double boundary = score[boxed[k - 1]];
      int gs = k - 1;
      while (gs > 0 && score[boxed[gs - 1]] == boundary) {
        gs--;
      }
      int ge = k;
      while (ge < n && score[boxed[ge]] == boundary) {
        ge++;
      }
      double above = 0;
      for (int i = 0; i < gs; i++) {
        above += testCounts[boxed[i]];
      }
      int need = k - gs;
      int g = ge - gs;
      double hits = above;
      if (need > 0) {
        int[] group = new int[g];
        for (int i = 0; i < g; i++) {
          group[i] = testCounts[boxed[gs + i]];
        }
        double sum = 0;
        for (int o = 0; o < ORDERS; o++) {
          // a random order of the tie group: partial Fisher–Yates, take the first `need`
          for (int i = 0; i < need; i++) {
            int j = i + rnd.nextInt(g - i);
            int tmp = group[i];
            group[i] = group[j];
            group[j] = tmp;
            sum += group[i];
          }
        }
        hits += sum / ORDERS;
      }
      out[q] = new RankingAccuracy(coverages[q], k, n, hits, best, total);
    }
    return out;
  }
}
