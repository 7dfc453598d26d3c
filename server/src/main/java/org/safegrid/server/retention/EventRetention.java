package org.safegrid.server.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LoopLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The event retention loop: drops the partitions of {@code event} that lie wholly beyond
 * {@code safegrid.retention.events}, oldest first, one per step, each through the database function
 * {@code safegrid_drop_event_partition}, which rolls the partition up into {@code event_rollup_hourly},
 * deletes its ids from {@code event_key}, drops it and writes an audit row in one transaction (so the
 * application role needs only EXECUTE on it, and a crash never leaves a dropped partition without its
 * roll-up). Thread-safe.
 */
@Component
public class EventRetention extends LoopLifecycle {

  /** Partitions dropped. */
  public static final String DROPPED_METRIC = "safegrid.retention.partitions.dropped";
  /** Events rolled up and dropped with their partitions. */
  public static final String ROLLED_UP_METRIC = "safegrid.retention.events.rolled.up";

  private static final Logger log = LoggerFactory.getLogger(EventRetention.class);

  private final JdbcClient jdbc;
  private final RetentionProperties properties;
  private final Counter dropped;
  private final Counter rolledUp;

  public EventRetention(JdbcClient jdbc, RetentionProperties properties, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.dropped = Counter.builder(DROPPED_METRIC).description("event partitions rolled up and dropped by retention")
        .register(meters);
    this.rolledUp = Counter.builder(ROLLED_UP_METRIC).description("events rolled up and dropped by retention")
        .register(meters);
  }

  @Override
  protected BackgroundLoop createLoop() {
    if (!properties.enabled()) {
      log.info("event retention is off (safegrid.retention.enabled=false): partitions are kept for ever");
      return null;
    }
    return BackgroundLoop.named("event-retention").leaderOnly(leaderGate()).every(properties.checkInterval())
        .firstAfter(Duration.ofMinutes(5)).backoff(Duration.ofMinutes(1), Duration.ofHours(1))
        .step(() -> dropOldest().isPresent());
  }

  /** The oldest partition whose every event is older than the retention, if any. */
  public Optional<String> findExpiredPartition() {
    return jdbc.sql("""
            SELECT partition::text FROM safegrid_event_partitions()
            WHERE to_at <= now() - make_interval(secs => ?) ORDER BY from_at LIMIT 1""")
        .param(properties.events().toSeconds()).query(String.class).optional();
  }

  /** Rolls up and drops the oldest expired partition; returns its name, or empty when none has expired. */
  public Optional<String> dropOldest() {
    Optional<String> partition = findExpiredPartition();
    if (partition.isEmpty()) {
      return partition;
    }
    long events;
    try {
      events = jdbc.sql("SELECT safegrid_drop_event_partition(?::regclass)").param(partition.get())
          .query(Long.class).single();
    } catch (RuntimeException e) {
      // the loop logs it, counts it and tries again after its backoff
      throw new IllegalStateException("rolling up and dropping event partition " + partition.get() + " failed "
          + "(does the application role hold EXECUTE on safegrid_drop_event_partition?)", e);
    }
    dropped.increment();
    rolledUp.increment(events);
    log.info("event retention: rolled up and dropped {} ({} events older than {} days)", partition.get(), events,
        properties.events().toDays());
    return partition;
  }
}
