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
  ADMIN
}
