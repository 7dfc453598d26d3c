package org.safegrid.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Brings signed-in sessions the session registry does not know back under its control: sessions
 * restored from disk after a restart ({@code server.servlet.session.persistent}) were never
 * registered, so disabling their user could not end them. On the first request of a session created
 * before this server started (one that cannot have come through this server's login) the
 * account is re-checked in {@code app_user}; a missing, disabled or locked account ends the session
 * (401), otherwise the session is registered like a fresh login.
 */
final class RestoredSessionFilter extends OncePerRequestFilter {

  private final org.springframework.security.core.session.SessionRegistry sessions;
  private final JdbcClient jdbc;
  /** Sessions created before this are restored ones; sessions created since were registered at login. */
  private static volatile long startedAtMillis = System.currentTimeMillis();

  /** Lets a test treat the sessions it made as restored ones (as if the server started at {@code millis}). */
  static void serverStartedAt(long millis) {
    startedAtMillis = millis;
  }

  RestoredSessionFilter(org.springframework.security.core.session.SessionRegistry sessions, JdbcClient jdbc) {
    this.sessions = sessions;
    this.jdbc = jdbc;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session = request.getSession(false);
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (session != null && session.getCreationTime() < startedAtMillis && auth != null && auth.isAuthenticated() && !(auth instanceof AnonymousAuthenticationToken)
        && sessions.getSessionInformation(session.getId()) == null) {
      boolean usable = jdbc.sql("SELECT enabled AND (locked_until IS NULL OR locked_until <= now()) FROM app_user "
          + "WHERE username = ?").param(auth.getName()).query(Boolean.class).optional().orElse(false);
      if (!usable) {
        session.invalidate();
        SecurityContextHolder.clearContext();
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "session ended; sign in again");
        return;
      }
      sessions.registerNewSession(session.getId(), auth.getPrincipal());
    }
    chain.doFilter(request, response);
  }
}
