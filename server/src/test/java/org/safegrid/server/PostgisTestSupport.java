package org.safegrid.server;

import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Points a Spring test context at a fresh real PostGIS database from {@link PostgisExtension}: the
 * server connects as the application role ({@link DbRole#APP}) and Flyway as the owner, as in a
 * deployment.
 */
public final class PostgisTestSupport {

  private PostgisTestSupport() {
  }

  /** Registers datasource properties for a new database named after the test class; returns it. */
  public static TestDatabase register(DynamicPropertyRegistry registry, Class<?> testClass) {
    TestDatabase db = PostgisExtension.createDatabase(testClass.getSimpleName());
    registry.add("spring.datasource.url", db::jdbcUrl);
    registry.add("spring.datasource.username", DbRole.APP::roleName);
    registry.add("spring.datasource.password", DbRole.APP::password);
    registry.add("spring.flyway.user", DbRole.OWNER::roleName);
    registry.add("spring.flyway.password", DbRole.OWNER::password);
    return db;
  }
}
