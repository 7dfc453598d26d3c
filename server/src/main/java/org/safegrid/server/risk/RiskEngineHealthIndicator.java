package org.safegrid.server.risk;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health of the live risk engine ({@code riskEngine}): OUT_OF_SERVICE while it loads its first grid,
 * so the readiness probe keeps traffic away until risk and hotspot questions can be answered;
 * UP otherwise, with the grid set and how far the published state trails the newest event.
 */
@Component
public class RiskEngineHealthIndicator implements HealthIndicator {

  private final LiveRiskService live;

  public RiskEngineHealthIndicator(LiveRiskService live) {
    this.live = live;
  }

  @Override
  public Health health() {
    if (live.loading()) {
      return Health.outOfService().withDetail("reason", "loading the active grid set and its recent events").build();
    }
    Health.Builder h = Health.up().withDetail("lagMs", live.lagMillis());
    live.current().ifPresent(s -> h.withDetail("gridSetId", s.grid().gridSetId()));
    return h.build();
  }
}
