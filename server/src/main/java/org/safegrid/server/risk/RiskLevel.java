package org.safegrid.server.risk;

import com.fasterxml.jackson.annotation.JsonValue;

/** The level of a cell's risk, by its percentile rank in the city. */
public enum RiskLevel {
  LOW, ELEVATED, HIGH, CRITICAL;

  @JsonValue
  public String code() {
    return name().toLowerCase();
  }
}
