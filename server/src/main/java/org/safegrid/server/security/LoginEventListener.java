package org.safegrid.server.security;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import io.micrometer.core.instrument.MeterRegistry;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.authentication.event.AuthenticationFailureDisabledEvent;
import org.springframework.security.authentication.event.AuthenticationFailureLockedEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.authentication.event.InteractiveAuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns Spring Security's authentication events into audit rows and the login throttles: each failed
 * password (form or HTTP Basic) counts for the account and for the source address. From
 * {@code max-failed-logins} in a row the account's next password check waits (1 s, 2 s, 4 s ... up to
 * {@code lock-duration}), audited as {@code account.backoff}; its open sessions go on. An address past
 * {@code max-failed-logins-per-address} gets 429 for a doubling wait ({@link LoginThrottle}), audited as
 * {@code login.throttle}. A success resets the account's count, not the address's.
 *
 * <p>Form logins are audited on success; HTTP Basic authenticates every request of an API client, so
 * its successes only reset the counter (failures are always audited).
 */
@Component
class LoginEventListener {

  private static final Logger log = LoggerFactory.getLogger(LoginEventListener.class);

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final SecurityProperties properties;
  private final MeterRegistry meters;
  private final LoginThrottle throttle;

  LoginEventListener(JdbcClient jdbc, AuditLog audit, SecurityProperties properties, MeterRegistry meters,
                     LoginThrottle throttle) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.properties = properties;
    this.meters = meters;
    this.throttle = throttle;
  }

  @EventListener
  @Transactional
  public void onFailure(AbstractAuthenticationFailureEvent event) {
    Authentication attempt = event.getAuthentication();
    String username = attempt.getName();
    String ip = sourceIp(attempt);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("reason", reason(event));
    detail.put("method", method(attempt));
    audit.recordFrom(username, ip, "login", "app_user", username, Outcome.FAILURE, detail);
    meters.counter("safegrid.security.login.failures", "reason", (String) detail.get("reason")).increment();
    if (event instanceof AuthenticationFailureBadCredentialsEvent) {
      countFailure(username, ip);
    }
  }

  private void countFailure(String username, String ip) {
    // the account: after max-failed-logins in a row each next check waits, doubling up to lock-duration;
    // one statement, so concurrent failures cannot both read the old count
    long baseMs = properties.loginBackoff().toMillis();
    long capMs = properties.lockDuration().toMillis();
    var backoff = jdbc.sql("UPDATE app_user SET failed_attempts = failed_attempts + 1, "
            + "login_backoff_until = CASE WHEN failed_attempts + 1 >= :max THEN clock_timestamp() + make_interval("
            + "secs => least(:cap, :base * power(2, least(failed_attempts + 1 - :max, 30))) / 1000.0) "
            + "ELSE login_backoff_until END "
            + "WHERE username = :u RETURNING failed_attempts, login_backoff_until")
        .param("max", properties.maxFailedLogins()).param("base", baseMs).param("cap", capMs).param("u", username)
        .query((rs, n) -> new Object[] {rs.getInt(1), rs.getObject(2, java.time.OffsetDateTime.class)}).optional();
    if (backoff.isPresent() && (Integer) backoff.get()[0] >= properties.maxFailedLogins()) {
      Instant until = ((java.time.OffsetDateTime) backoff.get()[1]).toInstant();
      log.warn("account '{}': {} failed logins in a row; next password check not before {}", username,
          backoff.get()[0], until);
      meters.counter("safegrid.security.account.backoffs").increment();
      audit.recordFrom(username, ip, "account.backoff", "app_user", username, Outcome.SUCCESS,
          Map.of("until", until.toString(), "failedLogins", backoff.get()[0]));
    }
    // the source address, whatever the account (a password spray)
    java.time.Duration wait = throttle.failed(ip);
    if (!wait.isZero()) {
      log.warn("address {}: too many failed logins; its login attempts wait {} s", ip, wait.toSeconds());
      meters.counter("safegrid.security.address.backoffs").increment();
      audit.recordFrom(username, ip, "login.throttle", "source_address", ip, Outcome.DENIED,
          Map.of("waitSeconds", wait.toSeconds()));
    }
  }

  @EventListener
  @Transactional
  public void onSuccess(AuthenticationSuccessEvent event) {
    jdbc.sql("UPDATE app_user SET failed_attempts = 0, login_backoff_until = NULL WHERE username = ? AND failed_attempts > 0")
        .param(event.getAuthentication().getName()).update();
  }

  @EventListener
  @Transactional
  public void onInteractiveSuccess(InteractiveAuthenticationSuccessEvent event) {
    Authentication auth = event.getAuthentication();
    audit.recordFrom(auth.getName(), sourceIp(auth), "login", "app_user", auth.getName(), Outcome.SUCCESS,
        Map.of("method", "form"));
  }

  private static String reason(AbstractAuthenticationFailureEvent event) {
    if (SecondFactorAuthenticationProvider.TOTP_REQUIRED.equals(event.getException().getMessage())) {
      return "totp";
    } else if (event instanceof AuthenticationFailureBadCredentialsEvent) {
      return "bad_credentials";
    } else if (event instanceof AuthenticationFailureLockedEvent) {
      return "locked";
    } else if (event instanceof AuthenticationFailureDisabledEvent) {
      return "disabled";
    }
    return event.getException().getClass().getSimpleName();
  }

  private static String method(Authentication attempt) {
    var attrs = org.springframework.web.context.request.RequestContextHolder.getRequestAttributes();
    if (attrs instanceof org.springframework.web.context.request.ServletRequestAttributes s) {
      String header = s.getRequest().getHeader("Authorization");
      return header != null && header.regionMatches(true, 0, "Basic ", 0, 6) ? "basic" : "form";
    }
    return "unknown";
  }

  private static String sourceIp(Authentication auth) {
    if (auth.getDetails() instanceof WebAuthenticationDetails d && d.getRemoteAddress() != null) {
      return d.getRemoteAddress();
    }
    return AuditLog.currentSourceIp();
  }
}
