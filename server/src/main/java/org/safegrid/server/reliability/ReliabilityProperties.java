package org.safegrid.server.reliability;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Reliability self-checks ({@code safegrid.reliability.*}).
 *
 * @param requireDurableDb when true (the default), health is DOWN unless PostgreSQL runs with
 *                         {@code synchronous_commit}, {@code fsync}, {@code full_page_writes} on and
 *                         {@code data_sync_retry} off; when false a deviation is only logged
 */
@ConfigurationProperties("safegrid.reliability")
public record ReliabilityProperties(Boolean requireDurableDb) {

  public ReliabilityProperties {
    requireDurableDb = requireDurableDb == null || requireDurableDb;
  }
}
