package org.safegrid.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers a login attempt (the login form's POST, or any request carrying HTTP Basic credentials) from a
 * source address that {@link LoginThrottle} holds back with 429 and {@code Retry-After}, before the
 * password is checked. Requests of signed-in browser sessions pass: a throttled address does not end
 * the work of those already signed in from it.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

  private final LoginThrottle throttle;

  LoginThrottleFilter(LoginThrottle throttle) {
    this.throttle = throttle;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!isLoginAttempt(request)) {
      chain.doFilter(request, response);
      return;
    }
    Optional<Duration> wait = throttle.retryAfter(request.getRemoteAddr());
    if (wait.isEmpty()) {
      chain.doFilter(request, response);
      return;
    }
    long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
    response.setStatus(429);
    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Too many failed logins\",\"status\":429,"
        + "\"detail\":\"Too many failed logins from this address; try again in " + seconds + " s.\","
        + "\"reason\":\"login_throttled\"}");
  }

  private static boolean isLoginAttempt(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return true;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return "POST".equals(request.getMethod()) && "/login".equals(path);
  }
}
