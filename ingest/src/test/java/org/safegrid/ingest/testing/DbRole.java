package org.safegrid.ingest.testing;

/**
 * The database roles of a SafeGrid deployment, as the test cluster sets them up (docs/security.md,
 * "Database roles"): each test database is owned by {@link #OWNER}, which runs the migrations; the
 * server connects as {@link #APP}, ingest workers as {@link #INGEST}. The cluster's administrator
 * ({@link TestDatabase#user()}, a superuser) is what fixtures use to shape data behind the
 * application's back.
 */
public enum DbRole {
  /** Owns the schema and runs Flyway; never serves requests. */
  OWNER("safegrid"),
  /** The server: no DDL, SELECT and INSERT only on {@code audit_event}. */
  APP("safegrid_app"),
  /** Ingest workers: insert and read the event tables, nothing else. */
  INGEST("safegrid_ingest");

  private final String roleName;

  DbRole(String roleName) {
    this.roleName = roleName;
  }

  public String roleName() {
    return roleName;
  }

  /** The role's password on the test cluster (only host connections of a container check it). */
  public String password() {
    return roleName + "-test";
  }
}
