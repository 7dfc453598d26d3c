package org.safegrid.server.risk;

/**
 * The self-exciting forecast's expectation for one live window: each grid cell's expected count, and
 * the negative binomial size the forecast was fitted with (its predictive distribution is NB with
 * that mean and size; the size was chosen on validation weeks, as the backtest chooses it, and is
 * taken to hold for the shorter live windows too).
 *
 * @param expected              expected count per grid cell in the window
 * @param negativeBinomialSize  the fitted size k (variance m + m²/k), positive
 */
public record ForecastBaseline(double[] expected, double negativeBinomialSize) {

  public ForecastBaseline {
    if (!(negativeBinomialSize > 0)) {
      throw new IllegalArgumentException("negative binomial size must be positive, got " + negativeBinomialSize);
    }
  }

  /** The same size with other expectations (the window's covariate term applied, a kind's share). */
  public ForecastBaseline withExpected(double[] other) {
    return new ForecastBaseline(other, negativeBinomialSize);
  }
}
