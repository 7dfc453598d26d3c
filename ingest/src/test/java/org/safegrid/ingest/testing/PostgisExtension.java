package org.safegrid.ingest.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands a test a real PostGIS database, never a stand-in.
 *
 * <p>Where the server comes from, in order: {@code SAFEGRID_TEST_DB_URL} (with
 * {@code SAFEGRID_TEST_DB_USER}/{@code SAFEGRID_TEST_DB_PASSWORD}) if set; else a Testcontainers
 * PostGIS when a Docker engine answers; else a throwaway cluster made with the local PostgreSQL 15
 * + PostGIS 3 binaries. If none is possible the test fails and says what to install.
 *
 * <p>One server per JVM; each test class gets a fresh database, owned by {@link DbRole#OWNER} which
 * migrates it (the deployment's roles, docs/security.md), so test
 * classes never see each other's rows. Inject {@link TestDatabase} as a parameter of a test,
 * a constructor or a {@code @BeforeAll} method.
 */
public final class PostgisExtension implements ParameterResolver {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgisExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    return pc.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    ExtensionContext classContext = ec.getElement().isPresent() && ec.getTestMethod().isPresent()
        ? ec.getParent().orElse(ec) : ec;
    return classContext.getStore(NS).getOrComputeIfAbsent("db",
        k -> createDatabase(classContext.getRequiredTestClass().getSimpleName()), TestDatabase.class);
  }

  /** Creates a new, migrated database on the shared server. Usable outside JUnit (benchmarks). */
  public static TestDatabase createDatabase(String hint) {
    return createDatabase(hint, null);
  }

  /**
   * Creates a new database on the shared server migrated up to {@code target} (a Flyway version such
   * as {@code "36.1"}; null for the latest): the schema a deployment had before an upgrade under test.
   */
  public static TestDatabase createDatabase(String hint, String target) {
    PostgisServer server = PostgisServer.get();
    String name = "t" + DATABASES.incrementAndGet() + "_" + hint.toLowerCase().replaceAll("[^a-z0-9]", "");
    if (name.length() > 60) {
      name = name.substring(0, 60);
    }
    try (Connection c = DriverManager.getConnection(server.adminUrl(), server.user(), server.password());
         Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name);
      st.execute("CREATE DATABASE " + name + " OWNER " + DbRole.OWNER.roleName());
    } catch (SQLException e) {
      throw new ParameterResolutionException("cannot create test database on " + server.adminUrl() + ": " + e.getMessage(), e);
    }
    TestDatabase db = new TestDatabase(server.urlFor(name), server.user(), server.password());
    // PostGIS is installed by a superuser, as a deployment's administrator does; the owner role migrates
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS postgis");
    } catch (SQLException e) {
      throw new ParameterResolutionException("cannot install PostGIS in " + name + ": " + e.getMessage(), e);
    }
    var flyway = Flyway.configure().dataSource(db.jdbcUrl(), DbRole.OWNER.roleName(), DbRole.OWNER.password());
    if (target != null) {
      flyway.target(target);
    }
    flyway.load().migrate();
    return db;
  }
}
