package org.safegrid.server.upload;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admission of upload requests, before anything reads their body (it runs ahead of the security
 * filters, whose CSRF check would make the container parse the multipart body): a declared
 * {@code Content-Length} above the file cap (plus 64 KiB for the form around the file) is refused with
 * 413 at once, and at most {@code safegrid.upload.max-concurrent-uploads} uploads are received at a
 * time; one more gets 503 with {@code Retry-After}. Bodies without a length (chunked) are admitted and
 * capped while they are read. Thread-safe.
 */
class UploadAdmission extends OncePerRequestFilter {

  /** Room for the multipart boundaries and form fields around the file. */
  static final long FORM_OVERHEAD_BYTES = 64 * 1024;

  private final long maxBodyBytes;
  private final long maxFileBytes;
  private final Semaphore slots;

  UploadAdmission(UploadProperties properties) {
    this.maxFileBytes = properties.maxFileBytes();
    this.maxBodyBytes = properties.maxFileBytes() + FORM_OVERHEAD_BYTES;
    this.slots = new Semaphore(properties.maxConcurrentUploads());
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"POST".equals(request.getMethod()) || !request.getRequestURI().endsWith("/api/uploads");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxBodyBytes) {
      // close the connection rather than let the container drain a body we will never read
      response.setHeader(HttpHeaders.CONNECTION, "close");
      problem(response, 413, "File too large", "The upload is " + (declared >> 20) + " MB, larger than the "
          + (maxFileBytes >> 20) + " MB limit; nothing was read.", "file_too_large");
      return;
    }
    if (!slots.tryAcquire()) {
      response.setHeader(HttpHeaders.RETRY_AFTER, "5");
      response.setHeader(HttpHeaders.CONNECTION, "close");
      problem(response, 503, "Too many uploads at once", "Other uploads are being received; try again in a few "
          + "seconds.", "uploads_busy");
      return;
    }
    try {
      chain.doFilter(request, response);
    } finally {
      slots.release();
    }
  }

  private static void problem(HttpServletResponse response, int status, String title, String detail, String reason)
      throws IOException {
    response.setStatus(status);
    // these answers leave before the security filters, which would otherwise add the same headers
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, max-age=0, must-revalidate");
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    // hand-written: the texts above are constants and numbers, nothing to escape
    response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
        + ",\"detail\":\"" + detail + "\",\"reason\":\"" + reason + "\"}");
  }

  /** Registers the filter ahead of Spring Security for the upload endpoint. */
  @Configuration
  static class Registration {

    @Bean
    FilterRegistrationBean<UploadAdmission> uploadAdmission(UploadProperties properties) {
      FilterRegistrationBean<UploadAdmission> r = new FilterRegistrationBean<>(new UploadAdmission(properties));
      r.addUrlPatterns("/api/uploads");
      r.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
      return r;
    }
  }
}
