package org.safegrid.server.live;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tailing of newly committed events ({@code safegrid.live.tail.*}).
 *
 * @param enabled      tail the event table at all
 * @param pollInterval how often to look for new rows
 * @param overlap      how far behind the newest seen received_at each poll looks again, so that a
 *                     transaction that committed late is not missed (ids seen already are skipped)
 * @param maxBatch     the most rows one poll reads
 */
@ConfigurationProperties("safegrid.live.tail")
public record EventTailProperties(@DefaultValue("true") boolean enabled, @DefaultValue("250ms") Duration pollInterval,
                                  @DefaultValue("5s") Duration overlap, @DefaultValue("50000") int maxBatch) {

  public EventTailProperties {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.live.tail.poll-interval must be positive");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("safegrid.live.tail.max-batch must be at least 1");
    }
  }
}
