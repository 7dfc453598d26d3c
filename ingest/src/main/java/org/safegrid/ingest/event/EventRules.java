package org.safegrid.ingest.event;

import java.time.Duration;

/**
 * What the ingest path accepts beyond the schema.
 *
 * @param area      service area; events outside it are refused
 * @param maxFuture how far in the future observedAt may be (clock skew)
 * @param maxAge    how old observedAt may be
 * @param maxBytes  largest accepted message, bytes
 */
public record EventRules(ServiceArea area, Duration maxFuture, Duration maxAge, int maxBytes) {

  /** Defaults: Huizhou, 5 minutes, 30 days, 64 KiB. */
  public static final EventRules DEFAULT = new EventRules(ServiceArea.HUIZHOU, Duration.ofMinutes(5),
      Duration.ofDays(30), 64 * 1024);

  public EventRules {
    if (area == null || maxFuture == null || maxAge == null || maxFuture.isNegative() || maxAge.isNegative()
        || maxBytes <= 0) {
      throw new IllegalArgumentException("event rules need an area, non-negative maxFuture/maxAge and maxBytes > 0");
    }
  }
}
