package org.safegrid.server.tiles;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Vector tiles ({@code safegrid.tiles.*}).
 *
 * @param maxEventsPerTile the most events one tile carries (the newest win)
 * @param eventWindow      the default time window of the events layer when a request names none
 * @param maxAge           how long a browser may cache a grid-cell tile
 */
@ConfigurationProperties("safegrid.tiles")
public record TileProperties(@DefaultValue("20000") int maxEventsPerTile, @DefaultValue("1h") Duration eventWindow,
                             @DefaultValue("5m") Duration maxAge) {

  public TileProperties {
    if (maxEventsPerTile < 1) {
      throw new IllegalArgumentException("safegrid.tiles.max-events-per-tile must be at least 1");
    }
  }
}
