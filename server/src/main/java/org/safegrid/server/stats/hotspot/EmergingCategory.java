package org.safegrid.server.stats.hotspot;

import com.fasterxml.jackson.annotation.JsonValue;

/** The 17 emerging hot/cold spot categories, plus "no neighbours" for cells that cannot be tested. */
public enum EmergingCategory {
  NEW_HOTSPOT, CONSECUTIVE_HOTSPOT, INTENSIFYING_HOTSPOT, PERSISTENT_HOTSPOT, DIMINISHING_HOTSPOT,
  SPORADIC_HOTSPOT, OSCILLATING_HOTSPOT, HISTORICAL_HOTSPOT,
  NEW_COLDSPOT, CONSECUTIVE_COLDSPOT, INTENSIFYING_COLDSPOT, PERSISTENT_COLDSPOT, DIMINISHING_COLDSPOT,
  SPORADIC_COLDSPOT, OSCILLATING_COLDSPOT, HISTORICAL_COLDSPOT,
  NO_PATTERN, NO_NEIGHBOURS;

  /** API name, e.g. {@code intensifying_hotspot}. */
  @JsonValue
  public String code() {
    return name().toLowerCase();
  }
}
