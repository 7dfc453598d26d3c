package org.safegrid.server.leader;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code leadership} health component: whether this replica leads, since when, its name and
 * term. Always UP: a follower serves reads, the map and the live stream like the leader; a failing
 * election connection is named in {@code lastFailure}.
 */
@Component
class LeadershipHealthIndicator implements HealthIndicator {

  private final Leadership leadership;

  LeadershipHealthIndicator(Leadership leadership) {
    this.leadership = leadership;
  }

  @Override
  public Health health() {
    Health.Builder h = Health.up().withDetail("leader", leadership.isLeader())
        .withDetail("replica", leadership.replicaId()).withDetail("term", leadership.term());
    if (leadership.since() != null) {
      h.withDetail("since", leadership.since().toString());
    }
    if (leadership.lastFailure() != null) {
      h.withDetail("lastFailure", leadership.lastFailure());
    }
    return h.build();
  }
}
