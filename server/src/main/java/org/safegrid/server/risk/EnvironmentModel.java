package org.safegrid.server.risk;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.safegrid.server.stats.risk.PoissonRegression;

/**
 * The learned environment of the live grid: a ridge-penalised Poisson regression of the events per
 * cell and hour class (school hours, night, other hours; see {@link #hourClass}) on the environmental
 * covariates, with the log of the cell's exposure as an offset, fitted on the engine's reference
 * window (the longest live window, 7 days by default).
 *
 * <pre>
 *   y_{c,k} ~ Poisson(X_{c,k} · exp(β₀ + Σ_j β_j x_{c,k,j}))
 *   X_{c,k} = Σ_{hours h of class k} (1 + cameras_c + patrol hours_{c,h})      (exposure, observer-hours)
 *   x: campus × school hours, campus × night, campus × other hours,
 *      coastal zone × night, coastal zone × day, checkpoints
 * </pre>
 *
 * Rows with the same covariates are summed (counts and exposures): for a Poisson model that is the
 * same likelihood as one row per cell-hour, at 3 rows per cell. The expected count of a cell in any
 * window is then {@code Σ_h exposure_{c,h} · exp(β · x_{c,class(h)})}: the cell's own baseline, from
 * its environment and how well it was watched, which sets its risk level.
 *
 * <p>Patrol presence is exposure, not a covariate: more patrol hours in a cell raise the count the
 * model expects there, so events found by patrols where patrols go do not raise the cell's
 * estimated risk or level (the runaway loop of Ensign et al. 2018). Immutable.
 */
final class EnvironmentModel {

  static final String[] COVARIATES = {"campus:school_hours", "campus:night", "campus:other_hours",
      "coastal_zone:night", "coastal_zone:day", "checkpoints"};
  static final int SCHOOL = 0;
  static final int NIGHT = 1;
  static final int OTHER = 2;
  static final int CLASSES = 3;
  /** Ridge penalty λ: a N(0, 1) prior on each log relative risk (a relative risk of e^±2 is a 95 % prior range). */
  static final double RIDGE = 1.0;
  /** Fewer events than this in the reference window: no model, the cells' own recent history is the baseline. */
  static final int MIN_EVENTS = 50;

  private final PoissonRegression.Fit fit;
  /** exp(β · x) per hour class and cell: events per observer-hour. */
  private final double[][] ratePerExposure;

  private EnvironmentModel(PoissonRegression.Fit fit, double[][] ratePerExposure) {
    this.fit = fit;
    this.ratePerExposure = ratePerExposure;
  }

  PoissonRegression.Fit fit() {
    return fit;
  }

  /** The hour class of the hour starting at {@code hourStartMs}, local time: school hours (07–17, Mon–Fri), night (20–06), other. */
  static int hourClass(long hourStartMs, ZoneId zone) {
    ZonedDateTime z = Instant.ofEpochMilli(hourStartMs).atZone(zone);
    int h = z.getHour();
    if (h >= 20 || h < 6) {
      return NIGHT;
    }
    boolean weekday = z.getDayOfWeek() != DayOfWeek.SATURDAY && z.getDayOfWeek() != DayOfWeek.SUNDAY;
    return weekday && h >= 7 && h < 17 ? SCHOOL : OTHER;
  }

  static double[] covariates(CellEnvironment env, int c, int cls) {
    double campus = env.campus()[c];
    double coastal = env.coastal()[c];
    return new double[] {cls == SCHOOL ? campus : 0, cls == NIGHT ? campus : 0, cls == OTHER ? campus : 0,
        cls == NIGHT ? coastal : 0, cls == NIGHT ? 0 : coastal, env.checkpoint()[c]};
  }

  /**
   * Fits the model, or empty when there are fewer than {@link #MIN_EVENTS} events.
   *
   * @param counts   events per hour class and cell in the reference window
   * @param exposure observer-hours per hour class and cell in the reference window
   */
  static Optional<EnvironmentModel> fit(CellEnvironment env, double[][] counts, double[][] exposure) {
    int n = env.campus().length;
    List<double[]> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<Double> off = new ArrayList<>();
    double events = 0;
    for (int k = 0; k < CLASSES; k++) {
      for (int c = 0; c < n; c++) {
        if (exposure[k][c] > 0) {
          x.add(covariates(env, c, k));
          y.add(counts[k][c]);
          off.add(Math.log(exposure[k][c]));
          events += counts[k][c];
        }
      }
    }
    if (events < MIN_EVENTS) {
      return Optional.empty();
    }
    PoissonRegression.Fit f = PoissonRegression.fit(COVARIATES, x.toArray(new double[0][]),
        y.stream().mapToDouble(Double::doubleValue).toArray(), off.stream().mapToDouble(Double::doubleValue).toArray(),
        RIDGE);
    double[][] rate = new double[CLASSES][n];
    for (int k = 0; k < CLASSES; k++) {
      for (int c = 0; c < n; c++) {
        rate[k][c] = f.expected(covariates(env, c, k), 0);
      }
    }
    return Optional.of(new EnvironmentModel(f, rate));
  }

  /** Expected count of every cell given its observer-hours per hour class in a window. */
  double[] expected(double[][] exposure) {
    int n = ratePerExposure[0].length;
    double[] e = new double[n];
    for (int k = 0; k < CLASSES; k++) {
      for (int c = 0; c < n; c++) {
        e[c] += ratePerExposure[k][c] * exposure[k][c];
      }
    }
    return e;
  }

  /** The relative risks of the covariates present in cell c (value > 0), with 95 % intervals. */
  List<RiskSnapshot.RelativeRisk> relativeRisks(CellEnvironment env, int c) {
    List<RiskSnapshot.RelativeRisk> out = new ArrayList<>();
    double[] any = new double[COVARIATES.length];
    for (int k = 0; k < CLASSES; k++) {
      double[] v = covariates(env, c, k);
      for (int j = 0; j < v.length; j++) {
        any[j] = Math.max(any[j], v[j]);
      }
    }
    for (int j = 0; j < COVARIATES.length; j++) {
      if (any[j] > 0) {
        double[] ci = fit.relativeRiskInterval(j + 1, 0.95);
        out.add(new RiskSnapshot.RelativeRisk(COVARIATES[j], any[j], fit.relativeRisk(j + 1), ci[0], ci[1]));
      }
    }
    return out;
  }
}
