package org.safegrid.server.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.schema.SchemaGuard;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.SafeGridApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

/**
 * A server started against a database that a newer release has already migrated refuses to start and
 * says why, instead of running old code on a schema it does not know (Flyway alone would ignore the
 * unknown migration and carry on).
 */
class NewerSchemaRefusedTest {

  @Test
  void aServerOnASchemaOfANewerReleaseRefusesToStartAndNamesBothVersions() throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("NewerSchemaRefusedTest");
    assertThatCode(() -> SchemaGuard.refuseNewerSchema(flyway(db))).doesNotThrowAnyException();
    String newest;
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      // the newest migration this build applied to the fresh database
      try (var rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL "
          + "ORDER BY installed_rank DESC LIMIT 1")) {
        rs.next();
        newest = rs.getString(1);
      }
      // what the next release's migration leaves behind
      st.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
          + "installed_by, execution_time, success) SELECT max(installed_rank) + 1, '999.1', 'from the future', 'SQL', "
          + "'V999_1__from_the_future.sql', 1, current_user, 1, true FROM flyway_schema_history");
    }

    // command-line arguments, as an operator starts it (they outrank application.yml)
    Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(SafeGridApplication.class).run(
        "--server.port=0", "--spring.datasource.url=" + db.jdbcUrl(), "--spring.datasource.username=" + db.user(),
        "--spring.datasource.password=" + db.password(), "--safegrid.ingest.enabled=false",
        "--safegrid.reference.load=false", "--server.servlet.session.persistent=false").close());

    assertThat(failure).as("the server started on a newer schema").isNotNull();
    Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
    assertThat(root).isInstanceOf(SchemaGuard.NewerSchemaException.class);
    assertThat(root.getMessage()).contains("schema is at version 999.1", "from the future",
        "newer than this SafeGrid build knows", "its newest migration is " + newest + ")", "Refusing to start");
    // nothing was migrated or changed on the way
    try (Connection c = db.connect(); Statement st = c.createStatement();
         var rs = st.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE NOT success")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  @Test
  void aReplicaThatDoesNotMigrateStillRefusesANewerSchemaReadingTheHistoryAsItsOwnRole() throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("NewerSchemaRefusedReplicaTest");
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
          + "installed_by, execution_time, success) SELECT max(installed_rank) + 1, '999.3', 'from the future', 'SQL', "
          + "'V999_3__from_the_future.sql', 1, current_user, 1, true FROM flyway_schema_history");
    }
    // as the compose stack starts a replica: the application role, migrations left to the migrate step
    Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(SafeGridApplication.class).run(
        "--server.port=0", "--spring.datasource.url=" + db.jdbcUrl(),
        "--spring.datasource.username=" + DbRole.APP.roleName(), "--spring.datasource.password=" + DbRole.APP.password(),
        "--spring.flyway.enabled=false", "--safegrid.ingest.enabled=false", "--safegrid.reference.load=false",
        "--server.servlet.session.persistent=false").close());

    assertThat(failure).as("the replica started on a newer schema").isNotNull();
    Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
    assertThat(root).isInstanceOf(SchemaGuard.NewerSchemaException.class);
    assertThat(root.getMessage()).contains("schema is at version 999.3", "Refusing to start");
  }

  private static Flyway flyway(TestDatabase db) {
    return Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).load();
  }
}
