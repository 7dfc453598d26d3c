package org.safegrid.server.security;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.session.HttpSessionDestroyedEvent;
import org.springframework.stereotype.Component;

/**
 * When each signed-in browser session last showed a person at work, for the idle lock.
 *
 * <p>Only what a person does counts: an action (any request that is not a GET or HEAD), opening a
 * page, and {@code POST /api/activity}, which the map sends (at most once a minute) when someone
 * moves the mouse, types, scrolls or touches it. The map's background polling and its live stream are
 * GETs of the API and do not count, so a screen left alone locks after the idle timeout
 * ({@code server.servlet.session.timeout}) although it keeps asking for data. Thread-safe.
 */
@Component
public class UserActivity {

  private final ConcurrentHashMap<String, Instant> lastActivity = new ConcurrentHashMap<>();
  private final Duration idleTimeout;
  private volatile Clock clock = Clock.systemUTC();

  public UserActivity(ServerProperties server) {
    Duration t = server.getServlet().getSession().getTimeout();
    this.idleTimeout = t == null ? Duration.ofMinutes(30) : t;
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
  public void touch(String sessionId) {
    lastActivity.put(sessionId, clock.instant());
  }

  /** When the session last showed activity, if it has since this server started. */
  public Optional<Instant> lastActivity(String sessionId) {
    return Optional.ofNullable(lastActivity.get(sessionId));
  }

  /** True when the session has shown no activity for longer than the idle timeout at {@code now}. */
  public boolean idle(String sessionId, Instant now) {
    Instant last = lastActivity.get(sessionId);
    return last != null && last.plus(idleTimeout).isBefore(now);
  }

  /** The current time of this tracker. */
  public Instant now() {
    return clock.instant();
  }

  /** Lets a test move the tracker's clock. */
  void useClock(Clock clock) {
    this.clock = clock;
  }

  @EventListener
  void onSessionDestroyed(HttpSessionDestroyedEvent event) {
    lastActivity.remove(event.getId());
  }
}
