package org.safegrid.server.security;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The optional TOTP second factor: enrolment (a pending secret, enabled once the user proves it with a
 * code), verification at login with a one-step drift window and no reuse of a code, and an admin's
 * reset. Secrets are stored encrypted in {@code app_user.totp_secret} ({@link TotpSecretCipher}); clear
 * secrets left by an older release are encrypted when the server starts.
 */
@Service
public class TotpService {

  /**
   * A pending enrolment to show the user once.
   *
   * @param secret     Base32 secret to type into an authenticator app
   * @param otpauthUri the same as an {@code otpauth://} URI for a QR code
   */
  public record Enrolment(String secret, String otpauthUri) {
  }

  private static final int DRIFT_STEPS = 1;

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final SecurityProperties properties;
  private final ApplicationEventPublisher events;
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final TotpSecretCipher cipher;

  @Autowired
  public TotpService(JdbcClient jdbc, AuditLog audit, SecurityProperties properties, ApplicationEventPublisher events) {
    this(jdbc, audit, properties, events, Clock.systemUTC());
  }

  TotpService(JdbcClient jdbc, AuditLog audit, SecurityProperties properties, ApplicationEventPublisher events,
              Clock clock) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.properties = properties;
    this.events = events;
    this.clock = clock;
    this.cipher = TotpSecretCipher.from(properties);
  }

  /** Encrypts the clear secrets an older release stored; returns how many. Runs at start-up. */
  @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
  @Transactional
  public int encryptClearSecrets() {
    var clear = jdbc.sql("SELECT username, totp_secret FROM app_user WHERE totp_secret IS NOT NULL "
            + "AND totp_secret NOT LIKE 'v1:%' FOR UPDATE")
        .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
    for (String[] row : clear) {
      jdbc.sql("UPDATE app_user SET totp_secret = ? WHERE username = ?")
          .params(cipher.encrypt(row[0], row[1]), row[0]).update();
    }
    if (!clear.isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(TotpService.class).info("encrypted {} TOTP secrets stored in clear", clear.size());
    }
    return clear.size();
  }

  /** Whether login for this user needs a TOTP code. */
  public boolean isEnabled(String username) {
    return jdbc.sql("SELECT totp_enabled FROM app_user WHERE username = ?").param(username).query(Boolean.class)
        .optional().orElse(false);
  }

  /** Creates a pending secret; refused while a second factor is already enabled. */
  @Transactional
  public Enrolment beginEnrolment(String username) {
    Boolean enabled = jdbc.sql("SELECT totp_enabled FROM app_user WHERE username = ?").param(username)
        .query(Boolean.class).optional().orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
    if (enabled) {
      throw new IllegalArgumentException("a second factor is already enabled; an admin can reset it");
    }
    byte[] secret = new byte[20];
    random.nextBytes(secret);
    String base32 = Totp.base32(secret);
    jdbc.sql("UPDATE app_user SET totp_secret = ?, totp_last_step = NULL WHERE username = ?")
        .params(cipher.encrypt(username, base32), username).update();
    audit.record("user.totp.begin", "app_user", username, Outcome.SUCCESS, Map.of());
    String issuer = URLEncoder.encode(properties.totpIssuer(), StandardCharsets.UTF_8).replace("+", "%20");
    String uri = "otpauth://totp/" + issuer + ":" + URLEncoder.encode(username, StandardCharsets.UTF_8)
        + "?secret=" + base32 + "&issuer=" + issuer + "&algorithm=SHA1&digits=6&period=" + Totp.STEP_SECONDS;
    return new Enrolment(base32, uri);
  }

  /** Enables the pending secret when {@code code} matches it; a wrong code is audited and refused. */
  @Transactional(noRollbackFor = IllegalArgumentException.class)
  public void confirmEnrolment(String username, String code) {
    String secret = jdbc.sql("SELECT totp_secret FROM app_user WHERE username = ? AND NOT totp_enabled")
        .param(username).query(String.class).optional().orElse(null);
    if (secret == null) {
      throw new IllegalArgumentException("no pending enrolment; start one with POST /api/me/totp");
    }
    if (!consume(username, secret, code)) {
      audit.record("user.totp.enable", "app_user", username, Outcome.FAILURE, Map.of("reason", "wrong code"));
      throw new IllegalArgumentException("the code does not match; check the authenticator app's clock");
    }
    jdbc.sql("UPDATE app_user SET totp_enabled = true WHERE username = ?").param(username).update();
    audit.record("user.totp.enable", "app_user", username, Outcome.SUCCESS, Map.of());
  }

  /** Checks a login code for an enabled second factor and marks its step used. */
  @Transactional
  public boolean verifyLogin(String username, String code) {
    String secret = jdbc.sql("SELECT totp_secret FROM app_user WHERE username = ? AND totp_enabled")
        .param(username).query(String.class).optional().orElse(null);
    return secret != null && consume(username, secret, code);
  }

  /** Removes an account's second factor (an admin's action, audited). */
  @Transactional
  public void reset(String username) {
    int n = jdbc.sql("UPDATE app_user SET totp_secret = NULL, totp_enabled = false, totp_last_step = NULL "
        + "WHERE username = ?").param(username).update();
    if (n == 0) {
      throw new NoSuchElementException("no user '" + username + "'");
    }
    audit.record("user.totp.reset", "app_user", username, Outcome.SUCCESS, Map.of());
    events.publishEvent(new UserAccessChanged(username, "second factor reset"));
  }

  /** True when the code matches a step later than the last one used; records that step. */
  private boolean consume(String username, String stored, String code) {
    long step = Totp.matchingStep(Totp.fromBase32(cipher.decrypt(username, stored)), code, clock.instant(),
        DRIFT_STEPS);
    if (step < 0) {
      return false;
    }
    // a code is good once: the update only succeeds for a step later than the last used one
    return jdbc.sql("UPDATE app_user SET totp_last_step = ? WHERE username = ? "
            + "AND (totp_last_step IS NULL OR totp_last_step < ?)")
        .params(step, username, step).update() == 1;
  }
}
