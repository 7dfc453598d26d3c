package org.safegrid.server.feed;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The commit-ordered event feed ({@code safegrid.feed.*}).
 *
 * @param enabled        run the feed's consumers (live stream, risk engine, feed health, alerts) at all
 * @param pollInterval   how often a caught-up consumer looks for newly committed events
 * @param maxBatch       the most events one read hands to a consumer
 * @param maxAttempts    deliveries of the same events that may fail (for a reason other than the
 *                       database being unavailable) before they are delivered one by one, and an
 *                       event failing that often alone is skipped as poison
 * @param backoff        wait after a failed delivery, doubling per further failure ...
 * @param maxBackoff     ... up to this
 * @param resumeHorizon  when alerting resumes from a backlog, events stored longer ago than this are not
 *                       alerted one by one; one alert names them (measured on when they were stored)
 * @param readTimeout    the longest one read of the feed may take, waiting for locks included; a read
 *                       behind a long lock on the event table (a migration or maintenance run from
 *                       outside) is cancelled and retried with backoff instead of holding a pooled
 *                       connection that API requests need (whole seconds, at least 1 s)
 */
@ConfigurationProperties("safegrid.feed")
public record EventFeedProperties(@DefaultValue("true") boolean enabled, @DefaultValue("250ms") Duration pollInterval,
                                  @DefaultValue("5000") int maxBatch, @DefaultValue("10") int maxAttempts,
                                  @DefaultValue("200ms") Duration backoff, @DefaultValue("10s") Duration maxBackoff,
                                  @DefaultValue("1h") Duration resumeHorizon,
                                  @DefaultValue("30s") Duration readTimeout) {

  public EventFeedProperties {
    positive(pollInterval, "safegrid.feed.poll-interval");
    positive(backoff, "safegrid.feed.backoff");
    positive(maxBackoff, "safegrid.feed.max-backoff");
    positive(resumeHorizon, "safegrid.feed.resume-horizon");
    positive(readTimeout, "safegrid.feed.read-timeout");
    if (readTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException("safegrid.feed.read-timeout must be at least 1s, got " + readTimeout);
    }
    if (maxBackoff.compareTo(backoff) < 0) {
      throw new IllegalArgumentException("safegrid.feed.max-backoff (" + maxBackoff
          + ") must not be below safegrid.feed.backoff (" + backoff + ")");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("safegrid.feed.max-batch must be at least 1, got " + maxBatch);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("safegrid.feed.max-attempts must be at least 1, got " + maxAttempts);
    }
  }

  private static void positive(Duration d, String property) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(property + " must be positive, got " + d);
    }
  }
}
