package org.safegrid.ingest.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The standalone ingest worker's Prometheus endpoint: {@code GET /metrics} in the Prometheus text format,
 * served by the JDK's own HTTP server on a port of its own, so consumer lag and the ingest meters of
 * workers that run apart from the server reach Prometheus (docs/operations.md, "Monitoring").
 *
 * <p>Environment: {@code SAFEGRID_INGEST_METRICS_PORT} (off when unset: several workers may share a host),
 * {@code SAFEGRID_INGEST_METRICS_ADDRESS} (default {@code 127.0.0.1}; the compose stack binds the
 * container's interface, which only its internal network reaches), and the scrape credential the server
 * takes too, {@code SAFEGRID_METRICS_TOKEN} or {@code SAFEGRID_METRICS_TOKEN_FILE}: when one is set, a
 * scrape must send {@code Authorization: Bearer <token>} (401 otherwise).
 */
public final class WorkerMetricsEndpoint implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final byte[] tokenDigest;

  private WorkerMetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server, byte[] tokenDigest) {
    this.registry = registry;
    this.server = server;
    this.tokenDigest = tokenDigest;
  }

  /** A registry with the JVM and process meters bound, for the worker's own meters to join. */
  public static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * Serves {@code registry} as configured by {@code env}; null when no port is configured.
   *
   * @throws IllegalArgumentException for a port that is not a number in 0..65535 or a token file that
   *                                  cannot be read
   * @throws UncheckedIOException     when the port cannot be bound (in use, no such address)
   */
  public static WorkerMetricsEndpoint startIfConfigured(PrometheusMeterRegistry registry, Map<String, String> env) {
    String port = env.get("SAFEGRID_INGEST_METRICS_PORT");
    if (port == null || port.isBlank()) {
      return null;
    }
    int p;
    try {
      p = Integer.parseInt(port.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("SAFEGRID_INGEST_METRICS_PORT is not a port number: '" + port + "'");
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("SAFEGRID_INGEST_METRICS_PORT is out of range 0..65535: " + p);
    }
    String address = env.getOrDefault("SAFEGRID_INGEST_METRICS_ADDRESS", "127.0.0.1");
    return start(registry, new InetSocketAddress(address, p), scrapeToken(env));
  }

  /** Serves {@code registry} on {@code address}; {@code token} null or blank for no credential. */
  public static WorkerMetricsEndpoint start(PrometheusMeterRegistry registry, InetSocketAddress address, String token) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve worker metrics on " + address + ": " + e.getMessage(), e);
    }
    WorkerMetricsEndpoint endpoint = new WorkerMetricsEndpoint(registry, server,
        token == null || token.isBlank() ? null : sha256(token.strip()));
    server.createContext("/", endpoint::handle);
    // one thread: a scrape every few seconds, and a slow scraper must not take the worker's cores
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "worker-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return endpoint;
  }

  /** The scrape credential from {@code SAFEGRID_METRICS_TOKEN} or the file {@code SAFEGRID_METRICS_TOKEN_FILE}. */
  static String scrapeToken(Map<String, String> env) {
    String token = env.get("SAFEGRID_METRICS_TOKEN");
    if (token != null && !token.isBlank()) {
      return token.strip();
    }
    String file = env.get("SAFEGRID_METRICS_TOKEN_FILE");
    if (file == null || file.isBlank()) {
      return null;
    }
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("SAFEGRID_METRICS_TOKEN_FILE cannot be read: " + e.getMessage(), e);
    }
  }

  /** The port actually bound (useful when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"/metrics".equals(path)) {
        reply(exchange, 404, "not found: the worker serves GET /metrics only\n");
        return;
      }
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "method not allowed: GET /metrics\n");
        return;
      }
      if (tokenDigest != null && !authorised(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"safegrid-metrics\"");
        reply(exchange, 401, "a scrape needs the metrics token: Authorization: Bearer <token>\n");
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      reply(exchange, 200, registry.scrape());
    }
  }

  private boolean authorised(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    // digests of equal length compared in constant time: the comparison says nothing about the token
    return MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).strip()));
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
