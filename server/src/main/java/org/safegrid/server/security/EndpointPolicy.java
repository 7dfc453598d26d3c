package org.safegrid.server.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The access-rule table: an ordered list of request matchers, each with who may call them. The first
 * rule that matches a request decides; a request that matches no rule is denied. {@link SecurityConfig}
 * builds the filter chain from this table and the deny-by-default matrix test derives every expected
 * status from it, so the rules and their proof cannot drift apart.
 *
 * <p>The builder reads like Spring Security's own DSL
 * ({@code .requestMatchers(antMatcher(GET, "/api/x")).hasAnyRole("VIEWER", "ADMIN")}) so rules can be
 * moved between the two without rewriting them. Not thread-safe while being built; immutable in use.
 */
public final class EndpointPolicy {

  /** Who may pass a rule. */
  public enum Access {
    /** Anyone, signed in or not. */
    PERMIT_ALL,
    /** Any signed-in user, whatever the roles. */
    AUTHENTICATED,
    /** Signed-in users holding at least one of the rule's roles. */
    ROLES,
    /** No one. */
    DENY_ALL
  }

  /** What the security layer does with a request: let it through, ask for credentials (401), or refuse (403). */
  public enum Decision {
    ALLOW, UNAUTHENTICATED, FORBIDDEN
  }

  /**
   * One row of the table.
   *
   * @param matchers requests the rule applies to
   * @param access   who may pass
   * @param roles    the roles that pass when {@code access} is {@link Access#ROLES}; empty otherwise
   */
  public record Rule(List<RequestMatcher> matchers, Access access, Set<Role> roles) {

    public boolean matches(HttpServletRequest request) {
      return matchers.stream().anyMatch(m -> m.matches(request));
    }

    /** The decision for a caller holding {@code callerRoles}, or for an anonymous caller when it is null. */
    public Decision decide(Set<Role> callerRoles) {
      boolean anonymous = callerRoles == null;
      return switch (access) {
        case PERMIT_ALL -> Decision.ALLOW;
        case AUTHENTICATED -> anonymous ? Decision.UNAUTHENTICATED : Decision.ALLOW;
        case ROLES -> anonymous ? Decision.UNAUTHENTICATED
            : callerRoles.stream().anyMatch(roles::contains) ? Decision.ALLOW : Decision.FORBIDDEN;
        case DENY_ALL -> anonymous ? Decision.UNAUTHENTICATED : Decision.FORBIDDEN;
      };
    }

    /** A short human description of who may pass, for documentation. */
    public String who() {
      return switch (access) {
        case PERMIT_ALL -> "anyone";
        case AUTHENTICATED -> "any signed-in user";
        case ROLES -> String.join(", ", roles.stream().map(Role::name).toList());
        case DENY_ALL -> "no one";
      };
    }
  }

  private final List<Rule> rules = new ArrayList<>();

  /** Starts a rule for these requests; finish it with one of the access methods of the result. */
  public Stage requestMatchers(RequestMatcher... matchers) {
    if (matchers.length == 0) {
      throw new IllegalArgumentException("a rule needs at least one request matcher");
    }
    return new Stage(List.of(matchers));
  }

  /** The rules, in order. */
  public List<Rule> rules() {
    return Collections.unmodifiableList(rules);
  }

  /** The first rule matching the request, or empty when the request falls through to "deny". */
  public Optional<Rule> findRule(HttpServletRequest request) {
    return rules.stream().filter(r -> r.matches(request)).findFirst();
  }

  /**
   * The first rule matching a call of {@code method} on {@code path} (a concrete path, without context
   * path), for documentation; the filter chain matches real requests.
   */
  public Optional<Rule> findRule(String method, String path) {
    return findRule(probe(method, path));
  }

  /** A request carrying only a method and a path, which is all the table's matchers read. */
  private static HttpServletRequest probe(String method, String path) {
    return (HttpServletRequest) java.lang.reflect.Proxy.newProxyInstance(EndpointPolicy.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
          case "getMethod" -> method;
          case "getServletPath", "getRequestURI" -> path;
          case "getContextPath" -> "";
          case "getRequestURL" -> new StringBuffer(path);
          case "getDispatcherType" -> jakarta.servlet.DispatcherType.REQUEST;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> method + " " + path;
          default -> defaultValue(m.getReturnType());
        });
  }

  /** What an unset property of the probe answers: false, zero or null. */
  private static Object defaultValue(Class<?> type) {
    if (type == boolean.class) {
      return Boolean.FALSE;
    } else if (type == int.class) {
      return 0;
    } else if (type == long.class) {
      return 0L;
    }
    return null;
  }

  /** The decision for a request by a caller with {@code callerRoles} (null: anonymous). */
  public Decision decide(HttpServletRequest request, Set<Role> callerRoles) {
    return findRule(request).map(r -> r.decide(callerRoles))
        .orElse(callerRoles == null ? Decision.UNAUTHENTICATED : Decision.FORBIDDEN);
  }

  /** Installs the table into Spring Security, followed by "deny everything else". */
  public void applyTo(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry auth) {
    for (Rule rule : rules) {
      var url = auth.requestMatchers(rule.matchers().toArray(RequestMatcher[]::new));
      switch (rule.access()) {
        case PERMIT_ALL -> url.permitAll();
        case AUTHENTICATED -> url.authenticated();
        case ROLES -> url.hasAnyRole(rule.roles().stream().map(Role::name).toArray(String[]::new));
        case DENY_ALL -> url.denyAll();
      }
    }
    auth.anyRequest().denyAll();
  }

  /** A rule waiting for its access level. */
  public final class Stage {
    private final List<RequestMatcher> matchers;

    private Stage(List<RequestMatcher> matchers) {
      this.matchers = matchers;
    }

    public EndpointPolicy permitAll() {
      return add(Access.PERMIT_ALL, Set.of());
    }

    public EndpointPolicy authenticated() {
      return add(Access.AUTHENTICATED, Set.of());
    }

    public EndpointPolicy denyAll() {
      return add(Access.DENY_ALL, Set.of());
    }

    public EndpointPolicy hasRole(String role) {
      return hasAnyRole(role);
    }

    /** Role names as in {@link Role}; an unknown name fails at start-up rather than silently denying. */
    public EndpointPolicy hasAnyRole(String... roleNames) {
      if (roleNames.length == 0) {
        throw new IllegalArgumentException("hasAnyRole needs at least one role");
      }
      EnumSet<Role> set = EnumSet.noneOf(Role.class);
      Arrays.stream(roleNames).map(n -> Role.valueOf(n.replaceFirst("^ROLE_", ""))).forEach(set::add);
      return add(Access.ROLES, Collections.unmodifiableSet(set));
    }

    private EndpointPolicy add(Access access, Set<Role> roles) {
      rules.add(new Rule(matchers, access, roles));
      return EndpointPolicy.this;
    }
  }
}
