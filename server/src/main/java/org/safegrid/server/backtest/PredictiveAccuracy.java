package org.safegrid.server.backtest;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Hit rate, Predictive Accuracy Index and PEI* of a cell ranking at a given area coverage.
 *
 * <ul>
 *   <li>hit rate = test events in the selected cells ÷ test events in the study area</li>
 *   <li>PAI = hit rate ÷ area share (Chainey et al. 2008)</li>
 *   <li>PEI* = events captured ÷ the most any selection of the same area could have captured
 *       (Hunt 2016's PEI*, here with the same number of cells)</li>
 * </ul>
 * Cells are equal in area (a regular grid) unless areas are given; selection takes the best
 * cells until the area share is reached, ties broken by the lower cell index.
 *
 * @param coverage   requested share of the study area
 * @param cells      cells selected
 * @param areaShare  share of the study area they cover
 * @param hits       test events in them
 * @param hitRate    hits ÷ all test events in the study area
 * @param pai        hitRate ÷ areaShare
 * @param peiStar    hits ÷ best possible hits with as many cells
 */
public record PredictiveAccuracy(double coverage, int cells, double areaShare, long hits, double hitRate, double pai,
                                 double peiStar) {

  /** Measures a ranking (higher score = predicted riskier) against test counts per cell. */
  public static PredictiveAccuracy measure(double[] score, long[] testCounts, double coverage) {
    int n = score.length;
    int k = Math.max(1, (int) Math.round(coverage * n));
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> i));
    long total = Arrays.stream(testCounts).sum();
    long hits = 0;
    for (int i = 0; i < k; i++) {
      hits += testCounts[order[i]];
    }
    long[] sorted = testCounts.clone();
    Arrays.sort(sorted);
    long best = 0;
    for (int i = 0; i < k; i++) {
      best += sorted[n - 1 - i];
    }
    double share = k / (double) n;
    double hitRate = total == 0 ? 0 : hits / (double) total;
    return new PredictiveAccuracy(coverage, k, share, hits, hitRate, hitRate / share, best == 0 ? 0 : hits / (double) best);
  }
}
