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
    var row = jdbc.sql("SELECT username, password_hash, enabled, coalesce(locked_until > now(), false) AS locked, "
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
    jdbc.sql("INSERT INTO app_user (username, password_hash) VALUES (?, ?)")
        .params(username, encoder.encode(rawPassword)).update();
    for (Role r : roles) {
      jdbc.sql("INSERT INTO app_user_role (username, role) VALUES (?, ?)").params(username, r.name()).update();
    }
  }

  /** Makes sure the {@code admin} account exists; never overwrites an existing password. */
  @EventListener(ApplicationReadyEvent.class)
  @Transactional
  public void ensureAdmin() {
    boolean exists = jdbc.sql("SELECT count(*) FROM app_user WHERE username = 'admin'").query(Integer.class).single() > 0;
    if (exists) {
      return;
    }
    String password = properties.adminPassword();
    if (password == null || password.isBlank()) {
      byte[] b = new byte[18];
      new SecureRandom().nextBytes(b);
      password = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      log.warn("Created account 'admin' with generated password: {}  (set SAFEGRID_ADMIN_PASSWORD to choose it)", password);
    } else {
      log.info("Created account 'admin' with the password from SAFEGRID_ADMIN_PASSWORD");
    }
    createUser("admin", password, List.of(Role.values()));
  }
}
