package org.safegrid.server.retention;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Event retention settings ({@code safegrid.retention.*}). The audit trail has its own rule
 * ({@code safegrid.audit.retention}).
 *
 * @param events        how long raw events are kept; a daily (or monthly) partition of {@code event} is rolled up
 *                      into per-cell hourly counts and dropped once all of it is older than this; default 400 days;
 *                      at least 35 days (live ingest accepts events up to 30 days old, and they must find their
 *                      partition)
 * @param checkInterval how often the retention loop looks for expired partitions; default 1 h (first look 5
 *                      minutes after start)
 * @param enabled       false switches the retention loop off (partitions are then kept for ever)
 */
@ConfigurationProperties("safegrid.retention")
public record RetentionProperties(Duration events, Duration checkInterval, Boolean enabled) {

  /** The shortest event retention allowed. */
  public static final Duration MIN_EVENTS = Duration.ofDays(35);

  public RetentionProperties {
    events = events == null ? Duration.ofDays(400) : events;
    checkInterval = checkInterval == null ? Duration.ofHours(1) : checkInterval;
    enabled = enabled == null ? Boolean.TRUE : enabled;
    if (events.compareTo(MIN_EVENTS) < 0) {
      throw new IllegalArgumentException("safegrid.retention.events must be at least 35d (live ingest accepts events "
          + "up to 30 days old), not " + events.toDays() + "d");
    }
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.retention.check-interval must be positive");
    }
  }
}
