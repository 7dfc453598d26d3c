package org.safegrid.server.shutdown;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While the server drains, every response carries {@code Connection: close}: a balancer that keeps
 * idle connections to its replicas ({@code keepalive} in nginx) holds none to this one when the drain
 * ends, so no request of its is sent on a connection the stopping server no longer reads (it would be
 * answered 503 by the paused connector, and a POST is not retried elsewhere). New connections after the
 * drain are refused, which nginx retries on another replica for any method.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class DrainConnectionFilter extends OncePerRequestFilter {

  private final Drain drain;

  DrainConnectionFilter(Drain drain) {
    this.drain = drain;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (drain.endsAt().isPresent()) {
      response.setHeader("Connection", "close");
    }
    chain.doFilter(request, response);
  }
}
