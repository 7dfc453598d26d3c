package org.safegrid.server.schema;

import org.safegrid.ingest.schema.SchemaGuard;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** How the server migrates its schema at start-up: never against a schema newer than itself, then Flyway. */
@Configuration
public class SchemaConfig {

  @Bean
  FlywayMigrationStrategy refuseNewerSchemaThenMigrate() {
    return flyway -> {
      SchemaGuard.refuseNewerSchema(flyway);
      flyway.migrate();
    };
  }
}
