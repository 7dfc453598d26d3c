package org.safegrid.server.reference;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Reference-city loading ({@code safegrid.reference.*}).
 *
 * @param load             load the reference city (Huizhou) on start when no grid set exists yet
 * @param seed             seed of the synthetic layers (campuses, checkpoints, cameras)
 * @param coastalZoneMeters width of the coastal zone derived from the coastline, inland and seaward
 */
@ConfigurationProperties("safegrid.reference")
public record ReferenceProperties(@DefaultValue("true") boolean load, @DefaultValue("441300") long seed,
                                  @DefaultValue("1000") double coastalZoneMeters) {

  public ReferenceProperties {
    if (coastalZoneMeters <= 0 || coastalZoneMeters > 50_000) {
      throw new IllegalArgumentException("safegrid.reference.coastal-zone-meters must be in (0, 50000], was "
          + coastalZoneMeters);
    }
  }
}
