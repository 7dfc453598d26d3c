package org.safegrid.server.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.server.SafeGridApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server a whole-system benchmark measures, and an admin HTTP session on it. Three ways, chosen by
 * the benchmark's options: {@code --server fork} (default) starts the server from its own jar in a
 * JVM of its own on a free port ({@code --server-heap 1g}), so that heap, open files and RSS are the
 * server's alone; {@code --server in-process} starts it in this JVM; {@code --url --user --password}
 * uses a running server. The admin password is {@code --password}, else {@code SAFEGRID_ADMIN_PASSWORD},
 * else a random one (effective only when the database has no admin account yet). Used by
 * {@link SoakBenchmark} and the alert-quality benchmark; {@link #close()} stops a server it started,
 * bounded in time. Thread-safe for requests.
 */
public final class BenchServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String mode;
  private final String base;
  private final String auth;
  // keeps the session cookie, as a browser does: with HTTP Basic alone every request would pay a
  // BCrypt check (~0.1 s of CPU), which is the login's cost, not the query's
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .cookieHandler(new java.net.CookieManager())
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final ConfigurableApplicationContext context;
  private final Process process;

  private BenchServer(String mode, String base, String user, String password, ConfigurableApplicationContext context,
                      Process process) {
    this.mode = mode;
    this.base = base;
    this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.context = context;
    this.process = process;
  }

  /** A benchmark's {@code --name value} options as a map of name to value. */
  public static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }

  /** An environment variable that {@code ./safegrid bench <command>} sets; fails with that hint when unset. */
  public static String env(String name, String command) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set (./safegrid bench " + command + " sets it)");
    }
    return v;
  }

  /** The database of {@code SAFEGRID_DB_URL}, {@code SAFEGRID_DB_USER}, {@code SAFEGRID_DB_PASSWORD}. */
  public static PGSimpleDataSource dataSource(String command) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(env("SAFEGRID_DB_URL", command));
    ds.setUser(System.getenv().getOrDefault("SAFEGRID_DB_USER", "safegrid_app"));
    ds.setPassword(System.getenv().getOrDefault("SAFEGRID_DB_PASSWORD", ""));
    return ds;
  }

  /**
   * Starts (or attaches to) the server as the options say.
   *
   * @param options    the benchmark's options without their {@code --}: url, user, password, server, server-heap
   * @param serverArgs Spring arguments for a server it starts (the admin password is added)
   * @param logName    first part of the name of the forked server's log file
   */
  public static BenchServer start(Map<String, String> options, List<String> serverArgs, String logName)
      throws Exception {
    String mode = options.containsKey("url") ? "url" : options.getOrDefault("server", "fork");
    if (mode.equals("url")) {
      return new BenchServer(mode, options.get("url").replaceAll("/$", ""), options.getOrDefault("user", "admin"),
          options.getOrDefault("password", ""), null, null);
    }
    // the admin password: --password, else SAFEGRID_ADMIN_PASSWORD, else a random one (which only takes
    // effect when the database has no admin account yet)
    String pw = options.getOrDefault("password", System.getenv().getOrDefault("SAFEGRID_ADMIN_PASSWORD", ""));
    if (pw.isBlank()) {
      byte[] raw = new byte[18];
      new SecureRandom().nextBytes(raw);
      pw = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
    List<String> args = new ArrayList<>(serverArgs);
    args.add("--safegrid.security.admin-password=" + pw);
    if (mode.equals("in-process")) {
      long t0 = System.nanoTime();
      args.add("--server.port=0");
      ConfigurableApplicationContext ctx = SpringApplication.run(SafeGridApplication.class, args.toArray(String[]::new));
      int port = ((ServletWebServerApplicationContext) ctx).getWebServer().getPort();
      System.out.printf(Locale.ROOT, "server started in-process on port %d in %.1f s%n", port,
          (System.nanoTime() - t0) / 1e9);
      return new BenchServer(mode, "http://127.0.0.1:" + port, "admin", pw, ctx, null);
    }
    if (mode.equals("fork")) {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Process p = fork(port, options.getOrDefault("server-heap", "1g"), args, logName);
      return new BenchServer(mode, "http://127.0.0.1:" + port, "admin", pw, null, p);
    }
    throw new IllegalArgumentException("--server must be fork or in-process");
  }

  /**
   * Starts the server in its own JVM (the jar this benchmark runs from) on {@code port}, so that its
   * heap, threads and open files are the server's alone; its output goes to a temporary log file. The
   * process is killed with this JVM.
   */
  private static Process fork(int port, String heap, List<String> serverArgs, String logName) throws Exception {
    String cp = System.getProperty("java.class.path");
    if (cp == null || !cp.endsWith(".jar") || cp.contains(File.pathSeparator)) {
      throw new IllegalStateException("--server fork needs the server jar on the class path (./safegrid bench ...); "
          + "use --server in-process from an IDE");
    }
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(javaCommand, "-Xmx" + heap, "-jar", cp, "--server.port=" + port));
    cmd.addAll(serverArgs);
    File log = File.createTempFile(logName + "-", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    System.out.printf(Locale.ROOT, "server started in its own JVM (pid %d, -Xmx%s) on port %d; log %s%n",
        p.pid(), heap, port, log);
    return p;
  }

  /** fork, in-process or url. */
  public String mode() {
    return mode;
  }

  /** Base URL without a trailing slash. */
  public String base() {
    return base;
  }

  /** The admin's Authorization header value. */
  public String auth() {
    return auth;
  }

  /** The session's HTTP client (keeps the session cookie). */
  public HttpClient http() {
    return http;
  }

  /** The in-process server's context, or null. */
  public ConfigurableApplicationContext context() {
    return context;
  }

  /** The forked server's process, or null. */
  public Process process() {
    return process;
  }

  /** GET as the admin, the body as a string. */
  public HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Opens the live stream ({@code /api/live}) as the admin; the caller reads and closes the body. */
  public HttpResponse<InputStream> openLive() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/live")).header("Authorization", auth)
        .header("Accept", "text/event-stream").GET().build();
    return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
  }

  /**
   * Waits until the server reports ready ({@code /actuator/health/readiness}: the risk engine has
   * loaded, as a load balancer's readiness probe would wait for) and the admin is accepted; {@code limit}
   * at most (a fresh database first loads the reference city, which takes minutes on a busy machine).
   */
  public void awaitReady(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (get("/actuator/health/readiness").statusCode() == 200) {
          int status = get("/actuator/metrics").statusCode();
          if (status != 200) {
            throw new IllegalStateException("the admin account is refused (HTTP " + status + "): the database "
                + "already has an admin with another password; pass --password or set SAFEGRID_ADMIN_PASSWORD");
          }
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("the server process exited with " + process.exitValue() + " before it was ready");
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("server at " + base + " not ready after " + limit);
  }

  /** A statistic of an actuator metric (admin), 0 when absent. */
  public long metric(String name, String statistic) {
    try {
      HttpResponse<String> r = get("/actuator/metrics/" + name);
      if (r.statusCode() != 200) {
        return 0;
      }
      for (JsonNode m : JSON.readTree(r.body()).path("measurements")) {
        if (statistic.equals(m.path("statistic").asText())) {
          return (long) m.path("value").asDouble();
        }
      }
    } catch (Exception e) {
      // counted as 0
    }
    return 0;
  }

  /** Stops a server this started; halts this JVM when that takes more than 60 s. */
  @Override
  public void close() throws InterruptedException {
    // many client threads and an in-process server can make an orderly shutdown hang: bound it
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("shutdown did not finish within 60 s; halting");
      Runtime.getRuntime().halt(3);
    }, "bench-halt");
    halt.setDaemon(true);
    halt.start();
    if (context != null) {
      context.close();
    }
    if (process != null) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    halt.interrupt();
  }
}
