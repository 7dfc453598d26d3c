package org.safegrid.server.upload;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
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
 * time; one more gets 503 with {@code Retry-After}. A refused body is discarded unparsed, never spooled.
 * Bodies without a length (chunked) are admitted and capped while they are read. Thread-safe.
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
      refuse(request, response, declared, 413, "File too large", "The upload is " + (declared >> 20)
          + " MB, larger than the " + (maxFileBytes >> 20) + " MB limit; nothing was read.", "file_too_large");
      return;
    }
    if (!slots.tryAcquire()) {
      response.setHeader(HttpHeaders.RETRY_AFTER, "5");
      refuse(request, response, declared, 503, "Too many uploads at once", "Other uploads are being received; "
          + "try again in a few seconds.", "uploads_busy");
      return;
    }
    try {
      chain.doFilter(request, response);
    } finally {
      slots.release();
    }
  }

  /**
   * Sends the refusal at once (a client that reads while it sends, like curl, sees it immediately), then
   * reads and discards the rest of a body of declared length up to twice the cap, so that clients that
   * read only after sending get the answer instead of a reset; a longer or undeclared body has its
   * connection closed instead. Discarding costs socket reads only: nothing is parsed or stored.
   */
  private void refuse(HttpServletRequest request, HttpServletResponse response, long declared, int status,
      String title, String detail, String reason) throws IOException {
    boolean drain = declared >= 0 && declared <= 2 * maxBodyBytes;
    if (!drain) {
      response.setHeader(HttpHeaders.CONNECTION, "close");
    }
    problem(response, status, title, detail, reason);
    response.flushBuffer();
    if (drain) {
      try (InputStream in = request.getInputStream()) {
        byte[] buf = new byte[64 * 1024];
        while (in.read(buf) >= 0) {
          // discard
        }
      } catch (IOException e) {
        // the client gave up; nothing to do
      }
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
