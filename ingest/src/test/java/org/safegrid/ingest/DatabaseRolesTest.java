package org.safegrid.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * The least-privilege roles on a real PostgreSQL (docs/security.md, "Database roles"): connected with the
 * server's credentials, the audit trail cannot be switched off, deleted or rewritten and nothing can be
 * created; what the server and the workers do at run time still works; the owner's later tables come
 * with the server's grants.
 */
@ExtendWith(PostgisExtension.class)
class DatabaseRolesTest {

  private static final String EVENT = "INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) "
      + "VALUES ('%s', 'camera', 'CAM-1', 'intrusion', 2, now(), ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))";

  @Test
  void theServersRoleCannotDisableTheAuditTriggersNorDeleteOrRewriteTheTrail(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(DbRole.APP); Statement st = c.createStatement()) {
      st.execute("INSERT INTO audit_event (username, action, outcome) VALUES ('admin', 'test.roles', 'success')");
      assertThatThrownBy(() -> st.execute("ALTER TABLE audit_event DISABLE TRIGGER ALL"))
          .hasMessageContaining("must be owner of table audit_event");
      assertThatThrownBy(() -> st.execute("DELETE FROM audit_event"))
          .hasMessageContaining("permission denied for table audit_event");
      assertThatThrownBy(() -> st.execute("UPDATE audit_event SET outcome = 'failure'"))
          .hasMessageContaining("permission denied for table audit_event");
      assertThatThrownBy(() -> st.execute("TRUNCATE audit_event"))
          .hasMessageContaining("permission denied for table audit_event");
      assertThatThrownBy(() -> st.execute("DROP TABLE audit_event")).hasMessageContaining("must be owner");
      assertThatThrownBy(() -> st.execute("CREATE TABLE stash (t text)"))
          .hasMessageContaining("permission denied for schema public");
      assertThatThrownBy(() -> st.execute("ALTER TABLE app_user ADD COLUMN x int")).hasMessageContaining("must be owner");
      assertThatThrownBy(() -> st.execute("COPY audit_event TO PROGRAM 'true'"))
          .hasMessageContaining("must be superuser or have privileges of the pg_execute_server_program role");
      ResultSet n = st.executeQuery("SELECT count(*) FROM audit_event WHERE action = 'test.roles'");
      n.next();
      assertThat(n.getLong(1)).isEqualTo(1);
      ResultSet who = st.executeQuery("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user");
      who.next();
      assertThat(new boolean[] {who.getBoolean(1), who.getBoolean(2), who.getBoolean(3)}).containsOnly(false);
    }
  }

  @Test
  void runTimeDdlWorksForTheServerAndTheWorkersThroughTheOwnersFunctions(TestDatabase db) throws SQLException {
    for (DbRole role : new DbRole[] {DbRole.APP, DbRole.INGEST}) {
      try (Connection c = db.connect(role); Statement st = c.createStatement()) {
        // a new day's partition: DDL on a table the role does not own, through the SECURITY DEFINER function
        int offset = role == DbRole.APP ? 3 : 5;
        ResultSet made = st.executeQuery("SELECT safegrid_ensure_event_partitions(current_date + " + offset
            + ", current_date + " + offset + ")");
        made.next();
        assertThat(made.getInt(1)).as(role.name()).isEqualTo(1);
        // the ingest writer's staging: temporary tables and COPY into them
        st.execute("CREATE TEMP TABLE stage_" + role.name().toLowerCase() + " (event_id text) ON COMMIT DROP");
        st.execute("SELECT safegrid_ensure_event_partitions(current_date, current_date)");
        st.execute(EVENT.formatted("roles-" + role));
      }
    }
    try (Connection c = db.connect(DbRole.APP); Statement st = c.createStatement()) {
      ResultSet purged = st.executeQuery("SELECT safegrid_audit_purge(interval '400 days')");
      assertThat(purged.next()).isTrue();
    }
  }

  @Test
  void theIngestRoleOnlyInsertsAndReadsEvents(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(DbRole.INGEST); Statement st = c.createStatement()) {
      st.execute("SELECT safegrid_ensure_event_partitions(current_date, current_date)");
      st.execute(EVENT.formatted("ingest-1"));
      for (int i = 0; i < 2; i++) {
        st.execute("INSERT INTO event_count (source, minute, events, newest_observed_at) "
            + "VALUES ('camera', date_trunc('minute', now()), 1, now()) "
            + "ON CONFLICT (source, minute) DO UPDATE SET events = event_count.events + 1");
      }
      assertThatThrownBy(() -> st.execute("SELECT * FROM app_user")).hasMessageContaining("permission denied");
      assertThatThrownBy(() -> st.execute("SELECT * FROM audit_event")).hasMessageContaining("permission denied");
      assertThatThrownBy(() -> st.execute("INSERT INTO audit_event (action, outcome) VALUES ('x', 'success')"))
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> st.execute("UPDATE event SET severity = 5")).hasMessageContaining("permission denied");
      assertThatThrownBy(() -> st.execute("SELECT safegrid_audit_purge(interval '400 days')"))
          .hasMessageContaining("permission denied");
    }
  }

  @Test
  void tablesALaterMigrationCreatesComeWithTheServersGrants(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(DbRole.OWNER); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text)");
    }
    try (Connection c = db.connect(DbRole.APP); Statement st = c.createStatement()) {
      st.execute("INSERT INTO later_feature (note) VALUES ('a')");
      st.execute("UPDATE later_feature SET note = 'b'");
      st.execute("DELETE FROM later_feature");
      assertThatThrownBy(() -> st.execute("DROP TABLE later_feature")).hasMessageContaining("must be owner");
    }
  }
}
