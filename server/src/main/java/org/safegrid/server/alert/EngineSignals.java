package org.safegrid.server.alert;

import java.time.Instant;

/**
 * Spring application events the spatial engine publishes and the alert rules listen to. Until the
 * engine publishes them itself, anything may publish them through Spring's
 * {@code ApplicationEventPublisher}.
 */
public final class EngineSignals {

  private EngineSignals() {
  }

  /**
   * The risk level of a grid cell changed.
   *
   * @param cellCode      code of the cell in the active grid set
   * @param previousLevel low, elevated, high, critical (null if unknown)
   * @param level         the new level
   * @param lon           a point in the cell (WGS84)
   * @param lat           a point in the cell (WGS84)
   * @param at            when the new level was computed
   */
  public record RiskLevelChanged(String cellCode, String previousLevel, String level, double lon, double lat,
                                 Instant at) {
  }

  /**
   * An emerging-hotspot classification changed.
   *
   * @param hotspotId          stable id of the hotspot (or its cell)
   * @param previousCategory   previous category, or null
   * @param category           new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical
   * @param lon                centre (WGS84)
   * @param lat                centre (WGS84)
   * @param at                 when classified
   */
  public record EmergingHotspotChanged(String hotspotId, String previousCategory, String category, double lon,
                                       double lat, Instant at) {
  }
}
