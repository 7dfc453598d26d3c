package org.safegrid.server.security;

import static org.springframework.security.web.util.matcher.AntPathRequestMatcher.antMatcher;

import org.safegrid.server.map.MapProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.session.ConcurrentSessionFilter;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.jdbc.PostgreSqlJdbcIndexedSessionRepositoryCustomizer;
import org.springframework.session.security.SpringSessionBackedSessionRegistry;
import org.springframework.boot.autoconfigure.session.DefaultCookieSerializerCustomizer;

/**
 * Deny-by-default web security. Every endpoint has an explicit rule in {@link #endpointPolicy()}; a
 * request that matches none is refused. API clients use HTTP Basic; the browser uses the login form and a session.
 */
@Configuration
@EnableScheduling
public class SecurityConfig {

  /** Roles that read maps and reference data. */
  public static final String[] READ_ROLES = {"VIEWER", "PLANNER", "GIS_ADMIN", "ADMIN"};

  /** A browser asking for a page (Accept names text/html explicitly, not just a wildcard). */
  static MediaTypeRequestMatcher browserPage() {
    MediaTypeRequestMatcher m = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
    m.setIgnoredMediaTypes(java.util.Set.of(MediaType.ALL));
    return m;
  }

  private static boolean carriesBasicCredentials(jakarta.servlet.http.HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, "Basic ", 0, 6);
  }

  private static BasicAuthenticationEntryPoint basicEntryPoint() {
    BasicAuthenticationEntryPoint entryPoint = new BasicAuthenticationEntryPoint();
    entryPoint.setRealmName("SafeGrid");
    entryPoint.afterPropertiesSet();
    return entryPoint;
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return new BCryptPasswordEncoder();
  }

  /** The only authentication provider: passwords from app_user, plus the TOTP code where enrolled. */
  @Bean
  SecondFactorAuthenticationProvider authenticationProvider(UserAccountService users, PasswordEncoder encoder,
                                                            TotpService totp) {
    return new SecondFactorAuthenticationProvider(users, encoder, totp);
  }

  /** Failed logins per source address, for the address backoff. */
  @Bean
  LoginThrottle loginThrottle(SecurityProperties props) {
    return new LoginThrottle(props.maxFailedLoginsPerAddress(), props.loginBackoff(), props.addressBackoffMax(),
        props.addressBackoffMax().multipliedBy(2));
  }

  /**
   * Browser sessions by user, read from the shared session store (Spring Session JDBC), so disabling a
   * user or changing its rights ends its sessions whichever replica they were opened on.
   */
  @Bean
  SessionRegistry sessionRegistry(FindByIndexNameSessionRepository<? extends Session> store) {
    return new SpringSessionBackedSessionRegistry<>(store);
  }

  /**
   * Session attributes are written with PostgreSQL upserts: two requests of one session (a live stream
   * opening beside a poll) may both add the same new attribute, and a plain INSERT fails the second.
   */
  @Bean
  PostgreSqlJdbcIndexedSessionRepositoryCustomizer sessionAttributeUpserts() {
    return new PostgreSqlJdbcIndexedSessionRepositoryCustomizer();
  }

  /** The session cookie carries the session id as is (not Base64), as the servlet container's did. */
  @Bean
  DefaultCookieSerializerCustomizer plainSessionCookie() {
    return serializer -> serializer.setUseBase64Encoding(false);
  }

  /**
   * Cross-origin access: none by default, or the listed origins (with the session cookie). Same-origin
   * requests and programs that send no {@code Origin} (QGIS, GDAL, curl) are not cross-origin requests.
   */
  static org.springframework.web.cors.CorsConfigurationSource crossOrigin(java.util.List<String> allowedOrigins) {
    org.springframework.web.cors.CorsConfiguration c = new org.springframework.web.cors.CorsConfiguration();
    c.setAllowedOrigins(allowedOrigins);
    c.setAllowCredentials(true);
    c.setAllowedMethods(java.util.List.of("GET", "POST", "PUT", "DELETE"));
    c.setAllowedHeaders(java.util.List.of("Content-Type", "X-XSRF-TOKEN", "X-Requested-With", "Last-Event-ID"));
    org.springframework.web.cors.UrlBasedCorsConfigurationSource source =
        new org.springframework.web.cors.UrlBasedCorsConfigurationSource();
    source.registerCorsConfiguration("/**", c);
    return source;
  }

  /** The Content-Security-Policy: nothing outside this origin, except the configured base-map tile server. */
  static String contentSecurityPolicy(MapProperties map) {
    String tiles = map.baseTileOrigin().isEmpty() ? "" : " " + map.baseTileOrigin();
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:" + tiles + "; "
        + "connect-src 'self'" + tiles + "; font-src 'self'; media-src 'self' data:; object-src 'none'; "
        + "frame-ancestors 'none'; base-uri 'self'";
  }

  /**
   * The access rules of every endpoint, in order; the first match decides and anything that matches
   * no rule is denied. The deny-by-default matrix test checks every handler mapping against this table.
   */
  public static EndpointPolicy endpointPolicy() {
    return new EndpointPolicy()
        // open: health probes, the login page and the static assets it needs
        .requestMatchers(antMatcher(HttpMethod.GET, "/actuator/health"), antMatcher(HttpMethod.GET, "/actuator/health/**"),
            antMatcher(HttpMethod.GET, "/login.html"), antMatcher(HttpMethod.GET, "/css/**"), antMatcher(HttpMethod.GET, "/fonts/**"),
            antMatcher(HttpMethod.GET, "/img/**"), antMatcher(HttpMethod.GET, "/favicon.ico"),
            antMatcher(HttpMethod.POST, "/login"), antMatcher(HttpMethod.POST, "/logout"),
            antMatcher("/error")).permitAll()
        // operations: metrics for the scrape token (ScrapeToken) and admins; build info
        .requestMatchers(antMatcher(HttpMethod.GET, "/actuator/prometheus")).hasAnyRole("METRICS", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.GET, "/actuator"), antMatcher(HttpMethod.GET, "/actuator/info"),
            antMatcher(HttpMethod.GET, "/actuator/metrics"), antMatcher(HttpMethod.GET, "/actuator/metrics/*"))
            .hasRole("ADMIN")
        // the map and its scripts: any signed-in user
        .requestMatchers(antMatcher(HttpMethod.GET, "/"), antMatcher(HttpMethod.GET, "/index.html"),
            antMatcher(HttpMethod.GET, "/js/**"), antMatcher(HttpMethod.GET, "/webjars/**"),
            antMatcher(HttpMethod.GET, "/upload.html"), antMatcher(HttpMethod.GET, "/upload.js"),
            antMatcher(HttpMethod.GET, "/upload.css")).authenticated()
        // the API contract (OpenAPI 3) and Swagger UI: any signed-in user
        .requestMatchers(antMatcher(HttpMethod.GET, "/v3/api-docs"), antMatcher(HttpMethod.GET, "/v3/api-docs.yaml"),
            antMatcher(HttpMethod.GET, "/v3/api-docs/**"),
            antMatcher(HttpMethod.GET, "/swagger-ui.html"), antMatcher(HttpMethod.GET, "/swagger-ui/**")).authenticated()
        // accounts: one's own, and user administration
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/me"), antMatcher(HttpMethod.POST, "/api/me/password"),
            antMatcher(HttpMethod.POST, "/api/activity"),
            antMatcher(HttpMethod.POST, "/api/me/totp"), antMatcher(HttpMethod.POST, "/api/me/totp/confirm"))
            .authenticated()
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/users"), antMatcher(HttpMethod.POST, "/api/users"),
            antMatcher(HttpMethod.PUT, "/api/users/*/roles"), antMatcher(HttpMethod.PUT, "/api/users/*/enabled"),
            antMatcher(HttpMethod.PUT, "/api/users/*/district"), antMatcher(HttpMethod.POST, "/api/users/*/unlock"),
            antMatcher(HttpMethod.POST, "/api/users/*/totp/reset"), antMatcher(HttpMethod.PUT, "/api/users/*/idle-lock"))
        .hasRole("ADMIN")
        // device registry: which sourceIds and patrol unitIds each Kafka integrator principal may speak for
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/source-bindings"),
            antMatcher(HttpMethod.POST, "/api/source-bindings"), antMatcher(HttpMethod.DELETE, "/api/source-bindings/*"))
        .hasRole("ADMIN")
        // audit trail
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/audit"), antMatcher(HttpMethod.GET, "/api/audit/verify"))
            .hasAnyRole("AUDITOR", "ADMIN")
        // --- feature rules: keep one block per feature ---
        // reference layers and grid sets, and what of them lies at a point
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/overlays/**"), antMatcher(HttpMethod.GET, "/api/locate"))
            .hasAnyRole(READ_ROLES)
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/grid-sets"), antMatcher(HttpMethod.GET, "/api/grid-sets/*/cells"))
            .hasAnyRole(READ_ROLES)
        // stored events and ingest figures
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/events"), antMatcher(HttpMethod.GET, "/api/events/*"))
            .hasAnyRole(READ_ROLES)
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/stats")).hasAnyRole("VIEWER", "PLANNER", "GIS_ADMIN", "INGEST", "ADMIN")
        // live map: stream, stored events, feed health, patrol positions, map config, vector tiles
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/live"), antMatcher(HttpMethod.GET, "/api/live/events"),
            antMatcher(HttpMethod.GET, "/api/feed-health"),
            antMatcher(HttpMethod.GET, "/api/live/counts"), antMatcher(HttpMethod.GET, "/api/live/coast-segments"), antMatcher(HttpMethod.GET, "/api/live/cell-history"), antMatcher(HttpMethod.GET, "/api/patrol/positions"),
            antMatcher(HttpMethod.GET, "/api/map-config"), antMatcher(HttpMethod.GET, "/api/tiles/**"))
            .hasAnyRole(READ_ROLES)
        // spatial engine: risk, hotspots, heat, coast segments, scorecard (read); ad-hoc analysis (compute)
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/risk"), antMatcher(HttpMethod.GET, "/api/risk/**"),
            antMatcher(HttpMethod.GET, "/api/hotspots"), antMatcher(HttpMethod.GET, "/api/hotspots/**"),
            antMatcher(HttpMethod.GET, "/api/heat"), antMatcher(HttpMethod.GET, "/api/coast/segments"),
            antMatcher(HttpMethod.GET, "/api/analysis/scorecard")).hasAnyRole(READ_ROLES)
        .requestMatchers(antMatcher(HttpMethod.POST, "/api/analysis/hotspots")).hasAnyRole("PLANNER", "GIS_ADMIN", "ADMIN")
        // uploads and the grid-set lifecycle (server.upload): only GIS administrators change boundaries
        .requestMatchers(antMatcher(HttpMethod.POST, "/api/uploads"),
            antMatcher(HttpMethod.POST, "/api/grid-sets/*/activate"),
            antMatcher(HttpMethod.DELETE, "/api/grid-sets/*"),
            antMatcher(HttpMethod.POST, "/api/overlay-drafts/*/activate"),
            antMatcher(HttpMethod.POST, "/api/activation-requests/*/approve"),
            antMatcher(HttpMethod.POST, "/api/activation-requests/*/reject")).hasAnyRole("GIS_ADMIN", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/activation-requests"),
            antMatcher(HttpMethod.GET, "/api/activation-requests/*"),
            antMatcher(HttpMethod.GET, "/api/grid-sets/*/report"),
            antMatcher(HttpMethod.GET, "/api/grid-sets/*/diff"),
            antMatcher(HttpMethod.GET, "/api/overlay-drafts/*/report")).hasAnyRole("GIS_ADMIN", "AUDITOR", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/grid-sets/*/export")).hasAnyRole(READ_ROLES)
        // base maps (server.basemap): the list and the tiles for every role that sees the map; only GIS
        // administrators add, activate or delete packages
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/basemaps"), antMatcher(HttpMethod.GET, "/api/basemaps/*/*/*/*"))
            .hasAnyRole(READ_ROLES)
        .requestMatchers(antMatcher(HttpMethod.POST, "/api/basemaps"), antMatcher(HttpMethod.POST, "/api/basemaps/*/activate"),
            antMatcher(HttpMethod.DELETE, "/api/basemaps/*")).hasAnyRole("GIS_ADMIN", "ADMIN")
        // OGC API - Features (server.ogc): read-only, for QGIS/GDAL with HTTP Basic
        .requestMatchers(antMatcher(HttpMethod.GET, "/ogc"), antMatcher(HttpMethod.GET, "/ogc/**")).hasAnyRole(READ_ROLES)
        // alerts, feed health, patrol coverage and allocation: the command center reads and acts on
        // alerts, planners read coverage and plan, admins upload the officer roster
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/alerts"), antMatcher(HttpMethod.GET, "/api/alerts/*"))
            .hasAnyRole("VIEWER", "PLANNER", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.POST, "/api/alerts/*/ack"), antMatcher(HttpMethod.POST, "/api/alerts/*/resolve"),
            antMatcher(HttpMethod.POST, "/api/alerts/*/dismiss")).hasAnyRole("VIEWER", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.POST, "/api/alerts/roster")).hasRole("ADMIN")
        // incidents (server.incident): the alerts' roles — the command center reads and works them
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/incidents"), antMatcher(HttpMethod.GET, "/api/incidents/*"))
            .hasAnyRole("VIEWER", "PLANNER", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.POST, "/api/incidents/*/ack"),
            antMatcher(HttpMethod.POST, "/api/incidents/*/assign"), antMatcher(HttpMethod.POST, "/api/incidents/*/resolve"),
            antMatcher(HttpMethod.POST, "/api/incidents/*/dismiss")).hasAnyRole("VIEWER", "ADMIN")
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/patrol/coverage"), antMatcher(HttpMethod.POST, "/api/patrol/plan"))
            .hasAnyRole("PLANNER", "ADMIN")
        // the printable briefing (server.briefing): commanders and duty officers (VIEWER), analysts and
        // planners (PLANNER), admins; its page with it
        .requestMatchers(antMatcher(HttpMethod.GET, "/api/briefing"), antMatcher(HttpMethod.GET, "/briefing.html"))
            .hasAnyRole("VIEWER", "PLANNER", "ADMIN")
        // --- end of feature rules ---
        ;
  }

  @Bean
  SecurityFilterChain filterChain(HttpSecurity http, SessionRegistry sessionRegistry, MapProperties map,
                                  SecurityProperties props, AuthorizationVersions versions,
                                  UserActivity activity, LiveSessionRegistry liveSessions,
                                  LoginThrottle loginThrottle, ScrapeToken scrapeToken) throws Exception {
    EndpointPolicy policy = endpointPolicy();
    // pages of other sites: a cross-origin request from an origin not listed is refused (403) before
    // authentication; listed origins get the CORS answers a browser needs to use the API with credentials
    http.cors(c -> c.configurationSource(crossOrigin(props.allowedOrigins())));
    // the dispatch that completes a live stream (or another async answer) continues a request that was
    // authorised when it began; its session may have ended meanwhile (that is why the stream closed),
    // and a refusal then could not be sent on the committed response
    http.authorizeHttpRequests(a -> {
      a.dispatcherTypeMatchers(jakarta.servlet.DispatcherType.ASYNC).permitAll();
      policy.applyTo(a);
    });

    http.httpBasic(Customizer.withDefaults());
    http.formLogin(form -> form.loginPage("/login.html").loginProcessingUrl("/login")
        .authenticationDetailsSource(SecondFactorAuthenticationProvider.formDetails())
        .defaultSuccessUrl("/", true).failureUrl("/login.html?error"));
    // signing out closes the session's live streams on this replica (another replica's close at its next check)
    http.logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login.html?logout")
        .addLogoutHandler((request, response, auth) -> {
          var session = request.getSession(false);
          if (session != null) {
            liveSessions.closeSession(session.getId());
          }
        }));
    // API clients get 401 with a Basic challenge; browsers asking for HTML go to the login page
    http.exceptionHandling(e -> e
        .defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login.html"), browserPage())
        .defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
            new RequestHeaderRequestMatcher("X-Requested-With", "XMLHttpRequest"))
        // the browser's EventSource cannot send headers: a Basic challenge would pop up a password dialog
        .defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED), antMatcher("/api/live"))
        .defaultAuthenticationEntryPointFor(basicEntryPoint(), antMatcher("/**")));
    // Browser sessions need the CSRF token (cookie XSRF-TOKEN, sent back as header X-XSRF-TOKEN or
    // form field _csrf); requests that carry their own credentials (HTTP Basic) are not forgeable.
    http.csrf(c -> c.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
        .ignoringRequestMatchers(SecurityConfig::carriesBasicCredentials));
    http.addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class);
    // Prometheus: the scrape-only bearer token, for GET /actuator/prometheus alone
    http.addFilterBefore(scrapeToken.filter(), BasicAuthenticationFilter.class);
    // an address with too many failed logins is answered 429 before its password is checked
    http.addFilterBefore(new LoginThrottleFilter(loginThrottle),
        org.springframework.security.web.csrf.CsrfFilter.class);
    // where Spring Security's ConcurrentSessionFilter would be; that filter is not used: sessions are
    // found by user in the shared store (sessionRegistry), and the guard also refuses the ended ones
    http.addFilterAfter(new SessionGuardFilter(sessionRegistry, versions, activity, liveSessions),
        ConcurrentSessionFilter.class);
    // idle timeout: server.servlet.session.timeout; unlimited sessions per user
    http.sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()));
    // nosniff, no-store caching and HSTS (sent on HTTPS requests only) are Spring Security defaults; stated here
    // so that removing one is a visible change
    http.headers(h -> h
        .contentTypeOptions(Customizer.withDefaults())
        .cacheControl(Customizer.withDefaults())
        .httpStrictTransportSecurity(hsts -> hsts.includeSubDomains(true).maxAgeInSeconds(365L * 24 * 3600))
        .contentSecurityPolicy(csp -> csp.policyDirectives(contentSecurityPolicy(map)))
        .frameOptions(f -> f.deny())
        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
    return http.build();
  }
}
