package org.safegrid.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The scrape-only credential: a bearer token that reads {@code GET /actuator/prometheus} and nothing else
 * (role {@link Role#METRICS}, which no user account may hold). Prometheus sends it with
 * {@code authorization: {credentials_file: ...}}; no person's account, password or second factor is
 * involved, so an admin enabling TOTP cannot break scraping and a leaked scrape token opens nothing else.
 *
 * <p>The token comes from {@code safegrid.metrics.token} ({@code SAFEGRID_METRICS_TOKEN}), or the file
 * {@code safegrid.metrics.token-file} ({@code SAFEGRID_METRICS_TOKEN_FILE}, a secret mounted by the
 * platform); with neither, the server generates one into {@code <secrets dir>/metrics-token}, readable by
 * its OS user only. Standalone ingest workers accept the same token on their own endpoint. Only its
 * SHA-256 digest is kept in memory and compared in constant time. Nothing is stored in a session.
 */
@Component
public class ScrapeToken {

  static final String PATH = "/actuator/prometheus";
  static final String PRINCIPAL = "prometheus-scrape";

  private static final RequestAttributeSecurityContextRepository REQUEST_ONLY =
      new RequestAttributeSecurityContextRepository();

  /** The request attribute by which Spring Security's SessionManagementFilter marks a request it has handled. */
  private static final String SESSION_MANAGEMENT_APPLIED = "__spring_security_session_mgmt_filter_applied";

  private final byte[] digest;

  public ScrapeToken(@Value("${safegrid.metrics.token:}") String token,
                     @Value("${safegrid.metrics.token-file:}") String tokenFile, SecurityProperties security) {
    this.digest = sha256(resolve(token, tokenFile, security.secretsDir()));
  }

  private static String resolve(String token, String tokenFile, Path secretsDir) {
    if (token != null && !token.isBlank()) {
      return checked(token.strip(), "safegrid.metrics.token");
    }
    if (tokenFile != null && !tokenFile.isBlank()) {
      try {
        return checked(Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).strip(), tokenFile);
      } catch (IOException e) {
        throw new UncheckedIOException("the metrics token file " + tokenFile + " cannot be read: " + e.getMessage(), e);
      }
    }
    return SecretFile.readOrCreate(secretsDir.resolve("metrics-token"), () -> {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    });
  }

  private static String checked(String token, String where) {
    if (token.length() < 24) {
      throw new IllegalArgumentException("the metrics token from " + where + " is " + token.length()
          + " characters long; use at least 24 random characters (e.g. openssl rand -base64 32)");
    }
    return token;
  }

  /** Whether {@code presented} is the token. */
  boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(digest, sha256(presented.strip()));
  }

  /** The filter: a valid token on {@code GET /actuator/prometheus} signs the request in as {@link Role#METRICS}. */
  OncePerRequestFilter filter() {
    return new OncePerRequestFilter() {
      @Override
      protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
          throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && "GET".equals(request.getMethod())
            && PATH.equals(request.getRequestURI()) && matches(header.substring(7))) {
          PreAuthenticatedAuthenticationToken auth = new PreAuthenticatedAuthenticationToken(PRINCIPAL, null,
              List.of(new SimpleGrantedAuthority("ROLE_" + Role.METRICS.name())));
          SecurityContext context = SecurityContextHolder.createEmptyContext();
          context.setAuthentication(auth);
          SecurityContextHolder.setContext(context);
          // kept on the request only, and session management told it has nothing to do: a scrape every 15 s
          // creates no session and no entry in the session registry (SessionManagementFilter otherwise
          // registers a new session for every request that authenticates; MetricsScrapeTest checks it)
          REQUEST_ONLY.saveContext(context, request, response);
          request.setAttribute(SESSION_MANAGEMENT_APPLIED, Boolean.TRUE);
        }
        // any other bearer use is ignored: the rule table then answers 401 or 403 as for an anonymous caller
        chain.doFilter(request, response);
      }
    };
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
