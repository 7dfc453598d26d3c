package org.safegrid.server.leader;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Leader election among server replicas ({@code safegrid.leader.*}).
 *
 * @param enabled        false makes this server lead without asking (one server only; two servers
 *                       with it off would both run the alert engine); default true
 * @param lockKey        the PostgreSQL advisory lock key the replicas of one deployment compete for;
 *                       default 7_041_900_019
 * @param tryInterval    how often a follower tries the lock and the leader proves its connection
 *                       alive; default 1 s
 * @param sessionTimeout the lease: the election connection's {@code idle_session_timeout}, so the
 *                       database ends the session of a leader that stopped proving itself (a hung
 *                       process, whose socket stays open) and frees the lock; a leader also stops
 *                       calling itself leader when its last proof is older than half of it;
 *                       default 10 s, at least 3 × the try interval
 * @param replicaId      this replica's name in logs, in {@code pg_stat_activity} and in the health
 *                       detail; default the host name and process id
 */
@ConfigurationProperties("safegrid.leader")
public record LeaderProperties(Boolean enabled, Long lockKey, Duration tryInterval, Duration sessionTimeout,
                               String replicaId) {

  public LeaderProperties {
    enabled = enabled == null ? Boolean.TRUE : enabled;
    lockKey = lockKey == null ? 7_041_900_019L : lockKey;
    tryInterval = tryInterval == null ? Duration.ofSeconds(1) : tryInterval;
    sessionTimeout = sessionTimeout == null ? Duration.ofSeconds(10) : sessionTimeout;
    if (tryInterval.isNegative() || tryInterval.isZero()) {
      throw new IllegalArgumentException("safegrid.leader.try-interval must be positive");
    }
    if (sessionTimeout.compareTo(tryInterval.multipliedBy(3)) < 0) {
      throw new IllegalArgumentException("safegrid.leader.session-timeout (" + sessionTimeout
          + ") must be at least 3 x safegrid.leader.try-interval (" + tryInterval + ")");
    }
    if (replicaId == null || replicaId.isBlank()) {
      replicaId = defaultReplicaId();
    }
  }

  private static String defaultReplicaId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
