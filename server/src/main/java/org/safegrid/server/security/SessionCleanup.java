package org.safegrid.server.security;

import java.time.Duration;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LoopLifecycle;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.stereotype.Component;

/**
 * Deletes timed-out sessions from the shared session store once a minute, on the leader only (Spring
 * Session's own clean-up cron, which every replica would run, is switched off:
 * {@code spring.session.jdbc.cleanup-cron: "-"}). A session found timed out when it is read is
 * refused whether or not it has been deleted yet, so a leaderless minute only leaves rows behind.
 */
@Component
class SessionCleanup extends LoopLifecycle {

  static final Duration PERIOD = Duration.ofMinutes(1);

  private final JdbcIndexedSessionRepository store;

  SessionCleanup(JdbcIndexedSessionRepository store) {
    this.store = store;
  }

  @Override
  protected BackgroundLoop createLoop() {
    return BackgroundLoop.named("session-cleanup").leaderOnly(leaderGate()).every(PERIOD)
        .backoff(PERIOD, Duration.ofMinutes(10)).step(() -> {
          store.cleanUpExpiredSessions();
          return false;
        });
  }
}
