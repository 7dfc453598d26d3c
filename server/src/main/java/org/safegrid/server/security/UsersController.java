package org.safegrid.server.security;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/users}: user administration for admins (create, roles, enable/disable, unlock, district, TOTP reset). */
@RestController
class UsersController {

  record RolesRequest(List<Role> roles) {
  }

  record EnabledRequest(Boolean enabled) {
  }

  record DistrictRequest(String districtCode) {
  }

  private final UserAdministration users;
  private final TotpService totp;

  UsersController(UserAdministration users, TotpService totp) {
    this.users = users;
    this.totp = totp;
  }

  @GetMapping("/api/users")
  List<UserAccount> list() {
    return users.listUsers();
  }

  @PostMapping("/api/users")
  @ResponseStatus(HttpStatus.CREATED)
  UserAccount create(@RequestBody UserAdministration.NewUser user) {
    return users.createUser(user);
  }

  @PutMapping("/api/users/{username}/roles")
  UserAccount roles(@PathVariable String username, @RequestBody RolesRequest request) {
    return users.setRoles(username, request.roles());
  }

  @PutMapping("/api/users/{username}/enabled")
  UserAccount enabled(@PathVariable String username, @RequestBody EnabledRequest request) {
    if (request.enabled() == null) {
      throw new IllegalArgumentException("give 'enabled': true or false");
    }
    return users.setEnabled(username, request.enabled());
  }

  @PutMapping("/api/users/{username}/district")
  UserAccount district(@PathVariable String username, @RequestBody DistrictRequest request) {
    return users.setDistrict(username, request.districtCode());
  }

  /**
   * Whether the idle lock ends the account's sessions ({@code {"enabled":false}} for an unattended wall
   * screen's account); audited, and the account's open sessions end.
   */
  @PutMapping("/api/users/{username}/idle-lock")
  UserAccount idleLock(@PathVariable String username, @RequestBody EnabledRequest request) {
    if (request.enabled() == null) {
      throw new IllegalArgumentException("give {\"enabled\": true|false}");
    }
    return users.setIdleLock(username, request.enabled());
  }

  @PostMapping("/api/users/{username}/unlock")
  UserAccount unlock(@PathVariable String username) {
    return users.unlock(username);
  }

  @PostMapping("/api/users/{username}/totp/reset")
  UserAccount resetTotp(@PathVariable String username) {
    totp.reset(username);
    return users.getUser(username);
  }
}
