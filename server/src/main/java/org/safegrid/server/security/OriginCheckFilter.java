package org.safegrid.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses requests that a browser sends on behalf of another site: a request with an {@code Origin}
 * header that is neither this server's own origin nor one of the configured allowed origins gets 403
 * before anything else looks at it.
 *
 * <p>Browsers send {@code Origin} on every cross-origin request (including an {@code EventSource} or
 * {@code fetch} of the live stream) and on same-origin requests other than GET/HEAD; programs such
 * as QGIS, GDAL or curl send none and are not affected. This closes the live stream and every API to
 * pages of other sites even where a session cookie would be sent along (reliability check 33b),
 * in addition to the CSRF token that guards state changes.
 */
final class OriginCheckFilter extends OncePerRequestFilter {

  private final Set<String> allowed;

  /** @param allowedOrigins extra origins allowed besides the server's own, e.g. {@code https://wall.example:8443} */
  OriginCheckFilter(List<String> allowedOrigins) {
    this.allowed = allowedOrigins.stream().map(OriginCheckFilter::normalise).filter(o -> o != null)
        .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String origin = request.getHeader("Origin");
    if (origin == null || allowedOrigin(origin, request)) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(HttpStatus.FORBIDDEN.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Cross-origin request refused\",\"status\":403,"
        + "\"detail\":\"requests from pages of other origins are not accepted; allow the origin with "
        + "safegrid.security.allowed-origins if it is yours\"}");
  }

  boolean allowedOrigin(String origin, HttpServletRequest request) {
    String o = normalise(origin);
    if (o == null) {
      // "null" (sandboxed frames, file: pages) and anything unparsable
      return false;
    }
    return o.equals(normalise(request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort()))
        || allowed.contains(o);
  }

  /** {@code scheme://host:port} in lower case with the default port made explicit, or null. */
  static String normalise(String origin) {
    try {
      URI u = new URI(origin.trim());
      String scheme = u.getScheme();
      String host = u.getHost();
      if (scheme == null || host == null || (u.getPath() != null && !u.getPath().isEmpty() && !"/".equals(u.getPath()))) {
        return null;
      }
      scheme = scheme.toLowerCase(Locale.ROOT);
      int port = u.getPort() != -1 ? u.getPort() : "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
      if (port == -1) {
        return null;
      }
      return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
