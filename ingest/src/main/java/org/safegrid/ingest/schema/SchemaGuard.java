package org.safegrid.ingest.schema;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Refuses to run a build against a database whose schema is newer than the build: a replica or worker
 * of the previous release left running (or started again) after another one migrated the database.
 * Flyway by default ignores such "future" migrations and carries on; old code writing into a schema it
 * does not know can lose or corrupt data, so the process stops instead. Stateless.
 */
public final class SchemaGuard {

  private SchemaGuard() {
  }

  /** Throws {@link NewerSchemaException} when the database holds a migration this build does not know. */
  public static void refuseNewerSchema(Flyway flyway) {
    MigrationInfo[] all = flyway.info().all();
    Optional<MigrationInfo> newest = Arrays.stream(all)
        .filter(m -> m.getState().name().startsWith("FUTURE") && m.getVersion() != null)
        .max(Comparator.comparing(MigrationInfo::getVersion));
    if (newest.isEmpty()) {
      return;
    }
    String known = Arrays.stream(all).filter(m -> m.getVersion() != null && !m.getState().name().startsWith("FUTURE"))
        .map(MigrationInfo::getVersion).max(Comparator.naturalOrder()).map(MigrationVersion::getVersion)
        .orElse("none");
    MigrationInfo m = newest.get();
    throw new NewerSchemaException("The database schema is at version " + m.getVersion().getVersion() + " ('"
        + m.getDescription() + "', applied " + m.getInstalledOn() + "), newer than this SafeGrid build knows (its newest "
        + "migration is " + known + "). Refusing to start: code of an older release must not read or write a newer "
        + "schema. Run the release that migrated the database, or, to go back, restore a backup taken before the upgrade "
        + "(docs/operations.md, 'Upgrades').");
  }

  /** The database's schema is newer than this build. */
  public static final class NewerSchemaException extends IllegalStateException {
    public NewerSchemaException(String message) {
      super(message);
    }
  }
}
