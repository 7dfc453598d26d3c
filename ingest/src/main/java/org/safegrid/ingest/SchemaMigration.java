package org.safegrid.ingest;

import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the schema up to date as the owner role ({@code ./safegrid migrate}, the compose stack's
 * {@code migrate} service, and standalone tools that are given the owner's credentials). The server
 * and the workers connect as roles that may not change the schema (docs/security.md, "Database roles").
 *
 * <p>Environment: {@code SAFEGRID_DB_URL}, {@code SAFEGRID_DB_MIGRATOR_USER} (default {@code safegrid}),
 * {@code SAFEGRID_DB_MIGRATOR_PASSWORD}.
 */
public final class SchemaMigration {

  private SchemaMigration() {
  }

  /**
   * Migrates with the owner's credentials when {@code SAFEGRID_DB_MIGRATOR_USER} is set; otherwise does
   * nothing (the schema is migrated by the server or by {@code ./safegrid migrate}).
   *
   * @return the migrations applied, or -1 when no owner credentials were given
   */
  public static int migrateIfConfigured(String url, Map<String, String> env) {
    String user = env.get("SAFEGRID_DB_MIGRATOR_USER");
    if (user == null || user.isBlank()) {
      return -1;
    }
    return migrate(url, user, env.getOrDefault("SAFEGRID_DB_MIGRATOR_PASSWORD", ""));
  }

  /** Migrates as {@code user}; returns the number of migrations applied. */
  public static int migrate(String url, String user, String password) {
    MigrateResult result = Flyway.configure().dataSource(url, user, password).load().migrate();
    return result.migrationsExecuted;
  }

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    String url = env.get("SAFEGRID_DB_URL");
    if (url == null || url.isBlank()) {
      System.err.println("migrate: SAFEGRID_DB_URL is not set (and SAFEGRID_DB_MIGRATOR_USER, "
          + "SAFEGRID_DB_MIGRATOR_PASSWORD: the owner role)");
      System.exit(2);
    }
    int applied = migrate(url, env.getOrDefault("SAFEGRID_DB_MIGRATOR_USER", "safegrid"),
        env.getOrDefault("SAFEGRID_DB_MIGRATOR_PASSWORD", ""));
    System.out.println("{\"migrationsApplied\":" + applied + "}");
  }
}
