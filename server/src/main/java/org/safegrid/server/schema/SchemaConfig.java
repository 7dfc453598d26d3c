package org.safegrid.server.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.safegrid.ingest.schema.SchemaGuard;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How the server meets its schema at start-up: never against a schema newer than itself. When it migrates
 * (the default), the guard runs before Flyway; when migrating is left to a separate step
 * ({@code SAFEGRID_DB_MIGRATE=false}: the compose stack's replicas), the guard still runs, reading the
 * migration history as the server's own role.
 */
@Configuration
public class SchemaConfig {

  @Bean
  FlywayMigrationStrategy refuseNewerSchemaThenMigrate() {
    return flyway -> {
      SchemaGuard.refuseNewerSchema(flyway);
      flyway.migrate();
    };
  }

  @Bean
  @ConditionalOnProperty(name = "spring.flyway.enabled", havingValue = "false")
  InitializingBean refuseNewerSchemaWithoutMigrating(DataSource dataSource) {
    return () -> SchemaGuard.refuseNewerSchema(Flyway.configure().dataSource(dataSource).load());
  }
}
