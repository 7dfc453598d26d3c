package org.safegrid.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a signed-in session on the first request that finds it no longer entitled to go on:
 * <ul>
 *   <li>it was ended ({@link SessionRevocation}: the account's rights or password changed, on any
 *       replica; or its live stream found it idle) — browsers asking for a page go to the login page;</li>
 *   <li>its authorization version is not the account's any more (roles, district, enabled state,
 *       password, second factor or idle lock changed, on this replica, on another one or at the SQL
 *       prompt), or the account is gone, disabled or locked;</li>
 *   <li>it has shown no user activity ({@link UserActivity}) for longer than the idle timeout, unless an
 *       admin exempted the account from the idle lock.</li>
 * </ul>
 * The request is answered 401 with the reason and the browser signs in again, getting the rights
 * the account has now. Sessions are kept in the shared session store, so the same checks hold on
 * whichever replica a request reaches. Requests without a session (HTTP Basic) read the account afresh anyway.
 */
final class SessionGuardFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(SessionGuardFilter.class);
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
    // the mark of a session ended elsewhere is in the shared store (this filter, unlike Spring Security's
    // ConcurrentSessionFilter, skips the dispatch that completes a closed live stream: its response is done)
    SessionInformation info = sessions.getSessionInformation(session.getId());
    boolean ended = info != null && info.isExpired();
    String why = ended ? "the session was ended" : check(auth, session, request);
    if (why != null) {
      log.info("ended a session of '{}': {}", auth.getName(), why);
      live.closeSession(session.getId());
      session.invalidate();
      SecurityContextHolder.clearContext();
      if (ended && SecurityConfig.browserPage().matches(request)) {
        response.sendRedirect(request.getContextPath() + "/login.html?expired");
      } else {
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED, why + "; sign in again");
      }
      return;
    }
    chain.doFilter(request, response);
  }

  /** Why the session must end, or null. */
  private String check(Authentication auth, HttpSession session, HttpServletRequest request) {
    if (!(auth.getPrincipal() instanceof SafeGridUser user)) {
      return null; // principals of other authentication providers (none in production) carry no version
    }
    Optional<AuthorizationVersions.State> state = versions.current(user.getUsername());
    if (state.isPresent() && state.get().version() < user.authVersion()) {
      // versions only go up: a session newer than this replica's cached state (the change was made on
      // another replica within the cache's second) means the cache is stale, not the session
      versions.forget(user.getUsername());
      state = versions.current(user.getUsername());
    }
    if (state.isEmpty() || !state.get().usable()) {
      return "the account is disabled, locked or gone";
    }
    if (state.get().version() != user.authVersion()) {
      return "the account's rights or credentials changed";
    }
    Optional<Instant> last = activity.lastActivity(session);
    if (UserActivity.isActivity(request) || last.isEmpty()) {
      activity.touch(session);
    } else if (state.get().idleLock() && activity.idle(last.get(), activity.now())) {
      return "idle for longer than " + activity.idleTimeout().toMinutes() + " minutes";
    }
    return null;
  }
}
