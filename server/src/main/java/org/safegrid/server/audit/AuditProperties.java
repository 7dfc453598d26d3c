package org.safegrid.server.audit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Audit trail settings ({@code safegrid.audit.*}).
 *
 * @param retention           how long audit rows are kept before the retention purge deletes them; default
 *                            400 days; at least 365 days (refused at start-up otherwise, and the database
 *                            refuses to delete a younger row whatever is configured)
 * @param purgeInterval       how often the retention purge runs; default 24 h (first run 10 minutes after start)
 * @param tamperCheckInterval how often refused UPDATE/DELETE/TRUNCATE attempts on {@code audit_event},
 *                            counted by the database, are written to the trail as {@code audit.tamper}; default 10 s
 */
@ConfigurationProperties("safegrid.audit")
public record AuditProperties(Duration retention, Duration purgeInterval, Duration tamperCheckInterval) {

  /** The shortest retention allowed: a year of audit rows is never deleted. */
  public static final Duration MIN_RETENTION = Duration.ofDays(365);

  public AuditProperties {
    retention = retention == null ? Duration.ofDays(400) : retention;
    purgeInterval = purgeInterval == null ? Duration.ofHours(24) : purgeInterval;
    tamperCheckInterval = tamperCheckInterval == null ? Duration.ofSeconds(10) : tamperCheckInterval;
    if (retention.compareTo(MIN_RETENTION) < 0) {
      throw new IllegalArgumentException("safegrid.audit.retention must be at least 365d (audit rows younger than a "
          + "year are never deleted), not " + retention.toDays() + "d");
    }
    if (purgeInterval.isNegative() || purgeInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.audit.purge-interval must be positive");
    }
    if (tamperCheckInterval.isNegative() || tamperCheckInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.audit.tamper-check-interval must be positive");
    }
  }
}
