package org.safegrid.server.stats.risk;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Ridge-penalised Poisson regression with a log link and an offset, fitted by iteratively
 * reweighted least squares:
 *
 * <pre>
 *   y_i ~ Poisson(μ_i),   log μ_i = o_i + β₀ + Σ_j β_j x_ij          (o_i = log exposure)
 *   maximise  ℓ(β) − (λ/2) Σ_{j ≥ 1} β_j²                              (the intercept is not penalised)
 *   IRLS step: (XᵀWX + λP) β = XᵀW z,   W = diag(μ),  z = η − o + (y − μ)/μ
 * </pre>
 *
 * With λ = 0 it is R's {@code glm(y ~ x + offset(o), family = poisson)}. Standard errors are the
 * square roots of the diagonal of {@code (XᵀWX + λP)⁻¹} at the estimate: the usual Wald standard
 * errors when λ = 0, and the Laplace approximation of the posterior under the Gaussian prior
 * β_j ~ N(0, 1/λ) that the ridge penalty is otherwise. {@code exp(β_j)} is the relative risk of one
 * unit of covariate j, all else equal. Stateless.
 */
public final class PoissonRegression {

  private static final int MAX_ITERATIONS = 50;

  private PoissonRegression() {}

  /**
   * A fitted model. Arrays are owned by the record.
   *
   * @param names          covariate names, {@code names[0] = "(intercept)"}
   * @param coefficients   β, the intercept first
   * @param standardErrors their standard errors (see the class comment)
   * @param ridge          λ
   * @param iterations     IRLS iterations run
   * @param deviance       Poisson deviance at the estimate
   * @param rows           rows fitted
   * @param events         Σ y
   */
  public record Fit(String[] names, double[] coefficients, double[] standardErrors, double ridge, int iterations,
                    double deviance, int rows, double events) {

    /** Relative risk of one unit of covariate j: exp(β_j). */
    public double relativeRisk(int j) {
      return Math.exp(coefficients[j]);
    }

    /** Central interval of the relative risk at {@code level} (e.g. 0.95): exp(β_j ± z·se_j). */
    public double[] relativeRiskInterval(int j, double level) {
      double z = Normal.quantile(0.5 + level / 2);
      return new double[] {Math.exp(coefficients[j] - z * standardErrors[j]),
          Math.exp(coefficients[j] + z * standardErrors[j])};
    }

    /** Expected count of one row: exp(offset + β₀ + Σ β_j x_j). */
    public double expected(double[] x, double offset) {
      double eta = offset + coefficients[0];
      for (int j = 0; j < x.length; j++) {
        eta += coefficients[j + 1] * x[j];
      }
      return Math.exp(eta);
    }
  }

  /**
   * Fits the model.
   *
   * @param names   covariate names (without the intercept), one per column of {@code x}
   * @param x       covariates, one row per observation (without the intercept column)
   * @param y       counts (≥ 0)
   * @param offset  log exposure per row, or null for none
   * @param ridge   λ ≥ 0
   * @throws IllegalArgumentException on mismatched lengths, negative counts, no events, or a
   *         design that cannot be fitted (a covariate constant or collinear without a penalty)
   */
  public static Fit fit(String[] names, double[][] x, double[] y, double[] offset, double ridge) {
    int n = y.length;
    int p = names.length + 1;
    if (x.length != n || (offset != null && offset.length != n)) {
      throw new IllegalArgumentException("x, y and offset must have one entry per row (" + n + " counts, "
          + x.length + " rows" + (offset == null ? "" : ", " + offset.length + " offsets") + ")");
    }
    if (!(ridge >= 0)) {
      throw new IllegalArgumentException("ridge penalty must be ≥ 0, got " + ridge);
    }
    double events = 0;
    double exposure = 0;
    for (int i = 0; i < n; i++) {
      if (x[i].length != p - 1) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length + " covariates, expected " + (p - 1));
      }
      if (!(y[i] >= 0)) {
        throw new IllegalArgumentException("row " + i + ": count " + y[i] + " is not a count");
      }
      events += y[i];
      exposure += offset == null ? 1 : Math.exp(offset[i]);
    }
    if (events == 0) {
      throw new IllegalArgumentException("no events in " + n + " rows: the rates cannot be estimated");
    }
    double[] beta = new double[p];
    beta[0] = Math.log(events / exposure);
    double deviance = Double.POSITIVE_INFINITY;
    int it = 0;
    DecompositionSolver solver = null;
    for (; it < MAX_ITERATIONS; it++) {
      double[][] a = new double[p][p];
      double[] rhs = new double[p];
      double[] row = new double[p];
      row[0] = 1;
      for (int i = 0; i < n; i++) {
        System.arraycopy(x[i], 0, row, 1, p - 1);
        double o = offset == null ? 0 : offset[i];
        double eta = o;
        for (int j = 0; j < p; j++) {
          eta += beta[j] * row[j];
        }
        double mu = Math.exp(eta);
        double z = eta - o + (y[i] - mu) / mu;
        for (int j = 0; j < p; j++) {
          double wj = mu * row[j];
          rhs[j] += wj * z;
          for (int k = 0; k <= j; k++) {
            a[j][k] += wj * row[k];
          }
        }
      }
      for (int j = 0; j < p; j++) {
        for (int k = j + 1; k < p; k++) {
          a[j][k] = a[k][j];
        }
        if (j > 0) {
          a[j][j] += ridge;
        }
      }
      try {
        solver = new CholeskyDecomposition(new Array2DRowRealMatrix(a, false), 1e-12, 1e-12).getSolver();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("the covariates " + Arrays.toString(names) + " cannot be separated ("
            + "a constant or collinear column); use a ridge penalty > 0 or drop the column", e);
      }
      double[] next = solver.solve(new org.apache.commons.math3.linear.ArrayRealVector(rhs, false)).toArray();
      double dev = deviance(names.length, x, y, offset, next);
      beta = next;
      boolean done = Math.abs(dev - deviance) < 1e-10 * (Math.abs(dev) + 0.1);
      deviance = dev;
      if (done) {
        it++;
        break;
      }
    }
    // the covariance at the final estimate
    double[][] a = information(x, offset, beta, ridge);
    RealMatrix cov = new CholeskyDecomposition(new Array2DRowRealMatrix(a, false), 1e-12, 1e-12).getSolver()
        .getInverse();
    double[] se = new double[p];
    for (int j = 0; j < p; j++) {
      se[j] = Math.sqrt(cov.getEntry(j, j));
    }
    String[] all = new String[p];
    all[0] = "(intercept)";
    System.arraycopy(names, 0, all, 1, p - 1);
    return new Fit(all, beta, se, ridge, it, deviance, n, events);
  }

  private static double[][] information(double[][] x, double[] offset, double[] beta, double ridge) {
    int p = beta.length;
    double[][] a = new double[p][p];
    double[] row = new double[p];
    row[0] = 1;
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, row, 1, p - 1);
      double eta = offset == null ? 0 : offset[i];
      for (int j = 0; j < p; j++) {
        eta += beta[j] * row[j];
      }
      double mu = Math.exp(eta);
      for (int j = 0; j < p; j++) {
        for (int k = 0; k <= j; k++) {
          a[j][k] += mu * row[j] * row[k];
        }
      }
    }
    for (int j = 0; j < p; j++) {
      for (int k = j + 1; k < p; k++) {
        a[j][k] = a[k][j];
      }
      if (j > 0) {
        a[j][j] += ridge;
      }
    }
    return a;
  }

  private static double deviance(int q, double[][] x, double[] y, double[] offset, double[] beta) {
    double d = 0;
    for (int i = 0; i < y.length; i++) {
      double eta = (offset == null ? 0 : offset[i]) + beta[0];
      for (int j = 0; j < q; j++) {
        eta += beta[j + 1] * x[i][j];
      }
      double mu = Math.exp(eta);
      d += 2 * ((y[i] > 0 ? y[i] * Math.log(y[i] / mu) : 0) - (y[i] - mu));
    }
    return d;
  }

  /** Standard normal quantiles (commons-math). */
  static final class Normal {
    private static final org.apache.commons.math3.distribution.NormalDistribution N =
        new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1);

    static double quantile(double p) {
      return N.inverseCumulativeProbability(p);
    }
  }
}
