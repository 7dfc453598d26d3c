package org.safegrid.server.security;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Pattern;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.audit.AuditLog.Outcome;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Changes to accounts: an admin's user administration and a user's own password change. Every
 * change is audited in its own transaction; changes that narrow what a signed-in user may do publish
 * {@link UserDisabled} or {@link UserAccessChanged} so open sessions and live streams are revoked.
 */
@Service
public class UserAdministration {

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,63}");
  private static final Pattern DISTRICT_CODE = Pattern.compile("[0-9]{6}");
  /** BCrypt only looks at the first 72 bytes; longer passwords would be silently truncated. */
  private static final int MAX_PASSWORD_BYTES = 72;

  /**
   * A new account.
   *
   * @param username     login name: lower-case letters, digits, {@code . _ -}, 2–64 characters
   * @param password     initial password, subject to the password policy
   * @param roles        at least one role
   * @param districtCode six-digit district code to confine the user to, or null
   */
  public record NewUser(String username, String password, List<Role> roles, String districtCode) {
  }

  private final JdbcClient jdbc;
  private final PasswordEncoder encoder;
  private final AuditLog audit;
  private final ApplicationEventPublisher events;
  private final SecurityProperties properties;

  public UserAdministration(JdbcClient jdbc, PasswordEncoder encoder, AuditLog audit, ApplicationEventPublisher events,
                            SecurityProperties properties) {
    this.jdbc = jdbc;
    this.encoder = encoder;
    this.audit = audit;
    this.events = events;
    this.properties = properties;
  }

  public List<UserAccount> listUsers() {
    return jdbc.sql(SELECT + " ORDER BY u.username").query(UserAdministration::account).list();
  }

  /** The account; throws {@link NoSuchElementException} when there is none. */
  public UserAccount getUser(String username) {
    return jdbc.sql(SELECT + " WHERE u.username = ?").param(username).query(UserAdministration::account).optional()
        .orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
  }

  @Transactional
  public UserAccount createUser(NewUser user) {
    if (user.username() == null || !USERNAME.matcher(user.username()).matches()) {
      throw new IllegalArgumentException("username must be 2-64 characters: lower-case letters, digits, '.', '_', '-'");
    }
    if (user.roles() == null || user.roles().isEmpty()) {
      throw new IllegalArgumentException("give the user at least one role");
    }
    checkDistrict(user.districtCode());
    checkPolicy(user.username(), user.password());
    boolean taken = jdbc.sql("SELECT count(*) FROM app_user WHERE username = ?").param(user.username())
        .query(Integer.class).single() > 0;
    if (taken) {
      throw new IllegalArgumentException("user '" + user.username() + "' exists already");
    }
    jdbc.sql("INSERT INTO app_user (username, password_hash, district_code) VALUES (?, ?, ?)")
        .params(user.username(), encoder.encode(user.password()), user.districtCode()).update();
    Set<Role> roles = EnumSet.copyOf(user.roles());
    insertRoles(user.username(), roles);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("roles", roles);
    detail.put("districtCode", user.districtCode());
    audit.record("user.create", "app_user", user.username(), Outcome.SUCCESS, detail);
    return getUser(user.username());
  }

  /** Replaces the roles of an account; the before and after are audited. */
  @Transactional
  public UserAccount setRoles(String username, List<Role> roles) {
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("give the user at least one role (disable the account to remove all access)");
    }
    UserAccount before = getUser(username);
    Set<Role> after = EnumSet.copyOf(roles);
    if (before.roles().contains(Role.ADMIN) && !after.contains(Role.ADMIN)) {
      requireAnotherAdmin(username);
    }
    jdbc.sql("DELETE FROM app_user_role WHERE username = ?").param(username).update();
    insertRoles(username, after);
    audit.record("user.roles", "app_user", username, Outcome.SUCCESS, Map.of("before", before.roles(), "after", after));
    events.publishEvent(new UserAccessChanged(username, "roles"));
    return getUser(username);
  }

  /** Enables or disables an account; disabling ends its sessions and live streams. */
  @Transactional
  public UserAccount setEnabled(String username, boolean enabled) {
    UserAccount before = getUser(username);
    if (!enabled && before.roles().contains(Role.ADMIN)) {
      requireAnotherAdmin(username);
    }
    jdbc.sql("UPDATE app_user SET enabled = ? WHERE username = ?").params(enabled, username).update();
    audit.record(enabled ? "user.enable" : "user.disable", "app_user", username, Outcome.SUCCESS,
        Map.of("wasEnabled", before.enabled()));
    if (!enabled) {
      events.publishEvent(new UserDisabled(username));
    }
    return getUser(username);
  }

  /** Confines an account to a district (six-digit code) or, with null, lets it see the whole city. */
  @Transactional
  public UserAccount setDistrict(String username, String districtCode) {
    checkDistrict(districtCode);
    UserAccount before = getUser(username);
    jdbc.sql("UPDATE app_user SET district_code = ? WHERE username = ?").params(districtCode, username).update();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("before", before.districtCode());
    detail.put("after", districtCode);
    audit.record("user.district", "app_user", username, Outcome.SUCCESS, detail);
    events.publishEvent(new UserAccessChanged(username, "district"));
    return getUser(username);
  }

  /** Sets whether the idle lock applies to the account's sessions; audited; its open sessions end. */
  @Transactional
  public UserAccount setIdleLock(String username, boolean idleLock) {
    UserAccount before = getUser(username);
    Boolean was = jdbc.sql("SELECT idle_lock FROM app_user WHERE username = ?").param(username).query(Boolean.class)
        .single();
    jdbc.sql("UPDATE app_user SET idle_lock = ? WHERE username = ?").params(idleLock, username).update();
    audit.record("user.idle_lock", "app_user", before.username(), Outcome.SUCCESS,
        Map.of("before", was, "after", idleLock));
    events.publishEvent(new UserAccessChanged(username, "idle lock"));
    return getUser(username);
  }

  /** Lifts a lockout before it runs out. */
  @Transactional
  public UserAccount unlock(String username) {
    UserAccount before = getUser(username);
    jdbc.sql("UPDATE app_user SET locked_until = NULL, login_backoff_until = NULL, failed_attempts = 0 WHERE username = ?").param(username).update();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("lockedUntil", before.lockedUntil() == null ? null : before.lockedUntil().toString());
    audit.record("account.unlock", "app_user", username, Outcome.SUCCESS, detail);
    return getUser(username);
  }

  /**
   * Changes a user's own password after checking the current one. A refusal is audited too (the
   * transaction commits the audit row and nothing else).
   */
  @Transactional(noRollbackFor = PasswordRejected.class)
  public void changePassword(String username, String currentPassword, String newPassword) {
    String hash = jdbc.sql("SELECT password_hash FROM app_user WHERE username = ?").param(username)
        .query(String.class).optional().orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
    if (currentPassword == null || !encoder.matches(currentPassword, hash)) {
      audit.record("user.password", "app_user", username, Outcome.FAILURE, Map.of("reason", "current password wrong"));
      throw new PasswordRejected("the current password is wrong");
    }
    try {
      checkPolicy(username, newPassword);
      if (newPassword.equals(currentPassword)) {
        throw new PasswordRejected("the new password must differ from the current one");
      }
    } catch (PasswordRejected e) {
      audit.record("user.password", "app_user", username, Outcome.FAILURE, Map.of("reason", e.getMessage()));
      throw e;
    }
    jdbc.sql("UPDATE app_user SET password_hash = ? WHERE username = ?").params(encoder.encode(newPassword), username)
        .update();
    audit.record("user.password", "app_user", username, Outcome.SUCCESS, Map.of());
  }

  /** The password policy: long enough, not the user name, within BCrypt's 72 bytes. */
  void checkPolicy(String username, String password) {
    int min = properties.minPasswordLength();
    if (password == null || password.codePointCount(0, password.length()) < min) {
      throw new PasswordRejected("the password must have at least " + min + " characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new PasswordRejected("the password must not be longer than " + MAX_PASSWORD_BYTES + " bytes");
    }
    if (password.toLowerCase().contains(username.toLowerCase())) {
      throw new PasswordRejected("the password must not contain the user name");
    }
  }

  private static void checkDistrict(String districtCode) {
    if (districtCode != null && !DISTRICT_CODE.matcher(districtCode).matches()) {
      throw new IllegalArgumentException("districtCode must be a six-digit administrative code, or null for the whole city");
    }
  }

  private void requireAnotherAdmin(String username) {
    int others = jdbc.sql("SELECT count(*) FROM app_user u JOIN app_user_role r ON r.username = u.username "
        + "WHERE r.role = 'ADMIN' AND u.enabled AND u.username <> ?").param(username).query(Integer.class).single();
    if (others == 0) {
      throw new IllegalArgumentException("'" + username + "' is the last enabled admin; make another admin first");
    }
  }

  private void insertRoles(String username, Set<Role> roles) {
    Role.requireForPeople(roles);
    for (Role r : roles) {
      jdbc.sql("INSERT INTO app_user_role (username, role) VALUES (?, ?)").params(username, r.name()).update();
    }
  }

  private static final String SELECT = "SELECT u.username, u.enabled, u.district_code, "
      + "greatest(u.locked_until, u.login_backoff_until) AS locked_until, "
      + "u.failed_attempts, u.totp_enabled, u.created_at, "
      + "coalesce((SELECT array_agg(role ORDER BY role) FROM app_user_role r WHERE r.username = u.username), '{}') AS roles "
      + "FROM app_user u";

  private static UserAccount account(ResultSet rs, int n) throws SQLException {
    String[] roles = (String[]) rs.getArray("roles").getArray();
    OffsetDateTime locked = rs.getObject("locked_until", OffsetDateTime.class);
    return new UserAccount(rs.getString("username"), rs.getBoolean("enabled"),
        java.util.Arrays.stream(roles).map(Role::valueOf).sorted().toList(), rs.getString("district_code"),
        locked == null ? null : locked.toInstant(), rs.getInt("failed_attempts"), rs.getBoolean("totp_enabled"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }
}
