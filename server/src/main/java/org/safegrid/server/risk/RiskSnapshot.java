package org.safegrid.server.risk;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.safegrid.server.stats.risk.ExceedanceProbability;
import org.safegrid.server.stats.risk.LocalEmpiricalBayes;

/**
 * An immutable picture of grid risk for every live window at one instant. Published by the
 * engine's single writer and read by any number of request threads without locks.
 *
 * @param asOf    the engine clock when it was taken
 * @param grid    the grid it scores
 * @param windows one entry per live window
 */
public record RiskSnapshot(Instant asOf, GridModel grid, List<WindowScores> windows) {

  /** The scores of a live window, if the engine keeps it. */
  public Optional<WindowScores> findWindow(Duration window) {
    return windows.stream().filter(w -> w.window().equals(window)).findFirst();
  }

  /** One contribution to a cell's score: an event kind ({@code kind:source:kind}), "other kinds", or an environmental factor. */
  public record Contribution(String factor, double value) {}

  /**
   * A relative risk estimated by the environment model ({@link EnvironmentModel}) with its 95 %
   * interval: per unit of a covariate ({@code value} is the cell's exposure to it), or the cell's own
   * relative risk against its expected count, shrunk towards its neighbours (then {@code value} is
   * the expected count).
   */
  public record RelativeRisk(String factor, double value, double relativeRisk, double lower, double upper) {}

  /**
   * The scored cell: score, breakdown (sums to the score), rank, level and interval; {@code baseline}
   * is the count its own baseline predicts for the window (the environment model's expected count
   * when it is fitted) and {@code exceedance} the probability that its rate is above that baseline,
   * which sets the level. {@code relativeRisks} are the learned relative risks of the covariates
   * present in the cell, {@code cellRelativeRisk} its own (null without a fitted model);
   * {@code predictedLower..predictedUpper} the central 95 % interval of the count its baseline
   * predicts ({@link ExceedanceProbability#predictiveInterval}), which the map's hatching uses.
   */
  public record CellRisk(int cell, double score, double eventTerm, long events, List<Contribution> breakdown,
                         double percentile, RiskLevel level, double lower, double upper, double coverageHours,
                         Double normalized, double baseline, double exceedance, List<RelativeRisk> relativeRisks,
                         RelativeRisk cellRelativeRisk, int predictedLower, int predictedUpper) {}

  /**
   * Scores of one window over all cells (index = cell index of the grid). Arrays are owned by the
   * snapshot and never modified.
   */
  public record WindowScores(Duration window, Duration halfLife, List<String> kinds, double[] perKind,
                             int[] perKindCount, double[] pingMinutes, boolean[] kindMask,
                             List<String> factors, List<double[]> factorContributions, double[] eventTerm,
                             long[] events, double[] score, double[] percentile, RiskLevel[] level, double[] lower,
                             double[] upper, double[] coverageHours, double[] normalized, GridModel grid,
                             RiskProperties cfg, CellEnvironment env, int[] refCount, Duration refWindow,
                             double[] baseline, double[] exceedance, EnvironmentModel environment,
                             double[][] exposure, int[][] neighbours, LocalEmpiricalBayes.Prior cellPrior,
                             double[] forecast) {

    /** Number of kinds listed in a breakdown before the rest is summed as "other kinds". */
    public static final int TOP_KINDS = 3;

    /**
     * The same window counting only events whose kind (or {@code source:kind}) is in {@code wanted};
     * percentiles, baselines and levels are recomputed for those kinds. An empty collection means all kinds.
     */
    public WindowScores restrictKinds(Collection<String> wanted) {
      if (wanted == null || wanted.isEmpty()) {
        return this;
      }
      boolean[] mask = new boolean[kinds.size()];
      for (int k = 0; k < mask.length; k++) {
        String key = kinds.get(k);
        String kindOnly = key.substring(key.indexOf(':') + 1);
        mask[k] = wanted.contains(key) || wanted.contains(kindOnly);
      }
      return RiskScoring.score(grid, cfg, env, window, halfLife, kinds, perKind, perKindCount, pingMinutes,
          mask, refCount, refWindow, environment, exposure, neighbours, forecast);
    }

    public int size() {
      return score.length;
    }

    /** The scored cell with its breakdown. */
    public CellRisk cell(int c) {
      int nk = kinds.size();
      List<Contribution> kindParts = new ArrayList<>();
      for (int k = 0; k < nk; k++) {
        double v = perKind[c * nk + k];
        if ((kindMask == null || kindMask[k]) && v > 0) {
          kindParts.add(new Contribution("kind:" + kinds.get(k), v));
        }
      }
      kindParts.sort(Comparator.comparingDouble(Contribution::value).reversed());
      List<Contribution> out = new ArrayList<>();
      double listed = 0;
      for (int i = 0; i < Math.min(TOP_KINDS, kindParts.size()); i++) {
        out.add(kindParts.get(i));
        listed += kindParts.get(i).value();
      }
      if (kindParts.size() > TOP_KINDS) {
        // the remainder is taken from the cell's event term so that the parts add up exactly
        out.add(new Contribution("other kinds", eventTerm[c] - listed));
      }
      for (int f = 0; f < factors.size(); f++) {
        double v = factorContributions.get(f)[c];
        if (v != 0) {
          out.add(new Contribution(factors.get(f), v));
        }
      }
      int[] predicted = ExceedanceProbability.predictiveInterval(baseline[c], cfg.baselinePriorWindows(), 0.95);
      List<RelativeRisk> rr = environment == null ? List.of() : environment.relativeRisks(env, c);
      RelativeRisk own = null;
      if (cellPrior != null) {
        LocalEmpiricalBayes.Estimate e = cellPrior.cell(c);
        own = new RelativeRisk("cell (empirical Bayes)", baseline[c], e.relativeRisk(), e.lower(), e.upper());
      }
      return new CellRisk(c, score[c], eventTerm[c], events[c], List.copyOf(out), percentile[c], level[c], lower[c],
          upper[c], coverageHours[c], Double.isNaN(normalized[c]) ? null : normalized[c], baseline[c], exceedance[c],
          rr, own, predicted[0], predicted[1]);
    }
  }
}
