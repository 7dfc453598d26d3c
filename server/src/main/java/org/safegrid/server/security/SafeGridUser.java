package org.safegrid.server.security;

import java.util.Collection;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;

/**
 * The signed-in principal: a Spring Security user that also carries the authorization version its
 * rights were read at ({@code app_user.auth_version}, bumped by the database on every change of roles,
 * district, enabled state, password, second factor or idle lock). {@link SessionGuardFilter} ends a
 * session whose version is no longer the account's. Immutable; serialised with persistent sessions.
 */
public final class SafeGridUser extends User {

  private static final long serialVersionUID = 1L;

  private final long authVersion;

  SafeGridUser(String username, String password, boolean enabled, boolean accountNonLocked,
               Collection<? extends GrantedAuthority> authorities, long authVersion) {
    super(username, password, enabled, true, true, accountNonLocked, authorities);
    this.authVersion = authVersion;
  }

  /** The authorization version the rights of this principal were read at. */
  public long authVersion() {
    return authVersion;
  }

  // equality stays by username (as User's), so the session registry finds a user's sessions whatever the version
  @Override
  public boolean equals(Object o) {
    return super.equals(o);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
