package org.safegrid.server.alert;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the alert rules follow the spatial engine ({@code safegrid.alerts.engine-watch.*}).
 *
 * @param enabled          watch risk levels and emerging hotspots at all
 * @param riskInterval     how often cell risk levels are compared with the previous look
 * @param riskWindow       the risk window judged ({@code 1h}, {@code 24h}, {@code 7d})
 * @param emergingInterval how often the emerging-hotspot analysis runs
 * @param emergingBin      its time bin
 * @param emergingBins     its number of bins
 */
@ConfigurationProperties("safegrid.alerts.engine-watch")
public record EngineWatchProperties(@DefaultValue("true") boolean enabled, @DefaultValue("30s") Duration riskInterval,
                                    @DefaultValue("24h") String riskWindow,
                                    @DefaultValue("10m") Duration emergingInterval,
                                    @DefaultValue("1h") Duration emergingBin, @DefaultValue("24") int emergingBins) {

  public EngineWatchProperties {
    if (riskInterval.isNegative() || riskInterval.isZero() || emergingInterval.isNegative() || emergingInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.alerts.engine-watch intervals must be positive");
    }
    if (emergingBins < 10 || emergingBins > 400) {
      throw new IllegalArgumentException("safegrid.alerts.engine-watch.emerging-bins must be in 10..400 (emerging hot spots need at least 10 time bins)");
    }
  }
}
