package org.safegrid.server.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/me}: who the caller is, its password, and its TOTP second factor; {@code /api/activity}. */
@RestController
class MeController {

  record Me(String username, List<String> roles, String districtCode) {
  }

  record PasswordChange(String currentPassword, String newPassword) {
  }

  record TotpCode(String code) {
  }

  private final UserAdministration users;
  private final TotpService totp;
  private final DistrictScope scope;
  private final UserAccountService accounts;
  private final SessionRevocation revocation;
  private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

  MeController(UserAdministration users, TotpService totp, DistrictScope scope, UserAccountService accounts,
               SessionRevocation revocation) {
    this.users = users;
    this.totp = totp;
    this.scope = scope;
    this.accounts = accounts;
    this.revocation = revocation;
  }

  @GetMapping("/api/me")
  Me me(Authentication auth) {
    return new Me(auth.getName(), auth.getAuthorities().stream().map(GrantedAuthority::getAuthority)
        .map(a -> a.replaceFirst("^ROLE_", "")).sorted().toList(), scope.districtCodeOrNull());
  }

  /**
   * Changes the caller's password. Every other session of the account ends (with its live streams);
   * this one goes on, with the account's new authorization version.
   */
  @PostMapping("/api/me/password")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void changePassword(Authentication auth, @RequestBody PasswordChange change, HttpServletRequest request,
                      HttpServletResponse response) {
    users.changePassword(auth.getName(), change.currentPassword(), change.newPassword());
    HttpSession session = request.getSession(false);
    revocation.revokeOthers(auth.getName(), session == null ? null : session.getId());
    if (session != null) {
      UserDetails fresh = accounts.loadUserByUsername(auth.getName());
      UsernamePasswordAuthenticationToken renewed = UsernamePasswordAuthenticationToken.authenticated(fresh, null,
          fresh.getAuthorities());
      renewed.setDetails(auth.getDetails());
      SecurityContext context = SecurityContextHolder.createEmptyContext();
      context.setAuthentication(renewed);
      SecurityContextHolder.setContext(context);
      contexts.saveContext(context, request, response);
    }
  }

  /** A person is at work on the page (mouse, keys, touch): keeps the session from the idle lock. */
  @PostMapping("/api/activity")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void activity() {
    // recorded by SessionGuardFilter, like every action; nothing else to do
  }

  @PostMapping("/api/me/totp")
  TotpService.Enrolment beginTotp(Authentication auth) {
    return totp.beginEnrolment(auth.getName());
  }

  @PostMapping("/api/me/totp/confirm")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void confirmTotp(Authentication auth, @RequestBody TotpCode code) {
    totp.confirmEnrolment(auth.getName(), code.code());
  }
}
