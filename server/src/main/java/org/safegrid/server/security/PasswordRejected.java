package org.safegrid.server.security;

/** A password change or account creation refused with a reason the user can act on (a 400). */
public class PasswordRejected extends IllegalArgumentException {
  public PasswordRejected(String reason) {
    super(reason);
  }
}
