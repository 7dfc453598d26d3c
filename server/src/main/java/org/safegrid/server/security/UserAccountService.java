package org.safegrid.server.security;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Local accounts stored in {@code app_user}/{@code app_user_role}, with BCrypt password hashes. */
@Service
public class UserAccountService implements UserDetailsService {

  private static final Logger log = LoggerFactory.getLogger(UserAccountService.class);

  private final JdbcClient jdbc;
  private final PasswordEncoder encoder;
  private final SecurityProperties properties;

  public UserAccountService(JdbcClient jdbc, PasswordEncoder encoder, SecurityProperties properties) {
    this.jdbc = jdbc;
    this.encoder = encoder;
    this.properties = properties;
  }

  @Override
  public UserDetails loadUserByUsername(String username) {
    var row = jdbc.sql("SELECT username, password_hash, enabled, coalesce(locked_until > now(), false) OR coalesce(login_backoff_until > now(), false) AS locked, "
            + "auth_version FROM app_user WHERE username = ?")
        .param(username)
        .query((rs, n) -> new Object[] {rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getLong(5)})
        .optional()
        .orElseThrow(() -> new UsernameNotFoundException("no such user"));
    List<SimpleGrantedAuthority> roles = jdbc.sql("SELECT role FROM app_user_role WHERE username = ?")
        .param(username)
        .query((rs, n) -> new SimpleGrantedAuthority("ROLE_" + rs.getString(1)))
        .list();
    return new SafeGridUser((String) row[0], (String) row[1], (Boolean) row[2], !(Boolean) row[3], roles, (Long) row[4]);
  }

  /** Creates a user with the given roles; fails if the name is taken. */
  @Transactional
  public void createUser(String username, String rawPassword, List<Role> roles) {
    Role.requireForPeople(roles);
    jdbc.sql("INSERT INTO app_user (username, password_hash) VALUES (?, ?)")
        .params(username, encoder.encode(rawPassword)).update();
    for (Role r : roles) {
      jdbc.sql("INSERT INTO app_user_role (username, role) VALUES (?, ?)").params(username, r.name()).update();
    }
  }

  /** Logged when SAFEGRID_ADMIN_PASSWORD is set but the existing admin account has another password. */
  public static final String ADMIN_PASSWORD_IGNORED = "SAFEGRID_ADMIN_PASSWORD is not the password of the existing "
      + "'admin' account, which keeps the password it was created with; change it with POST /api/me/password";

  /** Makes sure the {@code admin} account exists; never overwrites an existing password. */
  @EventListener(ApplicationReadyEvent.class)
  @Transactional
  public void ensureAdmin() {
    var hash = jdbc.sql("SELECT password_hash FROM app_user WHERE username = 'admin'").query(String.class).optional();
    if (hash.isPresent()) {
      String given = properties.adminPassword();
      if (given != null && !given.isBlank() && !encoder.matches(given, hash.get())) {
        // the first start's password stands; say so, so that no one hands out the configured one
        log.warn(ADMIN_PASSWORD_IGNORED);
      }
      return;
    }
    String password = properties.adminPassword();
    if (password == null || password.isBlank()) {
      byte[] b = new byte[18];
      new SecureRandom().nextBytes(b);
      password = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      // never logged: logs are collected and kept where a password must not be
      java.nio.file.Path file = properties.secretsDir().resolve("admin-password");
      SecretFile.write(file, password);
      log.warn("Created account 'admin' with a generated password, written to {} (readable by this OS user only; "
          + "set SAFEGRID_ADMIN_PASSWORD to choose it)", file.toAbsolutePath());
    } else {
      log.info("Created account 'admin' with the password from SAFEGRID_ADMIN_PASSWORD");
    }
    createUser("admin", password, Role.people());
  }
}
