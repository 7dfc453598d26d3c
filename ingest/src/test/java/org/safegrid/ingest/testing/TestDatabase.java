package org.safegrid.ingest.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostGIS database handed to one test class: its own database, schema migrated by the owner
 * role ({@link DbRole#OWNER}).
 *
 * <p>{@link #connect()} and {@link #dataSource()} connect as the cluster's administrator (a
 * superuser), for fixtures that shape data as no application role may; {@link #connect(DbRole)}
 * and {@link #dataSource(DbRole)} connect as one of the deployment's roles, as the server
 * ({@link DbRole#APP}) and ingest workers ({@link DbRole#INGEST}) do.
 *
 * @param jdbcUrl  JDBC URL of the database
 * @param user     the cluster administrator's user name
 * @param password its password (may be empty)
 */
public record TestDatabase(String jdbcUrl, String user, String password) {

  public Connection connect() throws SQLException {
    return connect(user, password);
  }

  public Connection connect(DbRole role) throws SQLException {
    return connect(role.roleName(), role.password());
  }

  public DataSource dataSource() {
    return dataSource(user, password);
  }

  public DataSource dataSource(DbRole role) {
    return dataSource(role.roleName(), role.password());
  }

  private Connection connect(String u, String pw) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", u);
    p.setProperty("password", pw);
    return DriverManager.getConnection(jdbcUrl, p);
  }

  private DataSource dataSource(String u, String pw) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(jdbcUrl);
    ds.setUser(u);
    ds.setPassword(pw);
    return ds;
  }
}
