package org.safegrid.server.security;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/me}: who the caller is, its password, and its TOTP second factor. */
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

  MeController(UserAdministration users, TotpService totp, DistrictScope scope) {
    this.users = users;
    this.totp = totp;
    this.scope = scope;
  }

  @GetMapping("/api/me")
  Me me(Authentication auth) {
    return new Me(auth.getName(), auth.getAuthorities().stream().map(GrantedAuthority::getAuthority)
        .map(a -> a.replaceFirst("^ROLE_", "")).sorted().toList(), scope.districtCodeOrNull());
  }

  @PostMapping("/api/me/password")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void changePassword(Authentication auth, @RequestBody PasswordChange change) {
    users.changePassword(auth.getName(), change.currentPassword(), change.newPassword());
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
