package org.safegrid.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a signed-in session on the first request that finds it no longer entitled to go on:
 * <ul>
 *   <li>its authorization version is not the account's any more (roles, district, enabled state,
 *       password, second factor or idle lock changed, here, on another replica, or while this server
 *       was down and the session was restored from disk), or the account is gone, disabled or locked;</li>
 *   <li>its principal predates authorization versions (a session persisted by an older release);</li>
 *   <li>it has shown no user activity ({@link UserActivity}) for longer than the idle timeout, unless an
 *       admin exempted the account from the idle lock.</li>
 * </ul>
 * The request is answered 401 with the reason and the browser signs in again, getting the rights
 * the account has now. A session the registry does not know (restored after a restart) is registered,
 * so that revocation reaches it. Requests without a session (HTTP Basic) read the account afresh anyway.
 */
final class SessionGuardFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(SessionGuardFilter.class);
  private static final long STARTED_AT_MILLIS = System.currentTimeMillis();

  private final SessionRegistry sessions;
  private final AuthorizationVersions versions;
  private final UserActivity activity;
  private final LiveSessionRegistry live;

  SessionGuardFilter(SessionRegistry sessions, AuthorizationVersions versions, UserActivity activity,
                     LiveSessionRegistry live) {
    this.sessions = sessions;
    this.versions = versions;
    this.activity = activity;
    this.live = live;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session = request.getSession(false);
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (session == null || auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
      chain.doFilter(request, response);
      return;
    }
    String why = check(auth, session, request);
    if (why != null) {
      log.info("ended a session of '{}': {}", auth.getName(), why);
      live.closeSession(session.getId());
      session.invalidate();
      SecurityContextHolder.clearContext();
      response.sendError(HttpServletResponse.SC_UNAUTHORIZED, why + "; sign in again");
      return;
    }
    if (sessions.getSessionInformation(session.getId()) == null) {
      sessions.registerNewSession(session.getId(), auth.getPrincipal());
    }
    chain.doFilter(request, response);
  }

  /** Why the session must end, or null. */
  private String check(Authentication auth, HttpSession session, HttpServletRequest request) {
    String sessionId = session.getId();
    if (!(auth.getPrincipal() instanceof SafeGridUser user)) {
      // principals of other authentication providers (none in production) carry no version; a
      // restored session holding one was persisted by a release before authorization versions
      return session.getCreationTime() < STARTED_AT_MILLIS ? "the session was made by an older release" : null;
    }
    Optional<AuthorizationVersions.State> state = versions.current(user.getUsername());
    if (state.isEmpty() || !state.get().usable()) {
      return "the account is disabled, locked or gone";
    }
    if (state.get().version() != user.authVersion()) {
      return "the account's rights or credentials changed";
    }
    if (UserActivity.isActivity(request) || activity.lastActivity(sessionId).isEmpty()) {
      activity.touch(sessionId);
    } else if (state.get().idleLock() && activity.idle(sessionId, activity.now())) {
      return "idle for longer than " + activity.idleTimeout().toMinutes() + " minutes";
    }
    return null;
  }
}
