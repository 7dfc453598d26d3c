package org.safegrid.server.security;

import java.time.Instant;
import java.util.List;

/**
 * A user account as the administration API shows it; never carries the password hash or TOTP secret.
 *
 * @param username       login name
 * @param enabled        false when an admin disabled the account
 * @param roles          granted roles, sorted
 * @param districtCode   the district the user is confined to, or null for the whole city
 * @param lockedUntil    end of a lockout after failed logins, or null
 * @param failedAttempts failed logins since the last success or lock
 * @param totpEnabled    whether login needs a TOTP code
 * @param createdAt      when created
 */
public record UserAccount(String username, boolean enabled, List<Role> roles, String districtCode, Instant lockedUntil,
                          int failedAttempts, boolean totpEnabled, Instant createdAt) {

  /** Whether a lockout is in force at {@code now}. */
  public boolean lockedAt(Instant now) {
    return lockedUntil != null && lockedUntil.isAfter(now);
  }
}
