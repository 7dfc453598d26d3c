package org.safegrid.server.shutdown;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code drain} health component (in the readiness group): UP while the server is not stopping,
 * OUT_OF_SERVICE with {@code draining} and {@code endsAt} while it drains, so an administrator sees
 * why the readiness probe answers 503.
 */
@Component
class DrainHealthIndicator extends AbstractHealthIndicator {

  private final Drain drain;

  DrainHealthIndicator(Drain drain) {
    this.drain = drain;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    drain.endsAt().ifPresentOrElse(
        end -> builder.outOfService().withDetail("draining", true).withDetail("endsAt", end.toString()),
        () -> builder.up().withDetail("draining", false));
  }
}
