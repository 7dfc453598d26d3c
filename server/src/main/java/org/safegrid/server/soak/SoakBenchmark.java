package org.safegrid.server.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.ledger.LedgerProducer;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.ingest.worker.Topics;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The soak benchmark (reliability plan checks 38–40) against a whole server with its in-process
 * ingest workers: (38) ingest capacity at rising rates with the ledger (lost/dup, consumer lag,
 * end-to-end p99 from {@code observed_at} to {@code received_at}: the producer's send to the start of
 * the writing transaction, so it leaves out the write and the commit and is a lower bound of produce →
 * committed, which {@code ./safegrid bench ingest} measures); (39) REST queries at a constant
 * arrival rate during that ingest, timed from their scheduled start so a stalled server cannot hide
 * its queueing (coordinated omission); (40) live-stream fan-out: N SSE clients plus one that never
 * reads, measuring server→client latency, the slow client being dropped and heap growth after GC.
 * Around the whole run it records open files, database connections and dead tuples of the tables
 * updated in place, and ends with the plan's pass criteria applied to the figures ({@code checks}).
 *
 * <p>Environment: {@code SAFEGRID_DB_URL}, {@code SAFEGRID_DB_USER}, {@code SAFEGRID_DB_PASSWORD},
 * {@code SAFEGRID_KAFKA_BOOTSTRAP} (what {@code ./safegrid bench soak} exports). By default
 * ({@code --server fork}) it starts the server from its own jar in a JVM of its own on a free port
 * ({@code --server-heap 1g}), so that heap, open files and RSS are the server's alone and the heap is
 * read after a GC forced with {@code jcmd}; {@code --server in-process} starts it in this JVM (its
 * heap figure then includes the clients). The admin password is {@code --password}, else
 * {@code SAFEGRID_ADMIN_PASSWORD}, else a random one (effective only when the database has no admin
 * account yet). With {@code --url --user --password} it measures a running server (heap then
 * without a forced GC). Traffic starts once the server reports ready ({@code /actuator/health/readiness}).
 * Options: {@code --rates 500,1000,2000}, {@code --step-seconds 30}, {@code --query-rate 20}
 * (requests/s), {@code --drain-seconds 120} (a step whose events are not all stored this long after
 * sending ends counts as over capacity and ends the ramp), {@code --sse-clients 300}, {@code --sse-seconds 120}, {@code --sse-ingest-rate 500}.
 * Prints figures; the last line is one JSON object.
 */
public final class SoakBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static int drainLimitSeconds = 120;

  private final BenchServer srv;
  private final String base;
  private final String auth;
  private final HttpClient http;
  private final ConfigurableApplicationContext context;
  private final Process server;

  private SoakBenchmark(BenchServer srv) {
    this.srv = srv;
    this.base = srv.base();
    this.auth = srv.auth();
    this.http = srv.http();
    this.context = srv.context();
    this.server = srv.process();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchServer.options(args);
    String bootstrap = BenchServer.env("SAFEGRID_KAFKA_BOOTSTRAP", "soak");
    PGSimpleDataSource ds = BenchServer.dataSource("soak");
    List<Integer> rates = Arrays.stream(o.getOrDefault("rates", "500,1000,2000").split(",")).map(String::trim)
        .map(Integer::parseInt).toList();
    int stepSeconds = Integer.parseInt(o.getOrDefault("step-seconds", "30"));
    double queryRate = Double.parseDouble(o.getOrDefault("query-rate", "20"));
    int sseClients = Integer.parseInt(o.getOrDefault("sse-clients", "300"));
    int sseSeconds = Integer.parseInt(o.getOrDefault("sse-seconds", "120"));
    int sseRate = Integer.parseInt(o.getOrDefault("sse-ingest-rate", "500"));
    drainLimitSeconds = Integer.parseInt(o.getOrDefault("drain-seconds", "120"));

    BenchServer srv = BenchServer.start(o, List.of("--safegrid.live.max-clients=" + (sseClients + 50),
        "--safegrid.ingest.bootstrap-servers=" + bootstrap, "--logging.level.root=WARN",
        "--logging.level.org.safegrid=WARN"), "safegrid-soak-server");
    SoakBenchmark b = new SoakBenchmark(srv);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("server", srv.mode());
    try {
      b.run(ds, bootstrap, rates, stepSeconds, queryRate, sseClients, sseSeconds, sseRate, out);
    } finally {
      srv.close();
    }
    System.out.println(JSON.writeValueAsString(out));
    System.exit(0);
  }

  private void run(PGSimpleDataSource ds, String bootstrap, List<Integer> rates, int stepSeconds, double queryRate,
                   int sseClients, int sseSeconds, int sseRate, Map<String, Object> out) throws Exception {
    awaitHealthy();
    IngestSettings topics = IngestSettings.defaults(bootstrap);
    Topics.ensure(topics, Topics.DEFAULT_PARTITIONS);
    String run = "soak" + Long.toString(System.currentTimeMillis(), 36) + "-";
    LedgerChecker checker = new LedgerChecker(ds);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap))) {
      LedgerProducer lp = new LedgerProducer(p, topics);
      // warm-up: the server's workers have joined and today's partitions exist
      Ledger warm = Ledger.create(run + "warm-");
      lp.send(warm, 0, 300, 0);
      lp.flush();
      checker.awaitStored(warm, Duration.ofSeconds(120));
      Map<String, Object> resourcesBefore = resources(ds);

      // 38 + 39: rising ingest rates, queries at a constant arrival rate meanwhile
      QueryLoad queries = new QueryLoad(queryTargets(), queryRate);
      queries.start();
      List<Map<String, Object>> steps = new ArrayList<>();
      for (int rate : rates) {
        Ledger ledger = Ledger.create(run + "r" + rate + "-");
        AtomicLong maxLag = new AtomicLong();
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread lagPoller = new Thread(() -> {
          while (sending.get()) {
            maxLag.accumulateAndGet(metric("safegrid.ingest.consumer.lag", "VALUE"), Math::max);
            sleep(1000);
          }
        });
        lagPoller.start();
        long t0 = System.nanoTime();
        lp.send(ledger, 0, rate * stepSeconds, rate);
        lp.flush();
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        Duration drain = null;
        try {
          drain = checker.awaitStored(ledger, Duration.ofSeconds(drainLimitSeconds));
        } catch (IllegalStateException e) {
          System.out.println("ingest step " + rate + " ev/s did not drain: " + e.getMessage());
        }
        sending.set(false);
        lagPoller.join();
        LedgerChecker.Result r = checker.check(ledger);
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("rate", rate);
        step.put("events", rate * stepSeconds);
        step.put("achievedRate", round(rate * stepSeconds / sendSeconds));
        step.put("lost", r.lost());
        step.put("dup", r.dup());
        step.put("unexpected", r.unexpected());
        step.put("derivedOk", r.derivedOk());
        step.put("maxConsumerLag", maxLag.get());
        step.put("drainSeconds", drain == null ? null : round(drain.toMillis() / 1000.0));
        step.put("notStoredAtEnd", r.acked() - (r.stored() - r.unexpected()));
        step.put("e2eP50Ms", percentileMs(ds, ledger.prefix(), 0.50));
        step.put("e2eP99Ms", percentileMs(ds, ledger.prefix(), 0.99));
        step.put("e2eDefinition", "observed_at (send) to received_at (start of the writing transaction; "
            + "excludes write and commit: a lower bound of produce to committed)");
        System.out.println("ingest step " + JSON.writeValueAsString(step));
        steps.add(step);
        if (drain == null) {
          break;  // capacity reached: higher rates would only pile up more
        }
      }
      Map<String, Object> q = queries.stop();
      System.out.println("queries " + JSON.writeValueAsString(q));
      out.put("ingest", steps);
      out.put("queries", q);

      // 40: live-stream fan-out with ingest at sseRate
      Map<String, Object> live = liveFanOut(lp, run, sseClients, sseSeconds, sseRate);
      out.put("live", live);
      Map<String, Object> resources = new LinkedHashMap<>();
      resources.put("before", resourcesBefore);
      resources.put("after", resources(ds));
      System.out.println("resources " + JSON.writeValueAsString(resources));
      out.put("resources", resources);
      out.put("checks", verdicts(steps, q, live));
    }
  }

  /**
   * The plan's pass criteria applied to the figures: 38 at the target rate (the highest step that
   * drained) lag under 5 s of traffic, end-to-end p99 under 2 s, nothing lost or doubled; 39 p95 under
   * 300 ms, p99 under 1 s, errors under 0.1 % for every query class; 40 the never-reading client
   * dropped, server-to-client p99 under 2 s, heap after GC (all clients connected) grown by less than
   * 64 MiB from the end of the first minute to the end of the run.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> verdicts(List<Map<String, Object>> steps, Map<String, Object> queries,
                                      Map<String, Object> live) {
    Map<String, Object> v = new LinkedHashMap<>();
    Map<String, Object> target = null;
    for (Map<String, Object> st : steps) {
      if (st.get("drainSeconds") != null) {
        target = st;
      }
    }
    if (target == null) {
      v.put("38", "fail: no rate drained");
    } else {
      int rate = (Integer) target.get("rate");
      long lag = ((Number) target.get("maxConsumerLag")).longValue();
      Number p99 = (Number) target.get("e2eP99Ms");
      boolean ok = lag < 5L * rate && p99 != null && p99.doubleValue() < 2000
          && ((Number) target.get("lost")).longValue() == 0 && ((Number) target.get("dup")).longValue() == 0;
      v.put("38", (ok ? "pass" : "fail") + " at " + rate + " ev/s: max lag " + lag + " events, e2e p99 " + p99
          + " ms (send to transaction start, not to commit), lost " + target.get("lost") + ", dup " + target.get("dup"));
    }
    StringBuilder q39 = new StringBuilder();
    boolean ok39 = true;
    for (Map.Entry<String, Object> e : queries.entrySet()) {
      if (!(e.getValue() instanceof Map)) {
        continue;
      }
      Map<String, Object> m = (Map<String, Object>) e.getValue();
      if (!m.containsKey("requests")) {
        continue;  // errorsByStatus
      }
      long n = ((Number) m.get("requests")).longValue();
      long errors = ((Number) m.get("errors")).longValue();
      Number p95 = (Number) m.get("p95Ms");
      Number p99 = (Number) m.get("p99Ms");
      ok39 &= n > 0 && p95 != null && p95.doubleValue() < 300 && p99 != null && p99.doubleValue() < 1000
          && errors * 1000 < n;
      q39.append(", ").append(e.getKey()).append(" p95 ").append(p95).append(" p99 ").append(p99)
          .append(" errors ").append(errors).append('/').append(n);
    }
    v.put("39", (ok39 ? "pass" : "fail") + q39);
    Number s2c = (Number) live.get("serverToClientP99Ms");
    boolean dropped = Boolean.TRUE.equals(live.get("slowClientDropped"));
    long growth = ((Number) live.get("heapGrowthMb")).longValue();
    boolean ok40 = dropped && s2c != null && s2c.doubleValue() < 2000 && growth < 64;
    v.put("40", (ok40 ? "pass" : "fail") + ": slow client dropped " + dropped + ", server->client p99 " + s2c
        + " ms, heap growth " + growth + " MiB over " + live.get("seconds") + " s");
    return v;
  }

  /**
   * What a long run must not leak: the server process's open file descriptors (unless it runs elsewhere),
   * the database's connections, and dead tuples of the tables the ingest path updates in place.
   */
  private Map<String, Object> resources(PGSimpleDataSource ds) {
    Map<String, Object> r = new LinkedHashMap<>();
    if (context != null || server != null) {
      String[] fds = new File("/proc/" + (server != null ? server.pid() : "self") + "/fd").list();
      r.put("openFiles", fds == null ? null : fds.length);
    }
    if (server != null) {
      r.put("serverRssMb", rssMb(server.pid()));
    }
    try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
      try (java.sql.ResultSet rs = st.executeQuery(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")) {
        rs.next();
        r.put("dbConnections", rs.getLong(1));
      }
      Map<String, Object> dead = new LinkedHashMap<>();
      try (java.sql.ResultSet rs = st.executeQuery("SELECT relname, n_dead_tup FROM pg_stat_user_tables "
          + "WHERE relname IN ('patrol_position', 'event_count', 'ingest_refusal_count', 'event_key') ORDER BY 1")) {
        while (rs.next()) {
          dead.put(rs.getString(1), rs.getLong(2));
        }
      }
      r.put("deadTuples", dead);
    } catch (java.sql.SQLException e) {
      r.put("error", e.getMessage());
    }
    return r;
  }

  // --- 39: REST queries at a constant arrival rate ----------------------------------------------------------------

  private Map<String, String> queryTargets() throws Exception {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("bboxEvents", "/api/events?bbox=114.30,23.05,114.45,23.20&limit=100");
    t.put("hotspots", "/api/hotspots");
    JsonNode sets = JSON.readTree(get("/api/grid-sets").body());
    JsonNode first = sets.isArray() ? sets.path(0) : sets.path("gridSets").path(0);
    if (first.has("id")) {
      t.put("gridCells", "/api/grid-sets/" + first.get("id").asText() + "/cells?bbox=114.35,23.05,114.45,23.15");
    }
    return t;
  }

  /** Requests on a fixed timeline, round robin over the targets; latency from the scheduled start. */
  private final class QueryLoad {
    private final List<Map.Entry<String, String>> targets;
    private final double rate;
    private final Map<String, ConcurrentLinkedQueue<Long>> latencies = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private long started;
    private final AtomicLong issued = new AtomicLong();

    QueryLoad(Map<String, String> targets, double rate) {
      this.targets = new ArrayList<>(targets.entrySet());
      this.rate = rate;
      for (String k : targets.keySet()) {
        latencies.put(k, new ConcurrentLinkedQueue<>());
        errors.put(k, new AtomicLong());
      }
    }

    /** Errors by query class and HTTP status (or exception), to tell a timeout from a refusal. */
    private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();

    void start() {
      started = System.nanoTime();
      long periodNanos = (long) (1e9 / rate);
      timer.scheduleAtFixedRate(() -> {
        long i = issued.getAndIncrement();
        long scheduled = started + i * periodNanos;  // the intended start, not when we got round to it
        Map.Entry<String, String> t = targets.get((int) (i % targets.size()));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + t.getValue())).header("Authorization", auth)
            .timeout(Duration.ofSeconds(30)).GET().build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, ex) -> {
          latencies.get(t.getKey()).add((System.nanoTime() - scheduled) / 1_000_000);
          if (ex != null || resp.statusCode() >= 400) {
            errors.get(t.getKey()).incrementAndGet();
            String why = ex != null ? ex.getClass().getSimpleName() : Integer.toString(resp.statusCode());
            errorKinds.computeIfAbsent(t.getKey() + " " + why, k -> new AtomicLong()).incrementAndGet();
          }
        });
      }, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    Map<String, Object> stop() throws InterruptedException {
      timer.shutdownNow();
      Thread.sleep(3000);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("ratePerSecond", rate);
      Map<String, Long> kinds = new java.util.TreeMap<>();
      errorKinds.forEach((k, v) -> kinds.put(k, v.get()));
      out.put("errorsByStatus", kinds);
      for (Map.Entry<String, String> t : targets) {
        long[] l = latencies.get(t.getKey()).stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", l.length);
        m.put("errors", errors.get(t.getKey()).get());
        m.put("p50Ms", pct(l, 0.50));
        m.put("p95Ms", pct(l, 0.95));
        m.put("p99Ms", pct(l, 0.99));
        m.put("maxMs", l.length == 0 ? null : l[l.length - 1]);
        out.put(t.getKey(), m);
      }
      return out;
    }
  }

  // --- 40: live-stream fan-out ---------------------------------------------------------------------------------------

  private Map<String, Object> liveFanOut(LedgerProducer lp, String run, int clients, int seconds, int rate)
      throws Exception {
    long heapBefore = heapAfterGc();
    double droppedBefore = metric("safegrid.live.clients.dropped", "COUNT");
    ConcurrentLinkedQueue<Long> serverToClient = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> endToEnd = new ConcurrentLinkedQueue<>();
    AtomicLong messages = new AtomicLong();
    AtomicLong failedStreams = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<InputStream> streams = new ConcurrentLinkedQueue<>();
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> readStream(running, serverToClient, endToEnd, messages, failedStreams, streams),
          "sse-client-" + i);
      t.setDaemon(true);
      t.start();
      readers.add(t);
    }
    // the client that never reads: a raw socket that sends its request and then sits there
    URI u = URI.create(base);
    Socket stalled = new Socket(u.getHost(), u.getPort());
    stalled.setReceiveBufferSize(4096);
    OutputStream os = stalled.getOutputStream();
    os.write(("GET /api/live HTTP/1.1\r\nHost: " + u.getHost() + "\r\nAuthorization: " + auth
        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    os.flush();
    Thread.sleep(3000);
    Ledger ledger = Ledger.create(run + "live-");
    long t0 = System.nanoTime();
    Thread producer = new Thread(() -> {
      // ingest at a fixed rate for the whole window, one second at a time
      int i = 0;
      while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
        lp.send(ledger, i, i + rate, rate);
        i += rate;
      }
      lp.flush();
    });
    producer.start();
    // the heap with every client connected and streaming, once the first minute has settled it
    producer.join(Math.min(60_000L, seconds * 500L));
    long heapSteady = heapAfterGc();
    producer.join();
    Thread.sleep(3000);
    long heapAfter = heapAfterGc();
    running.set(false);
    double dropped = metric("safegrid.live.clients.dropped", "COUNT") - droppedBefore;
    stalled.close();
    for (InputStream in : streams) {
      try {
        in.close();
      } catch (java.io.IOException e) {
        // closing anyway
      }
    }
    for (Thread t : readers) {
      t.join(5000);
    }
    // the server notices a closed connection when it next writes to it: at the latest the stream's
    // heartbeat (15 s by default)
    Thread.sleep(17_000);
    long heapDisconnected = heapAfterGc();
    long[] s2c = serverToClient.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] e2e = endToEnd.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("clients", clients);
    m.put("seconds", seconds);
    m.put("ingestRate", rate);
    m.put("messages", messages.get());
    m.put("failedStreams", failedStreams.get());
    m.put("serverToClientP50Ms", pct(s2c, 0.50));
    m.put("serverToClientP99Ms", pct(s2c, 0.99));
    m.put("observedToClientP99Ms", pct(e2e, 0.99));
    m.put("slowClientDropped", dropped >= 1);
    // growth = with the same clients connected, from the settled first minute to the end; before
    // (no clients) and after they disconnected for context
    m.put("heapBeforeMb", heapBefore / 1_048_576);
    m.put("heapSteadyMb", heapSteady / 1_048_576);
    m.put("heapAfterMb", heapAfter / 1_048_576);
    m.put("heapDisconnectedMb", heapDisconnected / 1_048_576);
    m.put("heapGrowthMb", (heapAfter - heapSteady) / 1_048_576);
    m.put("heapMeasuredAfterGc", context != null || server != null);
    m.put("heapIncludesClients", context != null);
    System.out.println("live " + JSON.writeValueAsString(m));
    return m;
  }

  private void readStream(AtomicBoolean running, ConcurrentLinkedQueue<Long> s2c, ConcurrentLinkedQueue<Long> e2e,
                          AtomicLong messages, AtomicLong failed, ConcurrentLinkedQueue<InputStream> streams) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/live")).header("Authorization", auth)
        .header("Accept", "text/event-stream").GET().build();
    try {
      HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() != 200) {
        failed.incrementAndGet();
        resp.body().close();
        return;
      }
      streams.add(resp.body());
      try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
        String event = null;
        String line;
        while (running.get() && (line = r.readLine()) != null) {
          if (line.startsWith("event:")) {
            event = line.substring(6).trim();
          } else if (line.startsWith("data:") && "events".equals(event)) {
            long now = System.currentTimeMillis();
            JsonNode cols = JSON.readTree(line.substring(5));
            JsonNode received = cols.path("receivedAt");
            JsonNode observed = cols.path("observedAt");
            // one sample per message: its oldest event, the worst latency it carries (per-event samples of
            // 300 clients over 10 minutes would be hundreds of millions)
            long worstS2c = Long.MIN_VALUE;
            long worstE2e = Long.MIN_VALUE;
            for (int i = 0; i < received.size(); i++) {
              worstS2c = Math.max(worstS2c, now - received.get(i).asLong());
              worstE2e = Math.max(worstE2e, now - observed.get(i).asLong());
            }
            if (received.size() > 0) {
              s2c.add(worstS2c);
              e2e.add(worstE2e);
            }
            messages.incrementAndGet();
          } else if (line.isEmpty()) {
            event = null;
          }
        }
      }
    } catch (Exception e) {
      if (running.get()) {
        failed.incrementAndGet();
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------------------------------

  private void awaitHealthy() throws Exception {
    srv.awaitReady(Duration.ofMinutes(5));
  }

  /** Resident set size of a process in MiB, from {@code /proc}; null where unreadable. */
  private static Long rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux, or gone
    }
    return null;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return srv.get(path);
  }

  private long metric(String name, String statistic) {
    return srv.metric(name, statistic);
  }

  /**
   * The server's heap in use: after a full GC when the server runs in this JVM or in a JVM this
   * benchmark started ({@code jcmd <pid> GC.run}), else its heap gauge as is.
   */
  private long heapAfterGc() {
    if (context != null) {
      System.gc();
      sleep(500);
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    if (server != null) {
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      try {
        Process gc = new ProcessBuilder(jcmd, Long.toString(server.pid()), "GC.run").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
          throw new IllegalStateException("jcmd GC.run on the server failed");
        }
      } catch (java.io.IOException | InterruptedException e) {
        throw new IllegalStateException("cannot force a GC in the server: " + e.getMessage(), e);
      }
      sleep(500);
    }
    try {
      HttpResponse<String> r = get("/actuator/metrics/jvm.memory.used?tag=area:heap");
      return (long) JSON.readTree(r.body()).path("measurements").path(0).path("value").asDouble();
    } catch (Exception e) {
      return -1;
    }
  }

  private static Long percentileMs(PGSimpleDataSource ds, String prefix, double p) throws Exception {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT percentile_cont(?) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - observed_at)) "
            + "FROM event WHERE starts_with(event_id, ?)")) {
      ps.setDouble(1, p);
      ps.setString(2, prefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Math.round(rs.getDouble(1) * 1000);
      }
    }
  }

  private static Long pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return null;
    }
    return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(sorted.length * p) - 1))];
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
