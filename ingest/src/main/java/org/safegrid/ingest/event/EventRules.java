package org.safegrid.ingest.event;

import java.time.Duration;

/**
 * What the ingest path accepts beyond the schema.
 *
 * @param area            service area; events outside it are refused
 * @param maxFuture       how far in the future observedAt may be (clock skew)
 * @param maxAge          how old observedAt may be
 * @param maxBytes        largest accepted message, bytes
 * @param maxPatrolFuture how far in the future a patrol {@code position} ping's observedAt may be: a
 *                        unit's latest position only moves forward, so a ping from the future would
 *                        pin it until that time comes
 */
public record EventRules(ServiceArea area, Duration maxFuture, Duration maxAge, int maxBytes,
                         Duration maxPatrolFuture) {

  /** Default clock skew allowed to a patrol position ping. */
  public static final Duration DEFAULT_MAX_PATROL_FUTURE = Duration.ofSeconds(30);

  /** Defaults: Huizhou, 5 minutes (patrol positions 30 s), 30 days, 64 KiB. */
  public static final EventRules DEFAULT = new EventRules(ServiceArea.HUIZHOU, Duration.ofMinutes(5),
      Duration.ofDays(30), 64 * 1024);

  public EventRules {
    if (area == null || maxFuture == null || maxAge == null || maxPatrolFuture == null || maxFuture.isNegative()
        || maxAge.isNegative() || maxPatrolFuture.isNegative() || maxBytes <= 0) {
      throw new IllegalArgumentException(
          "event rules need an area, non-negative maxFuture/maxAge/maxPatrolFuture and maxBytes > 0");
    }
  }

  /** Rules with the default patrol position skew ({@link #DEFAULT_MAX_PATROL_FUTURE}). */
  public EventRules(ServiceArea area, Duration maxFuture, Duration maxAge, int maxBytes) {
    this(area, maxFuture, maxAge, maxBytes, DEFAULT_MAX_PATROL_FUTURE);
  }

  /** How far in the future observedAt may be for an event of this source and kind. */
  public Duration maxFuture(Source source, String kind) {
    if (source == Source.PATROL && "position".equals(kind) && maxPatrolFuture.compareTo(maxFuture) < 0) {
      return maxPatrolFuture;
    }
    return maxFuture;
  }
}
