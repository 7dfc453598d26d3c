package org.safegrid.server.alert;

import java.util.Locale;

/** How urgent an alert is; each severity has its own acknowledgement deadline. */
public enum AlertSeverity {
  LOW, MEDIUM, HIGH, CRITICAL;

  /** The name in the API and the database: lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; throws IllegalArgumentException naming the allowed values. */
  public static AlertSeverity parse(String text) {
    for (AlertSeverity s : values()) {
      if (s.wireName().equalsIgnoreCase(text)) {
        return s;
      }
    }
    throw new IllegalArgumentException("severity '" + text + "' is not one of low, medium, high, critical");
  }
}
