package org.safegrid.server.security;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.stereotype.Component;

/**
 * Refuses to start the server when its database role could undo the audit trail's protections: a
 * superuser (which also runs programs on the database host through {@code COPY ... PROGRAM}), a role
 * that owns {@code audit_event} or is a member of its owner (which can disable its triggers), or a
 * role that may create objects in the schema. The server connects as the application role; the
 * owner role only migrates (docs/security.md, "Database roles").
 *
 * <p>Runs once at start-up, after Flyway.
 */
@Component
@DependsOnDatabaseInitialization
public class DatabaseRoleCheck implements InitializingBean {

  private static final String HOW_TO_FIX = " Connect the server as the application role instead: a login role that is "
      + "safegrid_app or a member of it (as a superuser: CREATE ROLE safegrid_app LOGIN PASSWORD '...', or GRANT "
      + "safegrid_app TO <login>), set SAFEGRID_DB_USER and SAFEGRID_DB_PASSWORD to it, and let Flyway migrate as "
      + "the owner with SAFEGRID_DB_MIGRATOR_USER and SAFEGRID_DB_MIGRATOR_PASSWORD (see docs/security.md, "
      + "Database roles).";

  private final DataSource dataSource;

  public DatabaseRoleCheck(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void afterPropertiesSet() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Optional<String> refusal = refusal(c);
      if (refusal.isPresent()) {
        throw new IllegalStateException(refusal.get());
      }
    }
  }

  /** Why a server connected through {@code c} must not start, or empty when its role is fit to serve. */
  public static Optional<String> refusal(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("""
             SELECT current_user, r.rolsuper, pg_get_userbyid(t.relowner) AS owner,
                    t.relowner IS NOT NULL AND pg_has_role(current_user, t.relowner, 'MEMBER') AS owns_audit,
                    has_schema_privilege(current_schema(), 'CREATE') AS creates, current_schema()
             FROM pg_roles r LEFT JOIN pg_class t ON t.oid = to_regclass('audit_event')
             WHERE r.rolname = current_user""")) {
      if (!rs.next()) {
        throw new IllegalStateException("the database does not know the role the server connects as");
      }
      String user = rs.getString(1);
      if (rs.getBoolean(2)) {
        return Optional.of("The server connects to the database as " + user + ", a superuser: it could switch off the "
            + "audit trail's protections and run programs on the database host." + HOW_TO_FIX);
      }
      if (rs.getString(3) == null) {
        throw new IllegalStateException("audit_event is missing: the schema is not migrated (run the migrations as "
            + "the owner role: SAFEGRID_DB_MIGRATOR_USER, or ./safegrid migrate)");
      }
      if (rs.getBoolean(4)) {
        return Optional.of("The server connects to the database as " + user + ", which owns the audit table "
            + "audit_event (owner: " + rs.getString(3) + ") and could disable its triggers or drop it." + HOW_TO_FIX);
      }
      if (rs.getBoolean(5)) {
        return Optional.of("The server connects to the database as " + user + ", which may create objects in schema "
            + rs.getString(6) + " (REVOKE CREATE ON SCHEMA " + rs.getString(6) + " FROM " + user + ", and from PUBLIC)."
            + HOW_TO_FIX);
      }
      return Optional.empty();
    }
  }
}
