package org.safegrid.server.audit;

import java.time.Duration;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LoopLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The retention purge of the audit trail: deletes rows older than {@code safegrid.audit.retention} through
 * the database function {@code safegrid_audit_purge}, which runs as the owner of {@code audit_event} (the
 * application role holds no DELETE), never deletes a row younger than 365 days whatever it is asked, and
 * records each purge as an {@code audit.purge} row in the same transaction. Thread-safe.
 */
@Component
public class AuditRetention extends LoopLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

  private final JdbcClient jdbc;
  private final AuditProperties properties;

  public AuditRetention(JdbcClient jdbc, AuditProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  @Override
  protected BackgroundLoop createLoop() {
    return BackgroundLoop.named("audit-retention").leaderOnly(leaderGate()).every(properties.purgeInterval())
        .firstAfter(Duration.ofMinutes(10)).backoff(Duration.ofMinutes(1), Duration.ofHours(1))
        .run(this::purgeOnSchedule);
  }


  void purgeOnSchedule() {
    try {
      purge();
    } catch (RuntimeException e) {
      // the loop logs it, counts it and tries again after its backoff
      throw new IllegalStateException(
          "audit retention purge failed (does the application role hold EXECUTE on safegrid_audit_purge?)", e);
    }
  }

  /** Deletes the rows older than the configured retention; returns how many went. */
  public long purge() {
    return purgeOlderThan(properties.retention());
  }

  /**
   * Deletes the rows older than {@code retention}, or than 365 days when that is longer (the database
   * enforces the floor too); returns how many went.
   */
  public long purgeOlderThan(Duration retention) {
    long seconds = Math.max(retention.toSeconds(), AuditProperties.MIN_RETENTION.toSeconds());
    long n = jdbc.sql("SELECT safegrid_audit_purge(make_interval(secs => ?))").param(seconds)
        .query(Long.class).single();
    if (n > 0) {
      log.info("audit retention: deleted {} rows older than {} days", n, seconds / 86_400);
    }
    return n;
  }
}
