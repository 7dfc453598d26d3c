package org.safegrid.server.security;

import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/me}: who the caller is and which roles it has, for the map's menus. */
@RestController
class MeController {

  record Me(String username, List<String> roles) {
  }

  @GetMapping("/api/me")
  Me me(Authentication auth) {
    return new Me(auth.getName(), auth.getAuthorities().stream().map(GrantedAuthority::getAuthority)
        .map(a -> a.replaceFirst("^ROLE_", "")).sorted().toList());
  }
}
