package org.safegrid.server.security;

import java.sql.Timestamp;
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
 * Turns Spring Security's authentication events into audit rows and the lockout counter: each
 * failed password (form or HTTP Basic) counts; at {@code max-failed-logins} in a row the account is
 * locked for {@code lock-duration} and the lock is audited; a success resets the count.
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

  LoginEventListener(JdbcClient jdbc, AuditLog audit, SecurityProperties properties, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.properties = properties;
    this.meters = meters;
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
    Instant lockUntil = Instant.now().plus(properties.lockDuration());
    // one statement: concurrent failures cannot both read the old count
    var locked = jdbc.sql("UPDATE app_user SET "
            + "locked_until = CASE WHEN failed_attempts + 1 >= :max THEN :until ELSE locked_until END, "
            + "failed_attempts = CASE WHEN failed_attempts + 1 >= :max THEN 0 ELSE failed_attempts + 1 END "
            + "WHERE username = :u RETURNING locked_until = :until AS locked_now")
        .param("max", properties.maxFailedLogins()).param("until", Timestamp.from(lockUntil)).param("u", username)
        .query(Boolean.class).optional();
    if (locked.orElse(false)) {
      log.warn("account '{}' locked until {} after {} failed logins", username, lockUntil, properties.maxFailedLogins());
      meters.counter("safegrid.security.account.locks").increment();
      audit.recordFrom(username, ip, "account.lock", "app_user", username, Outcome.SUCCESS,
          Map.of("until", lockUntil.toString(), "failedLogins", properties.maxFailedLogins()));
    }
  }

  @EventListener
  @Transactional
  public void onSuccess(AuthenticationSuccessEvent event) {
    jdbc.sql("UPDATE app_user SET failed_attempts = 0 WHERE username = ? AND failed_attempts > 0")
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
