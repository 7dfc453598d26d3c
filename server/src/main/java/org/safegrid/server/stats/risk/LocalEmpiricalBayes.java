package org.safegrid.server.stats.risk;

import org.apache.commons.math3.distribution.GammaDistribution;

/**
 * Local empirical Bayes relative risks (Marshall 1991, "Mapping disease and mortality rates using
 * empirical Bayes estimators", Applied Statistics 40:283–294; the gamma–Poisson form of Clayton and
 * Kaldor 1987). Each cell's relative risk {@code r_i = y_i / E_i} (observed over the model's
 * expected count) is shrunk towards the relative risk of its neighbours, the more the less the cell
 * was exposed:
 *
 * <pre>
 *   prior of cell i      R_i ~ Gamma(shape m²/v, rate m/v)
 *                        m = Σ_N y / Σ_N E   (N: the neighbours of i, without i)
 *                        v = max(Σ_N E (r − m)² / Σ_N E − m / Ē_N, m² / 10)   (method of moments; floor: a prior worth at most 10 events)
 *   posterior            R_i | y_i ~ Gamma(m²/v + y_i, m/v + E_i)
 * </pre>
 *
 * A cell with little exposure (small E_i) keeps close to its neighbours' m instead of exploding to
 * y/E; a well-exposed cell keeps close to its own y/E. Cells without neighbours (or whose
 * neighbours expect nothing) are shrunk towards the whole map. Stateless.
 */
public final class LocalEmpiricalBayes {

  private LocalEmpiricalBayes() {}

  /**
   * One cell's shrunk relative risk.
   *
   * @param relativeRisk posterior mean of the cell's relative risk
   * @param lower        lower end of its central 95 % posterior interval
   * @param upper        upper end
   * @param priorMean    the neighbours' relative risk m it was shrunk towards
   */
  public record Estimate(double relativeRisk, double lower, double upper, double priorMean) {}

  /**
   * The shrinkage of every cell; {@link Prior#cell} computes one cell on demand (two gamma quantiles),
   * so a caller that shows a few cells does not pay for all of them.
   *
   * @param observed   events per cell
   * @param expected   the model's expected count per cell (≥ 0)
   * @param neighbours neighbour indices per cell
   */
  public static Prior of(double[] observed, double[] expected, int[][] neighbours) {
    int n = observed.length;
    if (expected.length != n || neighbours.length != n) {
      throw new IllegalArgumentException("observed, expected and neighbours must have one entry per cell");
    }
    double ySum = 0;
    double eSum = 0;
    for (int i = 0; i < n; i++) {
      ySum += observed[i];
      eSum += expected[i];
    }
    double globalMean = eSum > 0 ? ySum / eSum : 1;
    return new Prior(observed, expected, neighbours, globalMean, moments(observed, expected, null, globalMean, eSum));
  }

  /** The data and the map-wide prior (for cells without informative neighbours). Holds the arrays given, unchanged. */
  public static final class Prior {
    private final double[] observed;
    private final double[] expected;
    private final int[][] neighbours;
    private final double globalMean;
    private final double globalVar;

    private Prior(double[] observed, double[] expected, int[][] neighbours, double globalMean, double globalVar) {
      this.observed = observed;
      this.expected = expected;
      this.neighbours = neighbours;
      this.globalMean = globalMean;
      this.globalVar = globalVar;
    }

    /** Cell i's posterior relative risk. */
    public Estimate cell(int i) {
      double ny = 0;
      double ne = 0;
      for (int j : neighbours[i]) {
        ny += observed[j];
        ne += expected[j];
      }
      double m;
      double v;
      if (ne > 0 && ny > 0) {
        m = ny / ne;
        v = moments(observed, expected, neighbours[i], m, ne);
      } else {
        m = globalMean;
        v = globalVar;
      }
      m = Math.max(m, 1e-6);
      // the floor keeps the prior from outweighing a well-exposed cell when the neighbours agree exactly
      v = Math.max(v, m * m / 10);
      double shape = m * m / v + observed[i];
      double rate = m / v + expected[i];
      GammaDistribution g = new GammaDistribution(null, shape, 1 / rate);
      return new Estimate(shape / rate, g.inverseCumulativeProbability(0.025), g.inverseCumulativeProbability(0.975),
          m);
    }
  }

  /** Method-of-moments variance of the relative risks between cells, net of the Poisson noise. */
  private static double moments(double[] y, double[] e, int[] cells, double m, double eSum) {
    int count = cells == null ? y.length : cells.length;
    if (count == 0 || eSum <= 0) {
      return m * m;
    }
    double s = 0;
    for (int q = 0; q < count; q++) {
      int j = cells == null ? q : cells[q];
      if (e[j] > 0) {
        double r = y[j] / e[j];
        s += e[j] * (r - m) * (r - m);
      }
    }
    return s / eSum - m / (eSum / count);
  }
}
