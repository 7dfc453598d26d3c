package org.safegrid.server.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.http.HttpMethod;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.stereotype.Component;

/**
 * When each signed-in browser session last showed a person at work, for the idle lock.
 *
 * <p>Only what a person does counts: an action (any request that is not a GET or HEAD), opening a
 * page, and {@code POST /api/activity}, which the map sends (at most once a minute) when someone
 * moves the mouse, types, scrolls or touches it. The map's background polling and its live stream are
 * GETs of the API and do not count, so a screen left alone locks after the idle timeout
 * ({@code server.servlet.session.timeout}) although it keeps asking for data.
 *
 * <p>The time is an attribute of the session ({@value #ATTRIBUTE}), kept with it in the shared session
 * store: a session that moves to another replica keeps its idle clock. Thread-safe.
 */
@Component
public class UserActivity {

  /** The session attribute that holds the {@link Instant} of the last activity. */
  static final String ATTRIBUTE = "safegrid.lastActivity";

  private final SessionRepository<? extends Session> store;
  private final Duration idleTimeout;
  private volatile Clock clock = Clock.systemUTC();

  public UserActivity(ServerProperties server, SessionRepository<? extends Session> store) {
    Duration t = server.getServlet().getSession().getTimeout();
    this.idleTimeout = t == null ? Duration.ofMinutes(30) : t;
    this.store = store;
  }

  /** The idle timeout. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** True for requests a person makes (see the class comment), false for background reads. */
  static boolean isActivity(HttpServletRequest request) {
    String method = request.getMethod();
    if (!HttpMethod.GET.matches(method) && !HttpMethod.HEAD.matches(method)) {
      return true;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    // a page opened (or reloaded) by a person; scripts, styles and API reads are not
    return path.equals("/") || path.endsWith(".html");
  }

  /** Records activity of the session now. */
  public void touch(HttpSession session) {
    session.setAttribute(ATTRIBUTE, clock.instant());
  }

  /** When the session last showed activity, if it ever did. */
  public Optional<Instant> lastActivity(HttpSession session) {
    return Optional.ofNullable((Instant) session.getAttribute(ATTRIBUTE));
  }

  /** When the stored session {@code sessionId} last showed activity; empty when it never did or is gone. */
  public Optional<Instant> lastActivity(String sessionId) {
    Session s = store.findById(sessionId);
    return s == null ? Optional.empty() : Optional.ofNullable(s.getAttribute(ATTRIBUTE));
  }

  /** True when activity last seen at {@code last} is longer ago than the idle timeout at {@code now}. */
  public boolean idle(Instant last, Instant now) {
    return last.plus(idleTimeout).isBefore(now);
  }

  /** The current time of this tracker. */
  public Instant now() {
    return clock.instant();
  }

  /** Lets a test move the tracker's clock. */
  void useClock(Clock clock) {
    this.clock = clock;
  }
}
