package org.safegrid.server.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.ledger.LedgerProducer;
import org.safegrid.ingest.simulator.TrafficModel;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.ingest.worker.Topics;

/**
 * The failover benchmark ({@code ./safegrid bench failover}): two server replicas, each a JVM of its
 * own, behind nginx configured from the shipped {@code ops/nginx/balancer.conf}, on the launcher's
 * PostGIS and Kafka. The simulator's traffic runs at {@code --rate} events/s (1,000) with campus
 * alarms injected at {@code --alarm-rate} per second (2), each at a campus code of its own so that
 * each must raise exactly one alert; ingest workers run in this JVM, as the standalone workers of the
 * compose stack do. {@code --clients} live streams (50) and a poller of read endpoints go through the
 * balancer. After {@code --warm-seconds} (30) the leader replica is killed with SIGKILL and restarted;
 * then both replicas are restarted one at a time with SIGTERM (each drains before it stops), each
 * waited for on its readiness probe before the next.
 *
 * <p>Measured: {@code alarms} (injected and acknowledged by Kafka), {@code alerts_lost} (alarms without
 * a campus-alarm alert) and {@code alerts_duplicated} (alarms with more than one), from the database;
 * {@code leader_takeover_s}, from the SIGKILL to the other replica reporting itself leader on its
 * {@code leadership} health component; {@code sse_events_missed}, over all clients, events of the run
 * stored in the database that a client never received on its stream (it keeps the last message id
 * and reconnects through the balancer with {@code Last-Event-ID}, after the {@code retry:} of a drain
 * message, else at once and every 250 ms); {@code sse_resume_p99_s}, the 99th percentile of the time
 * from a stream's loss to the first message of the next one; {@code http_errors_during_restart},
 * poller requests that failed (an exception or a status other than 200) during the rolling restart.
 * The last line of the output is one JSON object with these keys; the rest is said before it.
 *
 * <p>Environment ({@code ./safegrid bench failover} sets it, with a fresh database): {@code
 * SAFEGRID_DB_URL}, {@code SAFEGRID_DB_USER}/{@code SAFEGRID_DB_PASSWORD} (the replicas' role), {@code
 * SAFEGRID_DB_MIGRATOR_USER}/{@code SAFEGRID_DB_MIGRATOR_PASSWORD}, {@code SAFEGRID_DB_INGEST_PASSWORD},
 * {@code SAFEGRID_KAFKA_BOOTSTRAP} and the Kafka client identity, {@code SAFEGRID_ADMIN_PASSWORD}.
 * Options: {@code --balancer-conf} (required), {@code --nginx /usr/sbin/nginx}, {@code --server-heap
 * 768m}, {@code --ready-minutes 10}, {@code --drain} (the replicas' {@code safegrid.shutdown.drain};
 * their default when absent), {@code --seed}.
 */
public final class FailoverBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UPSTREAM_SERVER = Pattern.compile("server server:8080([^;]*);");
  private static final Pattern LISTEN = Pattern.compile("listen 8080;");

  private final String run;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicBoolean running = new AtomicBoolean(true);
  /** The admin's session cookie, once signed in; the replicas' health is read with it. */
  private volatile String session;
  private final AtomicReference<String> phase = new AtomicReference<>("warm-up");
  private final Map<String, long[]> pollsByPhase = new ConcurrentHashMap<>();
  private final List<Double> resumes = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, List<Double>> resumesByPhase = new ConcurrentHashMap<>();
  private final List<String> pollErrors = Collections.synchronizedList(new ArrayList<>());

  private FailoverBenchmark(String run) {
    this.run = run;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchServer.options(args);
    double rate = Double.parseDouble(o.getOrDefault("rate", "1000"));
    double alarmRate = Double.parseDouble(o.getOrDefault("alarm-rate", "2"));
    int clients = Integer.parseInt(o.getOrDefault("clients", "50"));
    int warmSeconds = Integer.parseInt(o.getOrDefault("warm-seconds", "30"));
    long seed = Long.parseLong(o.getOrDefault("seed", Long.toString(ReferenceCity.DEFAULT_SEED)));
    Duration ready = Duration.ofMinutes(Long.parseLong(o.getOrDefault("ready-minutes", "10")));
    if (!o.containsKey("balancer-conf")) {
      throw new IllegalArgumentException("--balancer-conf (ops/nginx/balancer.conf) is required");
    }
    if (!(rate > 0) || !(alarmRate > 0) || alarmRate >= rate || clients < 1 || warmSeconds < 1) {
      throw new IllegalArgumentException("--rate, --alarm-rate (< rate), --clients, --warm-seconds must be positive");
    }
    EmbeddedBroker.quietLogging();
    BenchServer.env("SAFEGRID_ADMIN_PASSWORD", "failover");
    String run = "fo" + Long.toString(System.currentTimeMillis(), 36);
    FailoverBenchmark b = new FailoverBenchmark(run);
    Map<String, Object> out = b.run(o, rate, alarmRate, clients, warmSeconds, seed, ready);
    System.out.println(JSON.writeValueAsString(out));
    System.exit(0);
  }

  // --- the parts ------------------------------------------------------------------------------

  /** One server replica: a JVM of its own on a fixed port, restarted on the same port. */
  private final class Replica {
    final String name;
    final int port;
    final List<String> command;
    final File log;
    Process process;

    Replica(String name, int port, List<String> command, File log) {
      this.name = name;
      this.port = port;
      this.command = command;
      this.log = log;
    }

    void start() throws IOException {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
      Process p = process;
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
      say("%s started (pid %d, port %d)", name, p.pid(), port);
    }

    URI at(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }

    void awaitReady(Duration limit) throws Exception {
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; see "
              + log);
        }
        try {
          if (http.send(HttpRequest.newBuilder(at("/actuator/health/readiness")).timeout(Duration.ofSeconds(5))
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException(name + " not ready after " + limit + "; see " + log);
    }

    /** Whether the replica says it leads (its {@code leadership} health component, as the admin). */
    boolean leads() {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(at("/actuator/health"))
            .header("Cookie", session).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode leadership = JSON.readTree(r.body()).path("components").path("leadership").path("details");
        return leadership.path("leader").asBoolean(false);
      } catch (Exception e) {
        return false;
      }
    }
  }

  /** One live-map client through the balancer; counts what it received by the events' sequence numbers. */
  private final class LiveClient implements Runnable {
    final URI uri;
    final String cookie;
    final BitSet seen = new BitSet();
    final AtomicLong repeated = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    final AtomicLong streams = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    volatile String lastId;
    volatile long retryMillis;
    volatile InputStream body;

    LiveClient(URI uri, String cookie) {
      this.uri = uri;
      this.cookie = cookie;
    }

    @Override
    public void run() {
      long lostAt = 0;
      while (running.get()) {
        try {
          HttpRequest.Builder req = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
              .header("Cookie", cookie);
          if (lastId != null) {
            req.header("Last-Event-ID", lastId);
          }
          HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
          if (r.statusCode() != 200) {
            r.body().close();
            refused.incrementAndGet();
            Thread.sleep(250);
            continue;
          }
          streams.incrementAndGet();
          body = r.body();
          try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String event = null;
            String data = null;
            String id = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
              if (line.isEmpty()) {
                if (event != null) {
                  if (lostAt != 0) {
                    double resume = (System.nanoTime() - lostAt) / 1e9;
                    resumes.add(resume);
                    resumesByPhase.computeIfAbsent(phase.get(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(resume);
                    lostAt = 0;
                  }
                  take(event, data);
                  if (id != null) {
                    lastId = id;
                  }
                }
                event = data = id = null;
              } else if (line.startsWith("event:")) {
                event = line.substring(6);
              } else if (line.startsWith("data:")) {
                data = line.substring(5);
              } else if (line.startsWith("id:")) {
                id = line.substring(3);
              } else if (line.startsWith("retry:")) {
                retryMillis = Long.parseLong(line.substring(6).trim());
              }
            }
          }
        } catch (IOException e) {
          // the stream or the connection was lost
        } catch (InterruptedException e) {
          return;
        }
        if (!running.get()) {
          return;
        }
        if (lostAt == 0) {
          lostAt = System.nanoTime();
        }
        // a browser's EventSource waits the server's retry hint; without one, reconnect at once
        long wait = retryMillis;
        retryMillis = 0;
        if (wait > 0) {
          sleepMillis(wait);
        }
      }
    }

    private void take(String event, String data) {
      if ("reset".equals(event)) {
        resets.incrementAndGet();
        return;
      }
      if (!"events".equals(event) || data == null) {
        return;
      }
      // only the id column: parsing every batch in full for 50 clients would load the machine measured
      int from = data.indexOf("\"id\":[");
      if (from < 0) {
        return;
      }
      int to = data.indexOf(']', from);
      String prefix = "\"" + run + "-";
      synchronized (seen) {
        for (int i = data.indexOf(prefix, from); i >= 0 && i < to; i = data.indexOf(prefix, i + 1)) {
          int start = i + prefix.length();
          int end = data.indexOf('"', start);
          int seq = Integer.parseInt(data, start, end, 10);
          if (seen.get(seq)) {
            repeated.incrementAndGet();
          }
          seen.set(seq);
        }
      }
    }

    long missedOf(BitSet stored) {
      synchronized (seen) {
        BitSet missing = (BitSet) stored.clone();
        missing.andNot(seen);
        return missing.cardinality();
      }
    }

    void stop() {
      InputStream b = body;
      if (b != null) {
        try {
          b.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }
  }

  // --- the run --------------------------------------------------------------------------------

  private Map<String, Object> run(Map<String, String> o, double rate, double alarmRate, int clients, int warmSeconds,
                                  long seed, Duration ready) throws Exception {
    String bootstrap = BenchServer.env("SAFEGRID_KAFKA_BOOTSTRAP", "failover");
    String dbUrl = BenchServer.env("SAFEGRID_DB_URL", "failover");
    PGSimpleDataSource owner = dataSource(dbUrl, BenchServer.env("SAFEGRID_DB_MIGRATOR_USER", "failover"),
        BenchServer.env("SAFEGRID_DB_MIGRATOR_PASSWORD", "failover"));
    String ingestPassword = System.getenv("SAFEGRID_DB_INGEST_PASSWORD");
    PGSimpleDataSource ingestDb = ingestPassword == null || ingestPassword.isBlank() ? owner
        : dataSource(dbUrl, "safegrid_ingest", ingestPassword);

    IngestSettings topics = IngestSettings.defaults(bootstrap).withGroupAndPrefix("failover-" + run,
        "failover." + run + ".").withWorkers(2);
    Topics.ensure(topics, Topics.DEFAULT_PARTITIONS);

    // the replicas: the same command each, on two fixed ports (a restart comes back where nginx expects it)
    String jar = System.getProperty("java.class.path");
    if (jar == null || !jar.endsWith(".jar") || jar.contains(File.pathSeparator)) {
      throw new IllegalStateException("the failover bench starts replicas from the server jar: run it with "
          + "./safegrid bench failover");
    }
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    Path dir = Files.createTempDirectory("safegrid-failover-");
    List<Replica> replicas = new ArrayList<>();
    for (String name : List.of("replica-a", "replica-b")) {
      int port = freePort();
      List<String> cmd = new ArrayList<>(List.of(javaCommand, "-Xmx" + o.getOrDefault("server-heap", "768m"),
          "-jar", jar, "--server.port=" + port, "--safegrid.ingest.enabled=false",
          "--safegrid.reference.load=false", "--safegrid.leader.replica-id=" + name,
          "--safegrid.security.admin-password=" + System.getenv("SAFEGRID_ADMIN_PASSWORD"),
          "--logging.level.root=WARN", "--logging.level.org.safegrid=INFO"));
      if (o.containsKey("drain")) {
        cmd.add("--safegrid.shutdown.drain=" + o.get("drain"));
      }
      replicas.add(new Replica(name, port, cmd, dir.resolve(name + ".log").toFile()));
    }
    Replica a = replicas.get(0);
    Replica b = replicas.get(1);
    long t0 = System.nanoTime();
    // one first: it migrates the fresh database; then the other
    a.start();
    a.awaitReady(ready);
    b.start();
    b.awaitReady(ready);
    say("both replicas ready in %.0f s (logs in %s)", (System.nanoTime() - t0) / 1e9, dir);
    try (Connection c = owner.getConnection(); Statement st = c.createStatement()) {
      st.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 2)");
    }

    int balancerPort = freePort();
    Process nginx = startNginx(Path.of(o.get("balancer-conf")), Path.of(o.getOrDefault("nginx", "/usr/sbin/nginx")),
        dir, balancerPort, replicas);
    URI base = URI.create("http://127.0.0.1:" + balancerPort);
    String cookie = signIn(base, System.getenv("SAFEGRID_ADMIN_PASSWORD"));
    session = cookie;

    IngestWorkers workers = IngestWorkers.start(topics, ingestDb, new IngestMetrics(new SimpleMeterRegistry()));
    List<LiveClient> live = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      LiveClient c = new LiveClient(base.resolve("/api/live"), cookie);
      live.add(c);
      Thread t = new Thread(c, "failover-live-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (int i = 0; i < 2; i++) {
      Thread t = new Thread(() -> poll(base, cookie), "failover-poller-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    // every client has its first stream before the first event of the run is sent
    long waitStreams = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (live.stream().anyMatch(c -> c.streams.get() == 0) && System.nanoTime() < waitStreams) {
      Thread.sleep(100);
    }
    say("%d live streams open through the balancer on port %d", live.stream().filter(c -> c.streams.get() > 0)
        .count(), balancerPort);

    Ledger ledger = Ledger.create(run + "-");
    Set<Integer> alarmSeqs = ConcurrentHashMap.newKeySet();
    AtomicBoolean producing = new AtomicBoolean(true);
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap));
    LedgerProducer lp = new LedgerProducer(producer, topics);
    TrafficModel model = new TrafficModel(ReferenceCity.huizhou(), seed, run, Instant.now());
    Thread traffic = new Thread(() -> produce(lp, ledger, model, rate, alarmRate, alarmSeqs, producing),
        "failover-traffic");
    long trafficStart = System.nanoTime();
    traffic.start();

    // 1. warm up; 2. SIGKILL the leader, measure the takeover, restart it; 3. rolling restart of both
    Thread.sleep(warmSeconds * 1000L);
    Replica leader = replicas.stream().filter(Replica::leads).findFirst()
        .orElseThrow(() -> new IllegalStateException("no replica says it leads"));
    Replica other = leader == a ? b : a;
    phase.set("leader-kill");
    say("SIGKILL of the leader %s (pid %d)", leader.name, leader.process.pid());
    long killedAt = System.nanoTime();
    leader.process.destroyForcibly();
    double takeover = -1;
    while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(60)) {
      if (other.leads()) {
        takeover = (System.nanoTime() - killedAt) / 1e9;
        break;
      }
      Thread.sleep(100);
    }
    say("%s leads %.2f s after the SIGKILL", other.name, takeover);
    leader.process.waitFor(30, TimeUnit.SECONDS);
    leader.start();
    leader.awaitReady(ready);
    say("%s back after the kill", leader.name);
    Thread.sleep(5000);

    phase.set("rolling-restart");
    for (Replica r : List.of(a, b)) {
      long stopAt = System.nanoTime();
      say("SIGTERM to %s (pid %d): drain, then stop", r.name, r.process.pid());
      r.process.destroy();
      if (!r.process.waitFor(90, TimeUnit.SECONDS)) {
        say("%s did not stop within 90 s: killed", r.name);
        r.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      say("%s stopped after %.1f s", r.name, (System.nanoTime() - stopAt) / 1e9);
      r.start();
      r.awaitReady(ready);
      say("%s ready again", r.name);
      // the balancer lets a failed replica back in after fail_timeout (5 s); let it see this one again
      Thread.sleep(6000);
    }
    phase.set("after");
    Thread.sleep(5000);

    // the end: stop the traffic, wait until everything is stored, judged and streamed
    producing.set(false);
    traffic.join();
    double trafficSeconds = (System.nanoTime() - trafficStart) / 1e9;
    lp.flush();
    producer.close();
    LedgerChecker checker = new LedgerChecker(ingestDb);
    try {
      Duration stored = checker.awaitStored(ledger, Duration.ofSeconds(120));
      say("every acknowledged event stored %.1f s after the last was sent", stored.toMillis() / 1000.0);
    } catch (IllegalStateException e) {
      say("not all events stored: %s", e.getMessage());
    }
    BitSet storedSeqs = new BitSet();
    for (String id : checker.storedIds(ledger.prefix())) {
      storedSeqs.set(Integer.parseInt(id.substring(ledger.prefix().length())));
    }
    Set<String> ackedAlarms = new java.util.HashSet<>();
    for (int seq : alarmSeqs) {
      if (ledger.acked().contains(run + "-" + seq)) {
        ackedAlarms.add(run + "-" + seq);
      }
    }
    long[] judged = awaitAlerts(owner, ackedAlarms, Duration.ofSeconds(90));
    long waitSse = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (live.stream().mapToLong(c -> c.missedOf(storedSeqs)).sum() > 0 && System.nanoTime() < waitSse) {
      Thread.sleep(500);
    }
    running.set(false);
    long missed = 0;
    long repeated = 0;
    long resets = 0;
    long opened = 0;
    long refused = 0;
    for (LiveClient c : live) {
      missed += c.missedOf(storedSeqs);
      repeated += c.repeated.get();
      resets += c.resets.get();
      opened += c.streams.get();
      refused += c.refused.get();
      c.stop();
    }
    workers.close();
    nginx.destroy();
    for (Replica r : replicas) {
      r.process.destroy();
    }
    for (Replica r : replicas) {
      if (!r.process.waitFor(60, TimeUnit.SECONDS)) {
        r.process.destroyForcibly();
      }
    }
    nginx.waitFor(10, TimeUnit.SECONDS);

    List<Double> sorted;
    synchronized (resumes) {
      sorted = new ArrayList<>(resumes);
    }
    Collections.sort(sorted);
    double p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
    double max = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1);
    say("traffic: %,d events sent in %.0f s (%.0f/s, asked %.0f/s), %,d acknowledged, %,d send failures, %,d stored",
        ledger.sent().get(), trafficSeconds, ledger.sent().get() / trafficSeconds, rate, ledger.acked().size(),
        ledger.failed().size(), storedSeqs.cardinality());
    say("alarms: %d injected and acknowledged, %d with an alert, %d with none, %d with more than one", ackedAlarms.size(),
        judged[0], judged[1], judged[2]);
    say("live streams: %d clients, %d streams opened, %d attempts answered other than 200, %d resumes (p99 %.2f s, "
        + "max %.2f s), %d events missed, %d received twice, %d reset messages", clients, opened, refused,
        sorted.size(), p99, max, missed, repeated, resets);
    for (Map.Entry<String, List<Double>> e : new java.util.TreeMap<>(resumesByPhase).entrySet()) {
      List<Double> r;
      synchronized (e.getValue()) {
        r = new ArrayList<>(e.getValue());
      }
      Collections.sort(r);
      say("resumes during %s: %d, median %.2f s, max %.2f s", e.getKey(), r.size(), r.get(r.size() / 2),
          r.get(r.size() - 1));
    }
    for (Map.Entry<String, long[]> e : new java.util.TreeMap<>(pollsByPhase).entrySet()) {
      say("poller during %s: %d requests, %d failed", e.getKey(), e.getValue()[0], e.getValue()[1]);
    }
    synchronized (pollErrors) {
      pollErrors.stream().limit(10).forEach(e -> say("  failed: %s", e));
    }
    say("targets: nothing lost or duplicated, takeover <= 15 s, resume <= 5 s, no failed request in the restart");

    long[] rolling = pollsByPhase.getOrDefault("rolling-restart", new long[2]);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("alarms", ackedAlarms.size());
    out.put("alerts_lost", judged[1]);
    out.put("alerts_duplicated", judged[2]);
    out.put("leader_takeover_s", round2(takeover));
    out.put("sse_clients", clients);
    out.put("sse_events_missed", missed);
    out.put("sse_resume_p99_s", round2(p99));
    out.put("http_errors_during_restart", rolling[1]);
    return out;
  }

  /** The traffic at {@code rate} on a fixed timeline, every {@code rate / alarmRate}-th event a campus alarm. */
  private void produce(LedgerProducer lp, Ledger ledger, TrafficModel model, double rate, double alarmRate,
                       Set<Integer> alarmSeqs, AtomicBoolean producing) {
    long every = Math.max(1, Math.round(rate / alarmRate));
    long start = System.nanoTime();
    for (int seq = 0; producing.get(); seq++) {
      long wait = start + (long) (seq * 1e9 / rate) - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Instant now = Instant.now();
      String id = run + "-" + seq;
      Event e;
      if (seq % every == every - 1) {
        // a campus of its own per alarm: the rule de-duplicates by campus, so each alarm is one alert
        String campus = "FO-" + run + "-" + seq;
        e = new Event(id, Source.CAMERA, "ALM-" + campus, "campus_alarm", 4, now, 114.40 + (seq % 100) * 1e-4,
            23.10 + (seq % 97) * 1e-4, Datum.WGS84, new CameraAttrs("ALM-" + campus, "button", 1.0, campus).toMap());
        alarmSeqs.add(seq);
      } else {
        Event m = model.next(now);
        e = new Event(id, m.source(), m.sourceId(), m.kind(), m.severity(), m.observedAt(), m.lon(), m.lat(),
            m.datum(), m.attrs());
      }
      lp.sendOne(ledger, e);
    }
  }

  /** Polls read endpoints through the balancer until the run ends; counts requests and failures by phase. */
  private void poll(URI base, String cookie) {
    List<String> paths = List.of("/api/me", "/api/alerts?limit=20", "/api/incidents",
        "/api/live/counts?since=" + (System.currentTimeMillis() - 3_600_000));
    for (int i = 0; running.get(); i++) {
      String path = paths.get(i % paths.size());
      String p = phase.get();
      boolean ok;
      String why = null;
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Cookie", cookie)
            .header("X-Requested-With", "XMLHttpRequest").timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.discarding());
        ok = r.statusCode() == 200;
        if (!ok) {
          why = path + " -> " + r.statusCode();
        }
      } catch (IOException e) {
        ok = false;
        why = path + " -> " + e;
      } catch (InterruptedException e) {
        return;
      }
      if (!running.get()) {
        return;
      }
      long[] counts = pollsByPhase.computeIfAbsent(p, k -> new long[2]);
      synchronized (counts) {
        counts[0]++;
        if (!ok) {
          counts[1]++;
        }
      }
      if (why != null) {
        pollErrors.add(p + ": " + why);
      }
      sleepMillis(50);
    }
  }

  /**
   * Waits until every alarm has an alert or {@code limit} passes; returns alarms with an alert, alarms
   * without, alarms with more than one.
   */
  private static long[] awaitAlerts(PGSimpleDataSource db, Set<String> alarms, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      Map<String, Long> perAlarm = new java.util.HashMap<>();
      try (Connection c = db.getConnection(); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT event_id, count(*) FROM alert WHERE rule_id = 'campus-alarm' "
               + "GROUP BY event_id")) {
        while (rs.next()) {
          perAlarm.put(rs.getString(1), rs.getLong(2));
        }
      } catch (SQLException e) {
        // a table not there yet counts as no alert
      }
      long with = alarms.stream().filter(perAlarm::containsKey).count();
      if (with == alarms.size() || System.nanoTime() > deadline) {
        long twice = alarms.stream().filter(id -> perAlarm.getOrDefault(id, 0L) > 1).count();
        return new long[] {with, alarms.size() - with, twice};
      }
      Thread.sleep(1000);
    }
  }

  /**
   * Signs in as the admin through the balancer with the login form, as a browser does; the session is
   * kept in PostgreSQL, so its cookie serves every replica (and no request pays a password check).
   */
  private String signIn(URI base, String password) throws Exception {
    HttpResponse<Void> page = http.send(HttpRequest.newBuilder(base.resolve("/login.html")).build(),
        HttpResponse.BodyHandlers.discarding());
    String xsrf = cookie(page, "XSRF-TOKEN");
    String form = "username=admin&password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)
        + "&_csrf=" + xsrf;
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "XSRF-TOKEN=" + xsrf)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());
    if (r.headers().firstValue("Location").orElse("").contains("error")) {
      throw new IllegalStateException("the admin's sign-in through the balancer was refused");
    }
    String session = "JSESSIONID=" + cookie(r, "JSESSIONID");
    int me = http.send(HttpRequest.newBuilder(base.resolve("/api/me")).header("Cookie", session).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    if (me != 200) {
      throw new IllegalStateException("the admin's session is refused through the balancer (HTTP " + me + ")");
    }
    return session;
  }

  private static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.split(";")[0].substring(name.length() + 1)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + name + " cookie from the balancer"));
  }

  /**
   * Starts nginx in the foreground with the shipped balancer configuration, its upstream's one {@code
   * server server:8080} line made one line per replica (same parameters) and its listen port free.
   */
  private static Process startNginx(Path balancerConf, Path nginx, Path dir, int port, List<Replica> replicas)
      throws Exception {
    if (!Files.isExecutable(nginx)) {
      throw new IllegalStateException("nginx not found at " + nginx + " (the Debian package nginx; --nginx PATH)");
    }
    String conf = Files.readString(balancerConf);
    Matcher m = UPSTREAM_SERVER.matcher(conf);
    if (!m.find()) {
      throw new IllegalStateException(balancerConf + " has no 'server server:8080 ...;' upstream line");
    }
    StringBuilder servers = new StringBuilder();
    for (Replica r : replicas) {
      servers.append("server 127.0.0.1:").append(r.port).append(m.group(1)).append(";\n    ");
    }
    conf = m.replaceFirst(Matcher.quoteReplacement(servers.toString().trim()));
    conf = LISTEN.matcher(conf).replaceFirst("listen 127.0.0.1:" + port + ";");
    Path site = dir.resolve("balancer.conf");
    Files.writeString(site, conf);
    Path main = dir.resolve("nginx.conf");
    // as root nginx's workers would run as nobody, who cannot write the temporary folders made here
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    Files.writeString(main, user + "daemon off;\nworker_processes 1;\npid " + dir.resolve("nginx.pid") + ";\n"
        + "error_log " + dir.resolve("nginx-error.log") + " warn;\nevents { worker_connections 1024; }\nhttp {\n"
        + "  access_log off;\n  client_body_temp_path " + dir + ";\n  proxy_temp_path " + dir + ";\n"
        + "  fastcgi_temp_path " + dir + ";\n  uwsgi_temp_path " + dir + ";\n  scgi_temp_path " + dir + ";\n"
        + "  include " + site + ";\n}\n");
    Process p = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", main.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    // SIGTERM, not SIGKILL: the master stops its workers (a killed master leaves them running)
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("nginx exited with " + p.exitValue() + ": "
            + Files.readString(dir.resolve("nginx.out")) + Files.readString(dir.resolve("nginx-error.log")));
      }
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        say("nginx (pid %d) balances port %d over %d replicas with %s", p.pid(), port, replicas.size(), balancerConf);
        return p;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("nginx not listening on " + port + " after 10 s");
  }

  private static PGSimpleDataSource dataSource(String url, String user, String password) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url);
    ds.setUser(user);
    ds.setPassword(password);
    return ds;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void say(String format, Object... args) {
    System.out.printf(Locale.ROOT, format + "%n", args);
  }
}
