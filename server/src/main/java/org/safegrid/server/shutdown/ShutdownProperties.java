package org.safegrid.server.shutdown;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a server replica leaves the balancer before it stops ({@code safegrid.shutdown.*}).
 *
 * @param drain         how long a stopping server keeps serving while its readiness says it is refusing
 *                      traffic (503), before its live streams end and Spring's graceful shutdown begins;
 *                      long enough for a balancer that checks readiness every 2–5 s to take it out after
 *                      a failed check or two. 0 stops at once (one server alone, tests)
 * @param streamRetry   the SSE {@code retry:} sent to the live streams when the drain begins: how long a
 *                      client waits before it reconnects once its stream has ended
 */
@ConfigurationProperties("safegrid.shutdown")
public record ShutdownProperties(@DefaultValue("10s") Duration drain, @DefaultValue("1s") Duration streamRetry) {

  public ShutdownProperties {
    if (drain.isNegative()) {
      throw new IllegalArgumentException("safegrid.shutdown.drain must not be negative");
    }
    if (streamRetry.isNegative() || streamRetry.isZero()) {
      throw new IllegalArgumentException("safegrid.shutdown.stream-retry must be positive");
    }
  }
}
