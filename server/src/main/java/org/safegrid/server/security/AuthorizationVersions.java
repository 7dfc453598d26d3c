package org.safegrid.server.security;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The current authorization state of accounts as {@code app_user} holds it: version, whether the
 * account may sign in, and whether its sessions are subject to the idle lock. Read at most once per
 * account per {@link #MAX_AGE} (changes made in this process are seen at once: {@link #forget}), so
 * the check on every request costs a map lookup. Thread-safe.
 */
@Component
public class AuthorizationVersions {

  /** How long a read state is trusted; a change made by another replica or at the SQL prompt shows within it. */
  static final Duration MAX_AGE = Duration.ofSeconds(1);

  /**
   * An account's state.
   *
   * @param version  {@code auth_version}
   * @param usable   enabled and not locked
   * @param idleLock whether the idle lock applies to its sessions
   */
  public record State(long version, boolean usable, boolean idleLock) {
  }

  private record Cached(State state, long readAtNanos) {
  }

  private final JdbcClient jdbc;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public AuthorizationVersions(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The account's state, or empty when it no longer exists. */
  public Optional<State> current(String username) {
    long now = System.nanoTime();
    Cached c = cache.get(username);
    if (c != null && now - c.readAtNanos() < MAX_AGE.toNanos()) {
      return Optional.of(c.state());
    }
    Optional<State> s = jdbc.sql("SELECT auth_version, enabled AND (locked_until IS NULL OR locked_until <= now()), "
            + "idle_lock FROM app_user WHERE username = ?").param(username)
        .query((rs, n) -> new State(rs.getLong(1), rs.getBoolean(2), rs.getBoolean(3))).optional();
    s.ifPresentOrElse(state -> cache.put(username, new Cached(state, now)), () -> cache.remove(username));
    return s;
  }

  /** Drops what is known of the account, so the next check reads it again. */
  public void forget(String username) {
    cache.remove(username);
  }
}
