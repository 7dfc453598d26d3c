package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.SafeGridApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The server's refusal to run with a database role that could undo the audit trail: a superuser, the owner
 * of {@code audit_event} (or a member of it); the application role passes. On a real PostgreSQL.
 */
@ExtendWith(PostgisExtension.class)
class DatabaseRoleCheckTest {

  @Test
  void superuserAndOwnerAreRefusedWithHowToFixAndTheApplicationRolePasses(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      Optional<String> refusal = DatabaseRoleCheck.refusal(c);
      assertThat(refusal).get().asString().contains("a superuser").contains("SAFEGRID_DB_USER")
          .contains("safegrid_app").contains("SAFEGRID_DB_MIGRATOR_USER");
    }
    try (Connection c = db.connect(DbRole.OWNER)) {
      assertThat(DatabaseRoleCheck.refusal(c)).get().asString()
          .contains("owns the audit table audit_event (owner: safegrid)").contains("SAFEGRID_DB_USER");
    }
    try (Connection c = db.connect(DbRole.APP)) {
      assertThat(DatabaseRoleCheck.refusal(c)).isEmpty();
    }
  }

  @Test
  void aMemberOfTheOwnerRoleIsRefusedLikeTheOwner(TestDatabase db) throws Exception {
    try (Connection admin = db.connect(); var st = admin.createStatement()) {
      st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'owner_member') THEN "
          + "CREATE ROLE owner_member LOGIN PASSWORD 'owner-member-pw'; END IF; END $$");
      st.execute("GRANT " + DbRole.OWNER.roleName() + " TO owner_member");
    }
    try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), "owner_member", "owner-member-pw")) {
      assertThat(DatabaseRoleCheck.refusal(c)).get().asString().contains("owns the audit table");
    }
  }

  @Test
  void aServerStartedAsTheOwnerRefusesToStart(TestDatabase db) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(SafeGridApplication.class).run(
        "--spring.datasource.url=" + db.jdbcUrl(),
        "--spring.datasource.username=" + DbRole.OWNER.roleName(),
        "--spring.datasource.password=" + DbRole.OWNER.password(),
        "--spring.flyway.user=" + DbRole.OWNER.roleName(), "--spring.flyway.password=" + DbRole.OWNER.password(),
        "--server.port=0", "--safegrid.ingest.enabled=false", "--safegrid.reference.load=false",
        "--safegrid.security.admin-password=role-check-admin-pw").close())
        .rootCause().isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("The server connects to the database as safegrid, which owns the audit table audit_event")
        .hasMessageContaining("set SAFEGRID_DB_USER and SAFEGRID_DB_PASSWORD to it");
  }
}
