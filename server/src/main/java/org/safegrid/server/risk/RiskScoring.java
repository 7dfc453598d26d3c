package org.safegrid.server.risk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.safegrid.server.stats.risk.ExceedanceProbability;
import org.safegrid.server.stats.risk.LocalEmpiricalBayes;

/** Turns per-cell, per-kind event terms and the environment into scored windows. Stateless. */
final class RiskScoring {

  private RiskScoring() {}

  static RiskSnapshot.WindowScores score(GridModel grid, RiskProperties cfg, CellEnvironment env, Duration window,
                                         Duration halfLife, List<String> kinds, double[] perKind, int[] perKindCount,
                                         double[] pingMinutes, boolean[] kindMask,
                                         int[] refCount, Duration refWindow, EnvironmentModel model,
                                         double[][] exposure, int[][] neighbours, double[] forecast) {
    int n = grid.size();
    int nk = kinds.size();
    // No hand-set campus, coastal or checkpoint weight: their effect is learned (EnvironmentModel) and
    // enters the cell's baseline, not this score. Only overlay layers given a weight add a term.
    List<String> factors = new ArrayList<>();
    List<double[]> contrib = new ArrayList<>();
    for (Map.Entry<String, double[]> e : env.overlays().entrySet()) {
      Double w = cfg.overlayWeights().get(e.getKey());
      if (w != null && w != 0) {
        factors.add("overlay:" + e.getKey());
        contrib.add(scaled(e.getValue(), w));
      }
    }
    double[] eventTerm = new double[n];
    long[] count = new long[n];
    double totalTerm = 0;
    long totalCount = 0;
    for (int c = 0; c < n; c++) {
      double s = 0;
      long cnt = 0;
      for (int k = 0; k < nk; k++) {
        if (kindMask == null || kindMask[k]) {
          s += perKind[c * nk + k];
          cnt += perKindCount[c * nk + k];
        }
      }
      eventTerm[c] = s;
      count[c] = cnt;
      totalTerm += s;
      totalCount += cnt;
    }
    double meanPerEvent = totalCount == 0 ? 1 : totalTerm / totalCount;
    double[] score = new double[n];
    double[] envTerm = new double[n];
    for (int c = 0; c < n; c++) {
      double e = 0;
      for (double[] f : contrib) {
        e += f[c];
      }
      envTerm[c] = e;
      score[c] = eventTerm[c] + e;
    }
    double[] lower = new double[n];
    double[] upper = new double[n];
    double hours = window.toMillis() / 3_600_000.0;
    double[] coverage = new double[n];
    double[] normalized = new double[n];
    for (int c = 0; c < n; c++) {
      long k = count[c];
      if (k == 0) {
        lower[c] = envTerm[c];
        upper[c] = envTerm[c] + PoissonInterval.upper(0) * meanPerEvent;
      } else {
        lower[c] = envTerm[c] + eventTerm[c] * PoissonInterval.lower(k) / k;
        upper[c] = envTerm[c] + eventTerm[c] * PoissonInterval.upper(k) / k;
      }
      coverage[c] = (env.cameras()[c] + env.checkpoints()[c]) * hours + (pingMinutes == null ? 0 : pingMinutes[c] / 60.0);
      normalized[c] = coverage[c] > 0 ? eventTerm[c] / coverage[c] : Double.NaN;
    }
    double[] percentile = percentiles(score);
    double[] baseline = forecast != null ? forecastBaselines(forecast, refCount, kindMask, nk)
        : model == null ? baselines(count, refCount, kindMask, nk, window, refWindow)
        : modelBaselines(model, exposure, refCount, kindMask, nk);
    double[] exceedance = new double[n];
    RiskLevel[] level = new RiskLevel[n];
    for (int c = 0; c < n; c++) {
      exceedance[c] = ExceedanceProbability.of(count[c], baseline[c], cfg.baselinePriorWindows());
      level[c] = levelOf(count[c], exceedance[c], cfg);
    }
    LocalEmpiricalBayes.Prior cellPrior = null;
    if (model != null && neighbours != null) {
      double[] observed = new double[n];
      for (int c = 0; c < n; c++) {
        observed[c] = count[c];
      }
      cellPrior = LocalEmpiricalBayes.of(observed, baseline, neighbours);
    }
    return new RiskSnapshot.WindowScores(window, halfLife, kinds, perKind, perKindCount, pingMinutes, kindMask, factors, contrib, eventTerm, count, score, percentile, level, lower, upper, coverage, normalized,
        grid, cfg, env, refCount, refWindow, baseline, exceedance, model, exposure, neighbours, cellPrior, forecast);
  }

  /**
   * Each cell's baseline from the environment model: its expected count in the window given its
   * covariates and its observer-hours ({@link EnvironmentModel#expected}). Restricted to some kinds,
   * it is scaled by those kinds' share of the reference window's events. Floor 0.001.
   */
  static double[] modelBaselines(EnvironmentModel model, double[][] exposure, int[] refCount, boolean[] kindMask,
                                 int nk) {
    return scaledToKinds(model.expected(exposure), refCount, kindMask, nk);
  }

  /**
   * Each cell's baseline from the self-exciting forecast (its expected count in the window as the
   * forecast stood at the window's start, with the environment's covariate term), scaled and floored
   * as {@link #modelBaselines}.
   */
  static double[] forecastBaselines(double[] forecast, int[] refCount, boolean[] kindMask, int nk) {
    return scaledToKinds(forecast.clone(), refCount, kindMask, nk);
  }

  private static double[] scaledToKinds(double[] b, int[] refCount, boolean[] kindMask, int nk) {
    double share = 1;
    if (kindMask != null && refCount != null) {
      long all = 0;
      long kept = 0;
      for (int i = 0; i < refCount.length; i++) {
        all += refCount[i];
        kept += kindMask[i % nk] ? refCount[i] : 0;
      }
      share = all == 0 ? 0 : (double) kept / all;
    }
    for (int c = 0; c < b.length; c++) {
      b[c] = Math.max(b[c] * share, 1e-3);
    }
    return b;
  }

  /**
   * Each cell's baseline: the count its own recent history predicts for the window. For a window
   * shorter than the reference (the longest live window), the cell's events in the rest of the
   * reference window, scaled to the window's length. For the reference window itself the engine
   * keeps no longer history of the cell, so its baseline is the city's mean count per cell in it.
   * Floor: a twentieth of the city's mean per cell for the window (at least 0.001), so that a cell
   * quiet all week is not critical on its first event.
   */
  static double[] baselines(long[] count, int[] refCount, boolean[] kindMask, int nk, Duration window,
                            Duration refWindow) {
    int n = count.length;
    long[] ref = new long[n];
    long refTotal = 0;
    for (int c = 0; c < n; c++) {
      long s = 0;
      if (refCount != null) {
        for (int k = 0; k < nk; k++) {
          if (kindMask == null || kindMask[k]) {
            s += refCount[c * nk + k];
          }
        }
      }
      ref[c] = Math.max(s, count[c]);
      refTotal += ref[c];
    }
    double w = window.toMillis();
    double rw = refWindow == null ? w : refWindow.toMillis();
    double cityMean = n == 0 ? 0 : refTotal * Math.min(1, w / rw) / n;
    double floor = Math.max(1e-3, cityMean / 20);
    double[] b = new double[n];
    for (int c = 0; c < n; c++) {
      double own = rw > w ? (ref[c] - count[c]) * w / (rw - w) : cityMean;
      b[c] = Math.max(own, floor);
    }
    return b;
  }

  /** A cell without events is low; otherwise the level is set by the exceedance probability. */
  static RiskLevel levelOf(long count, double exceedance, RiskProperties cfg) {
    if (count == 0) {
      return RiskLevel.LOW;
    }
    if (exceedance >= cfg.criticalProbability()) {
      return RiskLevel.CRITICAL;
    }
    if (exceedance >= cfg.highProbability()) {
      return RiskLevel.HIGH;
    }
    if (exceedance >= cfg.elevatedProbability()) {
      return RiskLevel.ELEVATED;
    }
    return RiskLevel.LOW;
  }

  /** Share of cells whose score is at most this one's (the top cell gets 1.0). */
  static double[] percentiles(double[] score) {
    double[] sorted = score.clone();
    Arrays.sort(sorted);
    double[] p = new double[score.length];
    for (int i = 0; i < score.length; i++) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] <= score[i]) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      p[i] = (double) lo / score.length;
    }
    return p;
  }

  private static double[] scaled(double[] v, double w) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * w;
    }
    return out;
  }
}
