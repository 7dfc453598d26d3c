package org.safegrid.server.security;

/** The roles of SafeGrid users. Spring authorities carry them as {@code ROLE_<name>}. */
public enum Role {
  /** Command center: reads maps, events, risk, hotspots, alerts. */
  VIEWER,
  /** Patrol planner: reads everything a viewer does, plans patrols, exports. */
  PLANNER,
  /** GIS officer: uploads and activates grid sets and overlays. */
  GIS_ADMIN,
  /** A system that pushes events over HTTP. */
  INGEST,
  /** Reads the audit trail. */
  AUDITOR,
  /** Everything, including user administration. */
  ADMIN,
  /**
   * Reads {@code /actuator/prometheus} only. Held by the scrape token ({@link ScrapeToken}), never by a
   * user account.
   */
  METRICS;

  /** Whether a user account may hold this role ({@link #METRICS} belongs to the scrape token). */
  public boolean forPeople() {
    return this != METRICS;
  }

  /** The roles a user account may hold. */
  public static java.util.List<Role> people() {
    return java.util.Arrays.stream(values()).filter(Role::forPeople).toList();
  }

  /** Refuses a role no user account may hold, with the reason. */
  public static void requireForPeople(java.util.Collection<Role> roles) {
    for (Role r : roles) {
      if (!r.forPeople()) {
        throw new IllegalArgumentException("role " + r + " belongs to the metrics scrape token and cannot be given to "
            + "a user account");
      }
    }
  }
}
