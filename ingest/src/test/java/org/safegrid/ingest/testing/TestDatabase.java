package org.safegrid.ingest.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostGIS database handed to one test class: its own database, schema migrated.
 *
 * @param jdbcUrl  JDBC URL of the database
 * @param user     user name
 * @param password password (may be empty)
 */
public record TestDatabase(String jdbcUrl, String user, String password) {

  public Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl, p);
  }

  public DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(jdbcUrl);
    ds.setUser(user);
    ds.setPassword(password);
    return ds;
  }
}
