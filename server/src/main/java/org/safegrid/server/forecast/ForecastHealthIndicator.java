package org.safegrid.server.forecast;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health detail of the live forecast ({@code riskForecast}): always UP (a city without enough
 * incidents to fit is not an outage; risk levels keep their own baselines), with the state
 * ({@code waiting}, {@code fitting}, {@code fitted}, {@code not_fitted} and why), the fit's time,
 * duration, training events, parameters per category and the categories on the fallback baseline.
 */
@Component("riskForecastHealthIndicator")
class ForecastHealthIndicator implements HealthIndicator {

  private final LiveForecastService forecast;

  ForecastHealthIndicator(LiveForecastService forecast) {
    this.forecast = forecast;
  }

  @Override
  public Health health() {
    return Health.up().withDetails(forecast.describe()).build();
  }
}
