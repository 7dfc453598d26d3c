package org.safegrid.server.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per source address, with a backoff: after {@code maxFailuresPerAddress} failures from
 * one address (on any accounts, a password spray included) its next login attempts are refused until
 * a wait that starts at {@code base} and doubles with each further failure, up to {@code cap}. A
 * success from the address does not reset the count (an attacker holding one good account must not be
 * able to wash its failures away with it); the count is forgotten after {@code forgetAfter} without a
 * failure. The per-account backoff lives in the database ({@code app_user.login_backoff_until}).
 *
 * <p>In memory, per server: several replicas each count their own share. At most {@code MAX_ADDRESSES}
 * addresses are held; stale ones are swept when it fills. Thread-safe.
 */
public final class LoginThrottle {

  static final int MAX_ADDRESSES = 100_000;

  private record Entry(int failures, Instant lastFailure, Instant blockedUntil) {
  }

  private final ConcurrentHashMap<String, Entry> byAddress = new ConcurrentHashMap<>();
  private final int maxFailuresPerAddress;
  private final Duration base;
  private final Duration cap;
  private final Duration forgetAfter;
  private volatile Clock clock = Clock.systemUTC();

  public LoginThrottle(int maxFailuresPerAddress, Duration base, Duration cap, Duration forgetAfter) {
    this.maxFailuresPerAddress = maxFailuresPerAddress;
    this.base = base;
    this.cap = cap;
    this.forgetAfter = forgetAfter;
  }

  /** The wait after {@code failures} failures when {@code threshold} are allowed: none below it, then doubling. */
  public static Duration backoff(int failures, int threshold, Duration base, Duration cap) {
    if (failures < threshold) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - threshold, 30);
    Duration d = base.multipliedBy(1L << doublings);
    return d.compareTo(cap) > 0 ? cap : d;
  }

  /** How long the address must still wait before its next login attempt, if it must. */
  public Optional<Duration> retryAfter(String address) {
    Entry e = address == null ? null : byAddress.get(address);
    Instant now = clock.instant();
    if (e == null || e.blockedUntil() == null || !e.blockedUntil().isAfter(now)) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, e.blockedUntil()));
  }

  /** Counts a failed login from the address; returns the wait it now has to keep, zero for none. */
  public Duration failed(String address) {
    if (address == null) {
      return Duration.ZERO;
    }
    Instant now = clock.instant();
    if (byAddress.size() >= MAX_ADDRESSES) {
      byAddress.values().removeIf(e -> stale(e, now));
    }
    Entry e = byAddress.compute(address, (k, old) -> {
      int failures = old == null || stale(old, now) ? 1 : old.failures() + 1;
      Duration wait = backoff(failures, maxFailuresPerAddress, base, cap);
      return new Entry(failures, now, wait.isZero() ? null : now.plus(wait));
    });
    return e.blockedUntil() == null ? Duration.ZERO : Duration.between(now, e.blockedUntil());
  }

  private boolean stale(Entry e, Instant now) {
    return e.lastFailure().plus(forgetAfter).isBefore(now)
        && (e.blockedUntil() == null || e.blockedUntil().isBefore(now));
  }

  /** Lets a test move the throttle's clock. */
  void useClock(Clock clock) {
    this.clock = clock;
  }
}
