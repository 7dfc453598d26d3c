package org.safegrid.server.reliability;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Health component {@code databaseDurability}: DOWN with the offending settings when PostgreSQL could
 * lose committed data on a crash and {@code safegrid.reliability.require-durable-db} is true; logged
 * as an error at start-up either way.
 */
@Component("databaseDurability")
class DatabaseDurabilityHealth implements HealthIndicator {

  private static final Logger log = LoggerFactory.getLogger(DatabaseDurabilityHealth.class);

  private final JdbcClient jdbc;
  private final ReliabilityProperties properties;

  DatabaseDurabilityHealth(JdbcClient jdbc, ReliabilityProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  @EventListener(ApplicationReadyEvent.class)
  void checkAtStartup() {
    DurabilitySettings s = DurabilitySettings.read(jdbc);
    if (!s.durable()) {
      log.error("PostgreSQL may lose committed data on a crash: {}{}", s.problems(),
          properties.requireDurableDb() ? "; health is DOWN (safegrid.reliability.require-durable-db=true)" : "");
    }
  }

  @Override
  public Health health() {
    DurabilitySettings s = DurabilitySettings.read(jdbc);
    Health.Builder b = s.durable() || !properties.requireDurableDb() ? Health.up() : Health.down();
    b.withDetail("settings", s.actual());
    if (!s.durable()) {
      b.withDetail("reason", "PostgreSQL may lose committed data on a crash: " + String.join(", ", s.problems()));
    }
    return b.build();
  }
}
