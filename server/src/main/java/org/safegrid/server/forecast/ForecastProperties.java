package org.safegrid.server.forecast;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the live self-exciting forecast ({@code safegrid.forecast.*}).
 *
 * @param enabled          run the live forecast (default true)
 * @param checkInterval    how often the refit loop looks whether a refit is due: the training days
 *                         moved (a new local day) or the active grid set changed (default PT10M)
 * @param trainingDays     whole local days of incidents before today that the model is fitted on
 *                         (default 365, the live scorecard's training year)
 * @param validationSteps  windows at the end of the training range on which the background bandwidth
 *                         and the negative binomial size are chosen, as the backtest does (default 1)
 * @param validationStep   length of one validation window (default P7D)
 * @param cellSizeMeters   side of the forecast's square cells; 0 (default) = the active grid's
 *                         typical cell size √(area ÷ cells), as the live scorecard uses
 */
@ConfigurationProperties("safegrid.forecast")
public record ForecastProperties(Boolean enabled, Duration checkInterval, Integer trainingDays,
                                 Integer validationSteps, Duration validationStep, Double cellSizeMeters) {

  public ForecastProperties {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    checkInterval = checkInterval == null ? Duration.ofMinutes(10) : checkInterval;
    trainingDays = trainingDays == null ? 365 : trainingDays;
    validationSteps = validationSteps == null ? 1 : validationSteps;
    validationStep = validationStep == null ? Duration.ofDays(7) : validationStep;
    cellSizeMeters = cellSizeMeters == null ? 0.0 : cellSizeMeters;
    if (trainingDays < 28) {
      throw new IllegalArgumentException("safegrid.forecast.training-days must be at least 28, got " + trainingDays);
    }
    if (validationSteps < 1 || validationStep.isNegative() || validationStep.isZero()) {
      throw new IllegalArgumentException("safegrid.forecast.validation-steps must be at least 1 and "
          + "safegrid.forecast.validation-step positive");
    }
    if (cellSizeMeters < 0 || checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.forecast.cell-size-meters must be at least 0 and "
          + "safegrid.forecast.check-interval positive");
    }
  }

  /** The documented defaults. */
  public static ForecastProperties defaults() {
    return new ForecastProperties(null, null, null, null, null, null);
  }

  /** The fit settings for a grid whose typical cell side is {@code gridCellMeters}. */
  LiveForecast.Settings settings(double gridCellMeters) {
    return new LiveForecast.Settings(trainingDays, validationSteps, validationStep,
        cellSizeMeters > 0 ? cellSizeMeters : gridCellMeters);
  }
}
