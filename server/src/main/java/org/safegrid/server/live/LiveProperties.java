package org.safegrid.server.live;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live stream to the map ({@code safegrid.live.*}).
 *
 * @param flushInterval   how often new events are sent to each client as one batch (the most
 *                        updates per second a client gets is the inverse of this)
 * @param clientQueue     the most unsent messages one client may have; a client that falls this far
 *                        behind is dropped and catches up from the database when it reconnects
 * @param heartbeat       how often an idle stream gets a comment line, so dead connections are noticed
 * @param maxClients      the most concurrent streams; further ones are refused with 503
 * @param catchUpLimit    the most events sent from the database to a reconnecting client
 * @param trailLength     how many recent positions a patrol unit's trail shows
 * @param trailWindow     how far back a patrol unit's trail reaches
 * @param sendTimeLimit   the longest one write to a client may block (its socket buffers are full:
 *                        it does not read); a client whose write takes longer is dropped
 */
@ConfigurationProperties("safegrid.live")
public record LiveProperties(@DefaultValue("250ms") Duration flushInterval, @DefaultValue("64") int clientQueue,
                             @DefaultValue("15s") Duration heartbeat, @DefaultValue("200") int maxClients,
                             @DefaultValue("50000") int catchUpLimit,
                             @DefaultValue("8") int trailLength, @DefaultValue("15m") Duration trailWindow,
                             @DefaultValue("10s") Duration sendTimeLimit) {

  public LiveProperties {
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.live.flush-interval must be positive");
    }
    if (clientQueue < 2) {
      throw new IllegalArgumentException("safegrid.live.client-queue must be at least 2");
    }
    if (maxClients < 1) {
      throw new IllegalArgumentException("safegrid.live.max-clients must be at least 1");
    }
    if (catchUpLimit < 1) {
      throw new IllegalArgumentException("safegrid.live.catch-up-limit must be at least 1");
    }
    if (sendTimeLimit.isNegative() || sendTimeLimit.isZero()) {
      throw new IllegalArgumentException("safegrid.live.send-time-limit must be positive");
    }
    if (trailLength < 1) {
      throw new IllegalArgumentException("safegrid.live.trail-length must be at least 1");
    }
  }
}
