package org.safegrid.server.upload;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a multipart body (415) on every path but the upload endpoints, before anything reads it: the
 * security filters' CSRF check asks for a request parameter, which makes the servlet container parse
 * and spool a multipart body, so without this gate an anonymous client could have bodies of up to
 * the upload limit parsed on {@code /login}, {@code /logout} or any POST. The upload endpoints
 * themselves are admitted by {@link UploadAdmission}, whose slots are then the one cap on multipart
 * bodies being received at a time. The refused body is not read; its connection is closed.
 */
public class MultipartGate extends OncePerRequestFilter {

  /** The paths that accept a multipart body: every handler that consumes {@code multipart/*}. */
  public static final Set<String> UPLOAD_PATHS = Set.of("/api/uploads");

  @Override
  protected boolean shouldNotFilterAsyncDispatch() {
    return true;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String type = request.getContentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      chain.doFilter(request, response);
      return;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (UPLOAD_PATHS.contains(path) && "POST".equals(request.getMethod())) {
      chain.doFilter(request, response);
      return;
    }
    response.setStatus(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE);
    response.setHeader(HttpHeaders.CONNECTION, "close");
    // this answer leaves before the security filters, which would otherwise add the same headers
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, max-age=0, must-revalidate");
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Multipart not accepted here\",\"status\":415,"
        + "\"detail\":\"Only POST /api/uploads accepts a multipart body; send JSON or a form "
        + "(application/x-www-form-urlencoded). The body was not read.\",\"reason\":\"multipart_not_accepted\"}");
    response.flushBuffer();
  }

  /** Registers the gate ahead of the upload admission and of Spring Security, for every path. */
  @Configuration
  static class Registration {

    @Bean
    FilterRegistrationBean<MultipartGate> multipartGate() {
      FilterRegistrationBean<MultipartGate> r = new FilterRegistrationBean<>(new MultipartGate());
      r.addUrlPatterns("/*");
      r.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
      return r;
    }
  }
}
