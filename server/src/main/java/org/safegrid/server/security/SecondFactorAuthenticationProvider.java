package org.safegrid.server.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authentication.AuthenticationDetailsSource;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Password authentication against {@code app_user} that also asks for the TOTP code of accounts with a
 * second factor. The code comes from the login form's {@code totp} field; such accounts cannot use
 * HTTP Basic (each Basic request would need a fresh code). A missing or wrong code is a bad credential
 * and counts towards the lockout like a wrong password.
 */
class SecondFactorAuthenticationProvider extends DaoAuthenticationProvider {

  /** Authentication details of a form login, with the TOTP code the user typed (or null). */
  static final class FormLoginDetails extends WebAuthenticationDetails {
    private final String totpCode;

    FormLoginDetails(HttpServletRequest request) {
      super(request);
      this.totpCode = request.getParameter("totp");
    }

    String totpCode() {
      return totpCode;
    }
  }

  /** Details source for the login form. */
  static AuthenticationDetailsSource<HttpServletRequest, WebAuthenticationDetails> formDetails() {
    return FormLoginDetails::new;
  }

  static final String TOTP_REQUIRED = "TOTP code required or wrong";

  private final TotpService totp;

  SecondFactorAuthenticationProvider(UserAccountService users, PasswordEncoder encoder, TotpService totp) {
    super(encoder);
    setUserDetailsService(users);
    this.totp = totp;
  }

  @Override
  protected void additionalAuthenticationChecks(UserDetails user, UsernamePasswordAuthenticationToken authentication) {
    super.additionalAuthenticationChecks(user, authentication);
    if (!totp.isEnabled(user.getUsername())) {
      return;
    }
    String code = authentication.getDetails() instanceof FormLoginDetails d ? d.totpCode() : null;
    if (code == null || !totp.verifyLogin(user.getUsername(), code.strip())) {
      throw new BadCredentialsException(TOTP_REQUIRED);
    }
  }
}
