package org.safegrid.server.risk;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The level of a cell's risk: by the probability that its rate in the window exceeds its own
 * baseline ({@code safegrid.risk.*-probability}), never by its rank among cells.
 */
public enum RiskLevel {
  LOW, ELEVATED, HIGH, CRITICAL;

  @JsonValue
  public String code() {
    return name().toLowerCase();
  }
}
