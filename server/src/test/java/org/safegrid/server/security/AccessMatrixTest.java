package org.safegrid.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.EndpointPolicy.Decision;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Deny-by-default proof (reliability check 31): every handler mapping, static resource and actuator
 * endpoint known at test time, called by an anonymous caller and by each role, through each path
 * variant, gets exactly the status that {@link SecurityConfig#endpointPolicy()} says it should. An
 * endpoint that no rule of the table covers fails the test.
 *
 * <p>A probe filter right behind Spring Security answers the matrix's requests with status 299
 * instead of calling the handler: the matrix tests the access layer only, runs fast, and cannot
 * change state through the POST endpoints it is allowed to reach.
 */
@SpringBootTest(properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
    "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
    "safegrid.security.admin-password=test-admin-pw-123",
    "safegrid.security.allowed-origins=https://wall.example:8443"})
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, AccessMatrixTest.class);
  }

  static final String PROBE = "X-Access-Matrix-Probe";
  static final int REACHED = 299;

  @TestConfiguration
  static class Probe {
    @Bean
    FilterRegistrationBean<Filter> accessMatrixProbe() {
      FilterRegistrationBean<Filter> b = new FilterRegistrationBean<>((req, res, chain) -> {
        if (((HttpServletRequest) req).getHeader(PROBE) != null) {
          ((HttpServletResponse) res).setStatus(REACHED);
          return;
        }
        chain.doFilter(req, res);
      });
      b.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 1);
      return b;
    }
  }

  /** One endpoint to probe: a method and a concrete path. */
  record Endpoint(HttpMethod method, String path, String origin) implements Comparable<Endpoint> {
    @Override
    public int compareTo(Endpoint o) {
      return (path + " " + method).compareTo(o.path + " " + o.method);
    }
  }

  @Autowired
  MockMvc mvc;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping handlerMapping;

  @Autowired
  PathMappedEndpoints actuatorEndpoints;

  private final EndpointPolicy policy = SecurityConfig.endpointPolicy();
  private final Set<Endpoint> endpoints = new TreeSet<>();

  @BeforeAll
  void enumerateEndpoints() throws Exception {
    handlerMapping.getHandlerMethods().forEach((info, method) -> {
      Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
      Set<HttpMethod> httpMethods = new LinkedHashSet<>();
      if (methods.isEmpty()) {
        httpMethods.addAll(List.of(HttpMethod.GET, HttpMethod.POST));
      } else {
        methods.forEach(m -> httpMethods.add(m.asHttpMethod()));
      }
      for (String pattern : info.getPatternValues()) {
        for (HttpMethod m : httpMethods) {
          endpoints.add(new Endpoint(m, concrete(pattern), method.toString()));
        }
      }
    });
    // static resources served from the class path (the map, the login page); one sample per WebJar
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    Set<String> webjarSamples = new TreeSet<>();
    for (String root : List.of("META-INF/resources/", "static/", "public/")) {
      for (Resource r : resolver.getResources("classpath*:" + root + "**/*")) {
        String url = r.getURL().toString();
        if (url.endsWith("/")) {
          continue;
        }
        String path = "/" + url.substring(url.indexOf(root) + root.length());
        if (path.startsWith("/webjars/")) {
          String jar = path.split("/")[2];
          if (webjarSamples.stream().noneMatch(p -> p.split("/")[2].equals(jar)) && path.endsWith(".js")) {
            webjarSamples.add(path);
          }
        } else if (!path.startsWith("/META-INF")) {
          endpoints.add(new Endpoint(HttpMethod.GET, path, "static resource"));
        }
      }
    }
    webjarSamples.forEach(p -> endpoints.add(new Endpoint(HttpMethod.GET, p, "webjar")));
    endpoints.add(new Endpoint(HttpMethod.GET, "/", "welcome page"));
    // actuator endpoints that are exposed, with a sub-path each where they have one
    endpoints.add(new Endpoint(HttpMethod.GET, actuatorEndpoints.getBasePath(), "actuator links"));
    for (String p : actuatorEndpoints.getAllPaths()) {
      endpoints.add(new Endpoint(HttpMethod.GET, p, "actuator"));
    }
    endpoints.add(new Endpoint(HttpMethod.GET, "/actuator/health/liveness", "actuator"));
    // not exposed in tests (metrics export is off there) but exposed in production
    endpoints.add(new Endpoint(HttpMethod.GET, "/actuator/prometheus", "actuator"));
    endpoints.add(new Endpoint(HttpMethod.GET, "/actuator/metrics/jvm.threads.live", "actuator"));
    // endpoints served by security filters rather than controllers
    endpoints.add(new Endpoint(HttpMethod.POST, "/login", "form login filter"));
    endpoints.add(new Endpoint(HttpMethod.POST, "/logout", "logout filter"));
  }

  /** A concrete request path for a mapping pattern: variables and wildcards become a harmless value. */
  static String concrete(String pattern) {
    return pattern.replaceAll("\\{\\*[^}]+}", "a").replaceAll("\\{[^}]+}", "1").replace("**", "a").replace("*", "a");
  }

  @Test
  void everyEndpointHasAnExplicitRule() {
    List<String> missing = new ArrayList<>();
    for (Endpoint e : endpoints) {
      if (policy.findRule(servletRequest(e.method(), e.path())).isEmpty()) {
        missing.add(e.method() + " " + e.path() + "  (" + e.origin() + ")");
      }
    }
    assertThat(missing)
        .as("endpoints without a rule in SecurityConfig.endpointPolicy(); add one for each")
        .isEmpty();
    assertThat(endpoints).as("enumeration found the API, the static pages and actuator")
        .extracting(Endpoint::path).contains("/api/me", "/api/audit", "/api/users", "/login.html", "/actuator/health",
            "/api/incidents", "/api/incidents/1", "/api/incidents/1/ack", "/api/incidents/1/assign",
            "/api/incidents/1/resolve", "/api/incidents/1/dismiss");
  }

  /** Reliability check 33b: pages of other origins cannot open the live stream or call the API, even signed in. */
  @Test
  void requestsFromPagesOfOtherOriginsAreRefused() throws Exception {
    for (String path : List.of("/api/live", "/api/events", "/api/hotspots")) {
      for (String evil : List.of("http://evil.example", "null", "http://localhost:8080", "https://localhost",
          "http://localhost.evil.example")) {
        var r = mvc.perform(MockMvcRequestBuilders.get(path).header("Origin", evil).header(PROBE, "1")
            .with(user("viewer").roles("VIEWER", "PLANNER"))).andReturn().getResponse();
        assertThat(r.getStatus()).as("%s from %s", path, evil).isEqualTo(403);
        assertThat(r.getHeader("Access-Control-Allow-Origin")).isNull();
      }
      // anonymous too: refused for its origin before the question of credentials comes up
      assertThat(mvc.perform(MockMvcRequestBuilders.get(path).header("Origin", "http://evil.example"))
          .andReturn().getResponse().getStatus()).isEqualTo(403);
      // the server's own origin (MockMvc: http://localhost:80), a configured one, and no Origin at all
      for (String ok : new String[] {"http://localhost", "http://localhost:80", "https://wall.example:8443", null}) {
        var b = MockMvcRequestBuilders.get(path).header(PROBE, "1").with(user("viewer").roles("VIEWER", "PLANNER"));
        if (ok != null) {
          b.header("Origin", ok);
        }
        var r = mvc.perform(b).andReturn().getResponse();
        assertThat(r.getStatus()).as("%s from %s", path, ok).isEqualTo(REACHED);
        if ("https://wall.example:8443".equals(ok)) {
          // the configured origin gets what a browser needs to read the answer with its session
          assertThat(r.getHeader("Access-Control-Allow-Origin")).isEqualTo(ok);
          assertThat(r.getHeader("Access-Control-Allow-Credentials")).isEqualTo("true");
        }
      }
    }
  }

  @Test
  void hstsIsSentOverTlsOnly() throws Exception {
    var secure = mvc.perform(MockMvcRequestBuilders.get("/login.html").secure(true)).andReturn().getResponse();
    assertThat(secure.getHeader("Strict-Transport-Security")).contains("max-age=31536000").contains("includeSubDomains");
    var plain = mvc.perform(MockMvcRequestBuilders.get("/login.html")).andReturn().getResponse();
    assertThat(plain.getHeader("Strict-Transport-Security")).isNull();
    assertThat(plain.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void everyEndpointRoleAndPathVariantGetsTheStatusTheTableDecides() throws Exception {
    List<Set<Role>> callers = new ArrayList<>();
    callers.add(null);
    Arrays.stream(Role.values()).forEach(r -> callers.add(EnumSet.of(r)));
    List<String> mismatches = new ArrayList<>();
    int requests = 0;
    long start = System.nanoTime();
    for (Endpoint e : endpoints) {
      for (Set<Role> caller : callers) {
        // the canonical path, and variants a filter chain must not treat more kindly
        requests += expect(mismatches, e.method(), e.path(), caller, null, true);
        if (!e.path().endsWith("/")) {
          requests += expect(mismatches, e.method(), e.path() + "/", caller, null);
        }
        requests += expect(mismatches, e.method(), e.path().toUpperCase(), caller, null);
        HttpMethod other = e.method() == HttpMethod.GET ? HttpMethod.DELETE : HttpMethod.GET;
        requests += expect(mismatches, other, e.path(), caller, null);
        // rejected outright by the firewall, whoever asks
        requests += expect(mismatches, e.method(), "/" + e.path(), caller, 400);
        requests += expect(mismatches, e.method(), e.path() + ";jsessionid=1", caller, 400);
        requests += expect(mismatches, e.method(), "/%2e%2e" + e.path(), caller, 400);
        requests += expect(mismatches, e.method(), "/api/%2E/.." + e.path(), caller, 400);
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("access matrix: %d endpoints, %d requests in %d ms%n", endpoints.size(), requests, millis);
    assertThat(mismatches).as("%d of %d requests got a status the policy table does not allow", mismatches.size(),
        requests).isEmpty();
  }

  private int expect(List<String> mismatches, HttpMethod method, String path, Set<Role> caller, Integer fixed)
      throws Exception {
    return expect(mismatches, method, path, caller, fixed, false);
  }

  private int expect(List<String> mismatches, HttpMethod method, String path, Set<Role> caller, Integer fixed,
                     boolean canonical) throws Exception {
    MockHttpServletRequestBuilder b = MockMvcRequestBuilders.request(method, URI.create("http://localhost" + path))
        .header(PROBE, "1");
    if (method != HttpMethod.GET) {
      b.with(csrf());
    }
    if (caller != null) {
      Role role = caller.iterator().next();
      b.with(user("matrix-" + role.name().toLowerCase()).roles(role.name()));
    }
    int status = mvc.perform(b).andReturn().getResponse().getStatus();
    String who = caller == null ? "anonymous" : caller.toString();
    if (fixed != null) {
      if (status != fixed) {
        mismatches.add(method + " " + path + " as " + who + ": " + status + ", expected " + fixed);
      }
      return 1;
    }
    Decision d = policy.decide(servletRequest(method, path), caller);
    boolean ok = switch (d) {
      case ALLOW -> status != 401 && status != 403 && (status == REACHED || !canonical || path.equals("/login")
          || path.equals("/logout"));
      case UNAUTHENTICATED -> status == 401;
      case FORBIDDEN -> status == 403;
    };
    if (!ok) {
      mismatches.add(method + " " + path + " as " + who + ": " + status + ", policy says " + d);
    }
    return 1;
  }

  private static MockHttpServletRequest servletRequest(HttpMethod method, String path) {
    MockHttpServletRequest r = new MockHttpServletRequest(method.name(), path);
    r.setServletPath(path);
    return r;
  }
}
