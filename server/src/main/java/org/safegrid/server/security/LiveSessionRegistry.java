package org.safegrid.server.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.stereotype.Component;

/**
 * The open long-lived responses (SSE emitters, WebSockets) per user and session, so the server can
 * close them when the user is disabled, its rights change, or its session expires or idles out.
 *
 * <p>A live-stream endpoint registers each stream when it opens and closes the registration when the
 * stream ends on its own:
 * <pre>{@code
 * SseEmitter emitter = new SseEmitter(0L);
 * var reg = liveSessions.register(auth.getName(), request.getRequestedSessionId(), emitter::complete);
 * emitter.onCompletion(reg::close);
 * emitter.onTimeout(reg::close);
 * emitter.onError(e -> reg.close());
 * }</pre>
 * Pass a null session id for clients without a session (HTTP Basic); their streams end only when the
 * user is disabled or its rights change. A stream with a session is closed when the session is
 * signed out, ended by the session guard, expired by an admin or a password change (on any replica:
 * the session store is shared), gone from the store, or idle longer than
 * {@code server.servlet.session.timeout} (checked every {@code safegrid.security.live-session-check};
 * the stream itself is not activity).
 * Thread-safe; closers run on the calling or scheduler thread and must not block.
 */
@Component
public class LiveSessionRegistry implements SchedulingConfigurer {

  private static final Logger log = LoggerFactory.getLogger(LiveSessionRegistry.class);

  /** One open stream; {@link #close()} forgets it without running its closer (the stream ended on its own). */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  private record Entry(long id, String username, String sessionId, Runnable closer) {
  }

  private final Map<Long, Entry> open = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final SessionRegistry sessions;
  private final Duration idleTimeout;
  private final Duration checkEvery;
  private final UserActivity activity;
  private final AuthorizationVersions versions;

  public LiveSessionRegistry(SessionRegistry sessions, ServerProperties server, SecurityProperties properties,
                             UserActivity activity, AuthorizationVersions versions) {
    this.sessions = sessions;
    this.checkEvery = properties.liveSessionCheck();
    Duration t = server.getServlet().getSession().getTimeout();
    this.idleTimeout = t == null ? Duration.ofMinutes(30) : t;
    this.activity = activity;
    this.versions = versions;
  }

  /** Registers an open stream of {@code username} (session id may be null) closed by running {@code closer}. */
  public Registration register(String username, String sessionId, Runnable closer) {
    Entry e = new Entry(ids.incrementAndGet(), username, sessionId, closer);
    open.put(e.id(), e);
    return () -> open.remove(e.id());
  }

  /** Closes every stream of a user except those of one session (null: all of them); returns how many. */
  public int closeUserExcept(String username, String keepSessionId) {
    return closeWhere(e -> e.username().equals(username) && (keepSessionId == null || !keepSessionId.equals(e.sessionId())),
        "other sessions of " + username);
  }

  /** Closes every stream opened in a session; returns how many. */
  public int closeSession(String sessionId) {
    return closeWhere(e -> sessionId.equals(e.sessionId()), "session ended");
  }

  /** Number of open streams. */
  public int openCount() {
    return open.size();
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::closeExpired, checkEvery);
  }

  /**
   * Closes streams whose session was expired or has shown no user activity ({@link UserActivity}:
   * the stream itself and background polling do not count) for longer than the session timeout,
   * unless the account is exempt from the idle lock.
   */
  public void closeExpired() {
    closeExpired(Instant.now());
  }

  /** As {@link #closeExpired()}, at a given time; returns how many streams were closed. */
  int closeExpired(Instant now) {
    Date idleSince = Date.from(now.minus(idleTimeout));
    return closeWhere(e -> {
      if (e.sessionId() == null) {
        return false;
      }
      SessionInformation info = sessions.getSessionInformation(e.sessionId());
      if (info == null) {
        return true; // signed out, or timed out and deleted from the session store
      }
      Instant last = activity.lastActivity(e.sessionId()).orElse(info.getLastRequest().toInstant());
      if (!info.isExpired() && last.isBefore(idleSince.toInstant())
          && versions.current(e.username()).map(AuthorizationVersions.State::idleLock).orElse(true)) {
        info.expireNow();
      }
      return info.isExpired();
    }, "session expired or idle");
  }

  private int closeWhere(java.util.function.Predicate<Entry> which, String why) {
    List<Entry> closing = open.values().stream().filter(which).toList();
    int n = 0;
    for (Entry e : closing) {
      if (open.remove(e.id()) != null) {
        try {
          e.closer().run();
        } catch (RuntimeException ex) {
          log.warn("closing a live stream of '{}' failed: {}", e.username(), ex.toString());
        }
        n++;
      }
    }
    if (n > 0) {
      log.info("closed {} live stream(s): {}", n, why);
    }
    return n;
  }
}
