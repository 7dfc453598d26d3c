package org.safegrid.server.patrol;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Patrol coverage and allocation ({@code safegrid.patrol.*}).
 *
 * @param coverDistanceMeters a unit within this distance of a place covers it
 * @param coverageWindow      how far back coverage looks; a place not covered in it is uncovered
 * @param riskWindow          how far back the fallback target source counts events
 * @param speedKmh            straight-line travel speed for plans
 * @param dwell               time a unit spends at each planned place
 * @param targetLimit         how many of the riskiest places coverage and plans consider
 * @param maxUnits            the most units one plan request may name
 */
@ConfigurationProperties("safegrid.patrol")
public record PatrolProperties(@DefaultValue("300") double coverDistanceMeters, @DefaultValue("8h") Duration coverageWindow,
                               @DefaultValue("24h") Duration riskWindow, @DefaultValue("30") double speedKmh,
                               @DefaultValue("15m") Duration dwell, @DefaultValue("200") int targetLimit,
                               @DefaultValue("500") int maxUnits) {

  public PatrolProperties {
    if (!(coverDistanceMeters > 0) || !(speedKmh > 0) || targetLimit < 1 || maxUnits < 1 || dwell.isNegative()) {
      throw new IllegalArgumentException("safegrid.patrol: cover-distance-meters, speed-kmh, target-limit and "
          + "max-units must be positive, dwell not negative");
    }
  }
}
