package org.safegrid.server.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./safegrid bench map}: opens the live map in headless Chromium against a running server
 * (with the simulator on), cold (browser cache off), and measures first paint, all default layers
 * loaded, main-thread long tasks after first paint, JS heap and the events per second the page
 * receives. Prints where the time goes (each API answer's size, wait and download, its JSON parse
 * time in the page, each layer's arrival) and ends with one JSON line:
 * {@code {"first_paint_ms":..,"all_loaded_ms":..,"long_tasks_over_200":..,"long_task_max_ms":..,"heap_mb":..,"events_per_s":..}}.
 *
 * <p>Drives Chromium over the DevTools protocol with the JDK's own WebSocket client: no browser
 * driver and nothing from the test classpath.
 */
public final class MapBenchmark {

  // every long task of the page from its first script on (the page's own observer starts later)
  private static final String LONG_TASK_RECORDER = "window.__sgLongTasks = [];"
      + "try { new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) {"
      + "  window.__sgLongTasks.push([e.startTime, e.duration]); }); }).observe({ type: 'longtask', buffered: true }); } catch (e) {}";

  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private WebSocket socket;

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String url = a.getOrDefault("url", "http://127.0.0.1:8080");
    String user = a.getOrDefault("user", "admin");
    String password = a.get("password");
    if (password == null) {
      System.err.println("give --password (./safegrid bench map reads the admin password of the data folder)");
      System.exit(2);
    }
    int settleSeconds = Integer.parseInt(a.getOrDefault("settle-seconds", "20"));
    String chromium = a.getOrDefault("chromium", System.getenv().getOrDefault("SAFEGRID_CHROMIUM", "/usr/bin/chromium"));
    if (!Files.isExecutable(Path.of(chromium))) {
      System.err.println(chromium + " not found: install Debian's chromium (apt-get install chromium)");
      System.exit(2);
    }
    System.out.println(new MapBenchmark().run(url, user, password, settleSeconds, chromium));
  }

  String run(String url, String user, String password, int settleSeconds, String chromium) throws Exception {
    Path profile = Files.createTempDirectory("safegrid-bench-map");
    Process browser = new ProcessBuilder(chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1400,900", "--lang=zh-CN", "--enable-precise-memory-info",
        "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      connect(profile);
      call("Page.enable", null);
      call("Network.enable", null);
      signIn(url, user, password);
      // a cold load: what a kiosk sees after a restart
      call("Network.setCacheDisabled", json.createObjectNode().put("cacheDisabled", true));
      call("Page.addScriptToEvaluateOnNewDocument", json.createObjectNode().put("source", LONG_TASK_RECORDER));
      call("Page.navigate", json.createObjectNode().put("url", url + "/"));
      JsonNode state = waitFor("window.safegrid && window.safegrid.state().allLoaded && window.safegrid.state().firstPaintMs != null"
          + " ? window.safegrid.state() : null", Duration.ofSeconds(180));
      if (state.path("error").isTextual()) {
        throw new IllegalStateException("the map failed to load: " + state.path("error").asText());
      }
      // the live map with the simulator on: long tasks and event rate over the settle time
      double rateSum = 0;
      int samples = 0;
      for (int s = 0; s < settleSeconds; s++) {
        Thread.sleep(1000);
        if (s >= 5) { // the page's rate is a 5 s average
          rateSum += eval("window.safegrid.state().eventsPerSecond").asDouble();
          samples++;
        }
      }
      JsonNode end = eval("(function () { var s = window.safegrid.state(); return { state: s, longTasks: window.__sgLongTasks,"
          + " heap: performance.memory ? performance.memory.usedJSHeapSize : null }; })()");
      return report(url, state, end, samples == 0 ? 0 : rateSum / samples);
    } finally {
      if (socket != null) {
        socket.abort();
      }
      browser.descendants().forEach(ProcessHandle::destroy);
      browser.destroy();
      if (!browser.waitFor(10, TimeUnit.SECONDS)) {
        browser.destroyForcibly();
      }
      deleteTree(profile);
    }
  }

  private String report(String url, JsonNode loaded, JsonNode end, double eventsPerSecond) throws Exception {
    double firstPaint = loaded.path("firstPaintMs").asDouble();
    int over200 = 0;
    int over200Before = 0;
    double maxAfter = 0;
    for (JsonNode t : end.path("longTasks")) {
      double start = t.get(0).asDouble();
      double duration = t.get(1).asDouble();
      if (start >= firstPaint) {
        maxAfter = Math.max(maxAfter, duration);
        over200 += duration > 200 ? 1 : 0;
      } else {
        over200Before += duration > 200 ? 1 : 0;
      }
    }
    // where the time goes: each API answer, its size, wait, download and JSON parse in the page
    JsonNode resources = eval("performance.getEntriesByType('resource').filter(function (e) { return e.name.indexOf('/api/') >= 0; })"
        + ".map(function (e) { return { url: e.name, start: e.startTime, wait: e.responseStart - e.requestStart, "
        + "download: e.responseEnd - e.responseStart, end: e.responseEnd, bytes: e.encodedBodySize, body: e.decodedBodySize }; })");
    System.out.println("answers (ms from navigation; bytes on the wire / decoded; JSON.parse of the body in the page):");
    for (JsonNode r : resources) {
      String path = URI.create(r.path("url").asText()).getPath();
      if (path.equals("/api/live")) {
        continue;
      }
      String full = r.path("url").asText();
      double parse = full.contains("format=csv") ? 0 : parseMillis(full);
      System.out.printf(Locale.ROOT, "  %-42s start %6.0f  wait %6.0f  download %5.0f  end %6.0f  %9d / %9d B  parse %5.1f%n",
          path, r.path("start").asDouble(), r.path("wait").asDouble(), r.path("download").asDouble(), r.path("end").asDouble(),
          r.path("bytes").asLong(), r.path("body").asLong(), parse);
    }
    // what the page loads before its own script can ask for anything: the document, styles, scripts, font
    JsonNode page = eval("(function () { var n = performance.getEntriesByType('navigation')[0] || {};"
        + " return { document: n.responseEnd, interactive: n.domInteractive, contentLoaded: n.domContentLoadedEventEnd,"
        + " files: performance.getEntriesByType('resource').filter(function (e) { return e.name.indexOf('/api/') < 0; })"
        + ".map(function (e) { return { url: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize }; }) }; })()");
    System.out.printf(Locale.ROOT, "page (ms from navigation): document %.0f, DOM interactive %.0f, DOMContentLoaded done %.0f%n",
        page.path("document").asDouble(), page.path("interactive").asDouble(), page.path("contentLoaded").asDouble());
    for (JsonNode r : page.path("files")) {
      System.out.printf(Locale.ROOT, "  %-42s start %6.0f  end %6.0f  %9d B%n", URI.create(r.path("url").asText()).getPath(),
          r.path("start").asDouble(), r.path("end").asDouble(), r.path("bytes").asLong());
    }
    System.out.println("layers registered (ms from navigation):");
    loaded.path("marks").properties().stream().sorted(Comparator.comparingDouble(e -> e.getValue().asDouble()))
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-16s %6.0f%n", e.getKey(), e.getValue().asDouble()));
    // the longest tasks after first paint, to set beside the answers' ends and the layers' registrations
    List<double[]> after = new ArrayList<>();
    for (JsonNode t : end.path("longTasks")) {
      if (t.get(0).asDouble() >= firstPaint) {
        after.add(new double[] {t.get(0).asDouble(), t.get(1).asDouble()});
      }
    }
    after.sort((a, b) -> Double.compare(b[1], a[1]));
    System.out.println("longest tasks after first paint (start ms from navigation, length ms):");
    after.stream().limit(8).forEach(t -> System.out.printf(Locale.ROOT, "  start %6.0f  %5.0f ms%n", t[0], t[1]));
    System.out.printf(Locale.ROOT, "long tasks over 200 ms before first paint: %d; event layer draw %.1f ms; stored events %d%n",
        over200Before, end.path("state").path("lastDrawMs").asDouble(), end.path("state").path("storedEvents").asLong());
    ObjectNode out = json.createObjectNode();
    out.put("first_paint_ms", Math.round(firstPaint));
    out.put("all_loaded_ms", Math.round(loaded.path("allLoadedMs").asDouble()));
    out.put("long_tasks_over_200", over200);
    out.put("long_task_max_ms", Math.round(maxAfter));
    out.put("heap_mb", Math.round(end.path("heap").asDouble() / 1048576.0 * 10) / 10.0);
    out.put("events_per_s", Math.round(eventsPerSecond * 10) / 10.0);
    return json.writeValueAsString(out);
  }

  /** The page's JSON.parse time of one answer, fetched again (from the page, with its session). */
  private double parseMillis(String url) throws Exception {
    JsonNode r = evalAsync("fetch(" + json.writeValueAsString(url) + ", { credentials: 'same-origin', headers: { Accept: 'application/json' } })"
        + ".then(function (r) { return r.text(); }).then(function (t) { var t0 = performance.now(); try { JSON.parse(t); } catch (e) { return -1; }"
        + " return performance.now() - t0; })");
    return r.asDouble();
  }

  private void signIn(String url, String user, String password) throws Exception {
    call("Page.navigate", json.createObjectNode().put("url", url + "/login.html"));
    waitFor("document.readyState === 'complete' && document.getElementById('username') ? true : null", Duration.ofSeconds(60));
    eval("document.getElementById('username').value = " + json.writeValueAsString(user) + ";"
        + "document.getElementById('password').value = " + json.writeValueAsString(password) + ";"
        + "document.getElementById('login-submit').click(); true");
    JsonNode where = waitFor("location.pathname.indexOf('login') < 0 && document.readyState === 'complete' ? location.pathname : "
        + "(document.querySelector('.error:not([hidden])') ? 'refused' : null)", Duration.ofSeconds(60));
    if ("refused".equals(where.asText())) {
      throw new IllegalStateException("sign-in as " + user + " refused: check --password");
    }
  }

  private JsonNode waitFor(String expression, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode v;
      try {
        v = eval(expression);
      } catch (IllegalStateException e) {
        v = null; // the page is between documents
      }
      if (v != null && !v.isNull() && !v.isMissingNode()) {
        return v;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for: " + expression);
  }

  private JsonNode eval(String expression) throws Exception {
    ObjectNode p = json.createObjectNode().put("expression", expression).put("returnByValue", true);
    return value(call("Runtime.evaluate", p));
  }

  private JsonNode evalAsync(String expression) throws Exception {
    ObjectNode p = json.createObjectNode().put("expression", expression).put("returnByValue", true).put("awaitPromise", true);
    return value(call("Runtime.evaluate", p));
  }

  private static JsonNode value(JsonNode result) {
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException(result.path("exceptionDetails").toString());
    }
    return result.path("result").path("value");
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = json.createObjectNode().put("id", id).put("method", method);
    if (params != null) {
      msg.set("params", params);
    }
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(json.writeValueAsString(msg), true).join();
    JsonNode answer = f.get(120, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + ": " + answer.path("error"));
    }
    return answer.path("result");
  }

  /** Connects to the first page of the browser whose profile is {@code profile}. */
  private void connect(Path profile) throws Exception {
    Path portFile = profile.resolve("DevToolsActivePort");
    for (int i = 0; i < 300 && !Files.exists(portFile); i++) {
      Thread.sleep(100);
    }
    if (!Files.exists(portFile)) {
      throw new IllegalStateException("Chromium did not open its DevTools port");
    }
    String port = Files.readAllLines(portFile).get(0).strip();
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets = json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    String ws = null;
    for (JsonNode t : targets) {
      if ("page".equals(t.path("type").asText())) {
        ws = t.path("webSocketDebuggerUrl").asText();
        break;
      }
    }
    if (ws == null) {
      throw new IllegalStateException("no page target in Chromium");
    }
    socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
      private final StringBuilder buf = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        buf.append(data);
        if (last) {
          try {
            JsonNode m = json.readTree(buf.toString());
            CompletableFuture<JsonNode> f = m.has("id") ? pending.remove(m.get("id").asInt()) : null;
            if (f != null) {
              f.complete(m);
            }
          } catch (IOException e) {
            // a message we cannot read is not ours
          }
          buf.setLength(0);
        }
        webSocket.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
  }

  private static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary profile left behind is harmless
    }
  }
}
