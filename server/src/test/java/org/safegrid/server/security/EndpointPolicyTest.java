package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.web.util.matcher.AntPathRequestMatcher.antMatcher;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.safegrid.server.security.EndpointPolicy.Decision;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletRequest;

/** The rule table's first-match-wins and deny-by-default semantics, without Spring. */
class EndpointPolicyTest {

  private final EndpointPolicy policy = new EndpointPolicy()
      .requestMatchers(antMatcher(HttpMethod.GET, "/open")).permitAll()
      .requestMatchers(antMatcher(HttpMethod.GET, "/api/x/secret")).denyAll()
      .requestMatchers(antMatcher(HttpMethod.GET, "/api/x/**")).hasAnyRole("VIEWER", "ADMIN")
      .requestMatchers(antMatcher(HttpMethod.POST, "/api/x")).hasRole("ADMIN")
      .requestMatchers(antMatcher("/me")).authenticated();

  private static MockHttpServletRequest request(String method, String path) {
    MockHttpServletRequest r = new MockHttpServletRequest(method, path);
    r.setServletPath(path);
    return r;
  }

  private Decision decide(String method, String path, Role... roles) {
    Set<Role> caller = roles.length == 0 ? null : EnumSet.of(roles[0], roles);
    return policy.decide(request(method, path), caller);
  }

  @Test
  void firstMatchingRuleDecides() {
    assertThat(decide("GET", "/api/x/secret", Role.ADMIN)).isEqualTo(Decision.FORBIDDEN);
    assertThat(decide("GET", "/api/x/open", Role.VIEWER)).isEqualTo(Decision.ALLOW);
    assertThat(decide("GET", "/api/x/open", Role.AUDITOR)).isEqualTo(Decision.FORBIDDEN);
    assertThat(decide("GET", "/api/x/open")).isEqualTo(Decision.UNAUTHENTICATED);
    assertThat(decide("POST", "/api/x", Role.VIEWER, Role.ADMIN)).isEqualTo(Decision.ALLOW);
    assertThat(decide("DELETE", "/me", Role.INGEST)).isEqualTo(Decision.ALLOW);
    assertThat(decide("GET", "/open")).isEqualTo(Decision.ALLOW);
  }

  @Test
  void requestsMatchingNoRuleAreDenied() {
    assertThat(policy.findRule(request("DELETE", "/api/x"))).isEmpty();
    assertThat(decide("DELETE", "/api/x", Role.ADMIN)).isEqualTo(Decision.FORBIDDEN);
    assertThat(decide("DELETE", "/api/x")).isEqualTo(Decision.UNAUTHENTICATED);
    assertThat(decide("GET", "/OPEN")).as("paths are case-sensitive").isEqualTo(Decision.UNAUTHENTICATED);
  }

  @Test
  void unknownRoleNamesFailAtBuildTime() {
    assertThatThrownBy(() -> new EndpointPolicy().requestMatchers(antMatcher("/x")).hasAnyRole("VIEWR"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theApplicationTableGivesAuditAndUsersOnlyToTheirRoles() {
    EndpointPolicy app = SecurityConfig.endpointPolicy();
    for (Role r : Role.values()) {
      boolean auditor = r == Role.AUDITOR || r == Role.ADMIN;
      assertThat(app.decide(request("GET", "/api/audit"), EnumSet.of(r))).as(r.name())
          .isEqualTo(auditor ? Decision.ALLOW : Decision.FORBIDDEN);
      assertThat(app.decide(request("GET", "/api/audit/verify"), EnumSet.of(r))).as(r.name())
          .isEqualTo(auditor ? Decision.ALLOW : Decision.FORBIDDEN);
      assertThat(app.decide(request("POST", "/api/users"), EnumSet.of(r))).as(r.name())
          .isEqualTo(r == Role.ADMIN ? Decision.ALLOW : Decision.FORBIDDEN);
    }
  }

  @Test
  void policyReportHasOneRowPerRuleAndTheDefault() throws Exception {
    EndpointPolicy app = SecurityConfig.endpointPolicy();
    String md = PolicyReport.markdown(app);
    assertThat(md.lines().count()).isEqualTo(app.rules().size() + 3);
    assertThat(md).contains("`GET /api/audit`, `GET /api/audit/verify` | AUDITOR, ADMIN |").contains("| — | anything else | no one");
    // the table for docs/security.md
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "security-policy.md"), md);
  }
}
