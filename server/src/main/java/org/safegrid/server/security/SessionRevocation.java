package org.safegrid.server.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Ends what a user has open when its account is disabled or its rights change: expires its HTTP
 * sessions on every replica (the next request of that browser must log in again) and closes its live
 * streams on this one; other replicas close theirs at their next {@link LiveSessionRegistry} check,
 * when they find the session expired. Runs after the change has committed.
 */
@Component
public class SessionRevocation {

  private static final Logger log = LoggerFactory.getLogger(SessionRevocation.class);

  private final SessionRegistry sessions;
  private final LiveSessionRegistry live;
  private final AuthorizationVersions versions;

  public SessionRevocation(SessionRegistry sessions, LiveSessionRegistry live, AuthorizationVersions versions) {
    this.sessions = sessions;
    this.live = live;
    this.versions = versions;
  }

  /** Expires every session and closes every live stream of {@code username}; returns how many were ended. */
  public int revoke(String username) {
    return revokeOthers(username, null);
  }

  /**
   * Expires every session of {@code username} but {@code keepSessionId} (null: all of them) and closes
   * their live streams; returns how many were ended.
   */
  public int revokeOthers(String username, String keepSessionId) {
    versions.forget(username);
    int expired = 0;
    // the shared session store finds the user's sessions of every replica; the expiry mark is stored
    // with each, so whichever replica its next request reaches refuses it (ConcurrentSessionFilter)
    for (SessionInformation s : sessions.getAllSessions(username, false)) {
      if (!s.getSessionId().equals(keepSessionId)) {
        s.expireNow();
        expired++;
      }
    }
    int streams = live.closeUserExcept(username, keepSessionId);
    if (expired + streams > 0) {
      log.info("revoked {} session(s) and {} live stream(s) of '{}'{}", expired, streams, username,
          keepSessionId == null ? "" : " (all but the current one)");
    }
    return expired + streams;
  }

  @TransactionalEventListener(fallbackExecution = true)
  void onDisabled(UserDisabled event) {
    revoke(event.username());
  }

  @TransactionalEventListener(fallbackExecution = true)
  void onAccessChanged(UserAccessChanged event) {
    revoke(event.username());
  }
}
