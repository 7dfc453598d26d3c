package org.safegrid.ingest.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.ingest.broker.BrokerSecurity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.CheckpointAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.ingest.worker.Topics;

/**
 * The ingest macro-benchmark: in one run on one machine, (a) the physical limit (raw COPY of the
 * same rows into the same indexed event table), (b) SafeGrid ingest draining pre-produced events
 * from Kafka at full speed, and (c) produce-to-committed latency at a fixed 5,000 events/s.
 *
 * <p>Works in a scratch database it creates beside the one given (and drops at the end), so the
 * given database is not touched; if it may not create databases it uses the given one and removes
 * its rows afterwards. The last line printed is one JSON object.
 *
 * <p>Options: {@code --db-url --db-user} (required URL; the password comes from the environment,
 * {@code SAFEGRID_DB_PASSWORD}, never from the command line, where every user of the machine can read it
 * in the process list), {@code --bootstrap} (default:
 * an embedded broker in a temporary directory), {@code --events} (default 1000000; 200000 per step of the scale-out), {@code --workers}
 * (default 2; a list such as {@code 1,2,3} runs the scale-out benchmark instead, {@link ScaleOutBenchmark}),
 * {@code --rate} (default 5000), {@code --latency-seconds} (default 20), {@code --warm-up}
 * (events sent through the three paths before measuring, default 200000; 0 for none: then the first run
 * also pays for the JIT compiler's work), {@code --runs} (default 3: each figure is measured that many
 * times and the median reported).
 *
 * <p>Latency is produce to committed: from the record's create time, set by the producer when it
 * sends, to the return of the database commit that made the row visible to every reader. It is not
 * {@code received_at - observed_at}, which stops at the start of the writing transaction.
 *
 * <p>Rebalances are counted in every measured window (partitions taken away from a running worker);
 * a steady group has none, and a measured window starts only once every worker holds partitions.
 */
public final class IngestBenchmark {

  private String dbUrl;
  private String dbUser = "postgres";
  private String dbPassword = "";
  private String bootstrap;
  /** Events per measured window; the one-process benchmark's default is {@link #EVENTS}, the scale-out's 200,000. */
  private int events = -1;
  /**
   * The one-process benchmark's default: a million events drain in about ten seconds on two cores, so the
   * first and last batches (the group's first fetches, the worker that finishes its partitions last)
   * weigh little in the rate; at 200,000 they took a tenth of a two-second window.
   */
  static final int EVENTS = 1_000_000;
  private int workers = 2;
  /** {@code --workers 1,2,3}: the scale-out steps (worker processes), or null for the one-process benchmark. */
  private int[] workerSteps;
  private int rate = 5000;
  private int latencySeconds = 20;
  private int warmUp = 200_000;
  private int runs = 3;

  /** Watches the collections from the start: the heap figure is the most in use at one instant. */
  private static final HeapPeak HEAP = HeapPeak.watch();

  public static void main(String[] args) throws Exception {
    IngestBenchmark b;
    try {
      b = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (b.dbUrl == null) {
      System.err.println("usage: IngestBenchmark --db-url jdbc:postgresql://host:port/db [--db-user u] "
          + "[--bootstrap host:port] [--events N] [--workers N | --workers 1,2,3] [--rate N] [--latency-seconds S] [--warm-up N] [--runs N] "
          + "(password: env SAFEGRID_DB_PASSWORD)");
      System.exit(2);
    }
    b.run();
    System.exit(0);
  }

  /** The benchmark of these options; the database password is taken from {@code env}. */
  static IngestBenchmark parse(String[] args, java.util.Map<String, String> env) {
    IngestBenchmark b = new IngestBenchmark();
    b.dbPassword = env.getOrDefault("SAFEGRID_DB_PASSWORD", "");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--db-url" -> b.dbUrl = args[++i];
        case "--db-user" -> b.dbUser = args[++i];
        case "--db-password" -> throw new IllegalArgumentException("--db-password is refused: a password on the "
            + "command line is visible in the process list; set SAFEGRID_DB_PASSWORD instead");
        case "--bootstrap" -> b.bootstrap = args[++i];
        case "--events" -> b.events = Integer.parseInt(args[++i]);
        case "--workers" -> {
          String v = args[++i];
          if (v.contains(",")) {
            b.workerSteps = java.util.Arrays.stream(v.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
            if (java.util.Arrays.stream(b.workerSteps).anyMatch(x -> x < 1 || x > ScaleOutBenchmark.PARTITIONS)) {
              throw new IllegalArgumentException("--workers " + v + ": each count must be 1.."
                  + ScaleOutBenchmark.PARTITIONS + " (the partitions of a topic)");
            }
          } else {
            b.workers = Integer.parseInt(v);
          }
        }
        case "--rate" -> b.rate = Integer.parseInt(args[++i]);
        case "--latency-seconds" -> b.latencySeconds = Integer.parseInt(args[++i]);
        case "--warm-up" -> b.warmUp = Integer.parseInt(args[++i]);
        case "--runs" -> b.runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (b.events < 0) {
      b.events = b.workerSteps != null ? 200_000 : EVENTS;
    }
    return b;
  }

  /** The scale-out steps of {@code --workers 1,2,3}, or null. */
  int[] workerSteps() {
    return workerSteps;
  }

  /** The database password this benchmark connects with. */
  String dbPassword() {
    return dbPassword;
  }

  private void run() throws Exception {
    EmbeddedBroker.quietLogging();
    EmbeddedBroker broker = null;
    if (bootstrap == null) {
      broker = EmbeddedBroker.start(Files.createTempDirectory("safegrid-bench-kafka-"), 0, 6,
          EmbeddedBroker.SERVICE_SETTINGS);
      bootstrap = broker.bootstrapServers();
      // its own broker authenticates like any other (SASL_SSL); the bench's clients connect as its
      // administrator, since they use bench-only topic names no source or worker ACL covers
      if (System.getenv("SAFEGRID_KAFKA_USER") == null) {
        System.setProperty("safegrid.kafka.security-dir", broker.security().dir().toString());
        System.setProperty("safegrid.kafka.user", BrokerSecurity.ADMIN);
      }
    }
    String scratch = "safegrid_bench_" + ProcessHandle.current().pid();
    String url = createScratch(scratch);
    boolean own = url != null;
    if (!own) {
      System.out.println("note: cannot create a scratch database; using the given one and cleaning up after");
      url = dbUrl;
    }
    try {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(url);
      ds.setUser(dbUser);
      ds.setPassword(dbPassword);
      Flyway.configure().dataSource(ds).load().migrate();
      String runId = "b" + Long.toString(System.currentTimeMillis(), 36);
      // the i-th event is observed 7 ms after the one before: every one of them lies in the past
      Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1))
          .minusMillis(7L * Math.max(events, warmUp));
      if (workerSteps != null) {
        scaleOut(ds, url, own, runId, base);
        return;
      }
      System.out.printf(Locale.ROOT, "SafeGrid ingest benchmark: %,d events, %d workers, %d cores, db %s, kafka %s%n",
          events, workers, Runtime.getRuntime().availableProcessors(), own ? "scratch " + scratch : dbUrl, bootstrap);

      // warm-up, as any benchmark of a JIT-compiled program needs: one whole run of every phase,
      // not counted. The first run of a fresh JVM also pays for compiling the consumer, decoder,
      // writer and (here) the embedded broker. With a warm-up of the drain alone, even one after
      // which the compiler had gone quiet, the JIT compiler threads were busy again for a quarter to
      // half a core of two during the first measured drain (not during the second), and that run
      // came out 20-40 % slower than the next. The raw COPYs are warmed the same way (their
      // encoders, the caches, the partition's first pages). Then the compiler is let finish its queue.
      if (warmUp > 0) {
        Run w = measure(ds, runId + "w", base, own, warmUp, Math.min(5, latencySeconds));
        JitSettle settled = JitSettle.await(Duration.ofSeconds(60));
        System.out.printf(Locale.ROOT, "warm-up, not counted: %,d events each way: binary copy %,.0f rows/s, ingest %,.0f "
            + "events/s (binary %.3f); %s%n", warmUp, w.copyBinaryEps, w.ingestEps, w.ingestEps / w.copyBinaryEps,
            settled);
      }
      java.util.List<Run> measured = new java.util.ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        Run run = measure(ds, runId + "r" + r, base, own, events, latencySeconds);
        measured.add(run);
        System.out.printf(Locale.ROOT, "run %d: copy %,.0f rows/s, binary copy %,.0f rows/s, ingest %,.0f events/s"
            + " (ratio %.3f, binary %.3f), p50 %.1f ms, p99 %.1f ms produce -> committed, %d rebalance(s)%n", r,
            run.copyEps, run.copyBinaryEps, run.ingestEps, run.ingestEps / run.copyEps,
            run.ingestEps / run.copyBinaryEps, run.p50, run.p99, run.rebalances);
        System.out.println("    " + run.cpu.line());
      }
      double copyEps = median(measured, Run::copyEps);
      double copyBinaryEps = median(measured, Run::copyBinaryEps);
      double ingestEps = median(measured, Run::ingestEps);
      double ratio = median(measured, x -> x.ingestEps / x.copyEps);
      double ratioBinary = median(measured, x -> x.ingestEps / x.copyBinaryEps);
      double p50 = median(measured, Run::p50);
      double p99 = median(measured, Run::p99);
      long rebalances = measured.stream().mapToLong(Run::rebalances).sum();
      System.out.printf(Locale.ROOT, "median of %d: (a) raw COPY %,.0f rows/s, (a') raw binary COPY %,.0f rows/s, "
          + "(b) SafeGrid ingest %,.0f events/s = %.0f %% of raw COPY (%.0f %% of raw binary COPY), (c) at %,d events/s "
          + "p50 %.1f ms, p99 %.1f ms produce -> committed (producer's send to the visible database commit)%n",
          runs, copyEps, copyBinaryEps, ingestEps, 100 * ratio, 100 * ratioBinary, rate, p50, p99);
      long rssMb = peakRssMb();
      long heapMb = HEAP.peakMb();
      long heapMaxMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
      System.out.printf(Locale.ROOT, "peak RSS of this process (workers + benchmark producer): %d MiB; peak heap %d MiB"
          + " of a %d MiB maximum; %d rebalance(s) in the measured windows; load average %s%n",
          rssMb, heapMb, heapMaxMb, rebalances, ProcStat.loadAverage());
      if (!own) {
        cleanup(ds, runId);
      }
      StringBuilder runsJson = new StringBuilder("[");
      for (Run run : measured) {
        runsJson.append(runsJson.length() > 1 ? "," : "").append(String.format(Locale.ROOT,
            "{\"copy_eps\":%.0f,\"copy_binary_eps\":%.0f,\"ingest_eps\":%.0f,\"p50_ms\":%.1f,\"p99_ms\":%.1f,"
                + "\"rebalances\":%d,%s}", run.copyEps, run.copyBinaryEps, run.ingestEps, run.p50, run.p99,
            run.rebalances, run.cpu.json()));
      }
      runsJson.append(']');
      System.out.printf(Locale.ROOT, "{\"copy_eps\":%.0f,\"ingest_eps\":%.0f,\"ratio\":%.3f,\"p50_ms\":%.1f,"
          + "\"p99_ms\":%.1f,\"worker_rss_mb\":%d,\"worker_heap_peak_mb\":%d,\"worker_heap_max_mb\":%d,"
          + "\"events\":%d,\"workers\":%d,\"copy_binary_eps\":%.0f,\"ratio_binary\":%.3f,\"rate\":%d,"
          + "\"latency\":\"produce_to_committed\",\"rebalances\":%d,\"load1\":%s,\"runs\":%s}%n",
          copyEps, ingestEps, ratio, p50, p99, rssMb, heapMb, heapMaxMb, events, workers, copyBinaryEps,
          ratioBinary, rate, rebalances, ProcStat.loadAverage().split(" ")[0], runsJson);
    } finally {
      if (own) {
        dropScratch(scratch);
      }
      if (broker != null) {
        broker.close();
      }
    }
  }

  /** {@code --workers 1,2,3}: worker processes, step by step, and who uses the CPU ({@link ScaleOutBenchmark}). */
  private void scaleOut(PGSimpleDataSource ds, String url, boolean own, String runId, Instant base) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "SafeGrid ingest scale-out benchmark: %,d events per step, worker processes %s, "
            + "%d partitions per topic, %d cores, db %s, kafka %s%n", events, java.util.Arrays.toString(workerSteps),
        ScaleOutBenchmark.PARTITIONS, cores, own ? "scratch" : dbUrl, bootstrap);
    java.util.List<ScaleOutBenchmark.Step> steps = new ScaleOutBenchmark(ds, url, dbUser, dbPassword, bootstrap, events,
        own).run(workerSteps, runId, base);
    System.out.printf(Locale.ROOT, "load average %s%n", ProcStat.loadAverage());
    System.out.printf(Locale.ROOT, "{%s,\"load1\":%s}%n", ScaleOutBenchmark.json(steps, cores, events),
        ProcStat.loadAverage().split(" ")[0]);
  }

  /** One run's figures. */
  private record Run(double copyEps, double copyBinaryEps, double ingestEps, double p50, double p99,
                     long rebalances, Cpu cpu) {
  }

  /**
   * CPU microseconds per row of the raw binary COPY (PostgreSQL) and per event of the drain (PostgreSQL,
   * this JVM, its worker threads), and each window's busy share of the machine's cores; -1 when unknown.
   */
  private record Cpu(double copyPostgresUs, double copyBusy, double ingestPostgresUs, double ingestJvmUs,
                     double ingestWorkerUs, double ingestBusy) {

    static Cpu of(Copied c, long rows, Drained d) {
      return new Cpu(CpuMeter.perUnit(c.cpu.postgresCpu(), rows), c.cpu.busy(),
          CpuMeter.perUnit(d.cpu.postgresCpu(), d.events), CpuMeter.perUnit(d.cpu.jvmCpu(), d.events),
          CpuMeter.perUnit(d.cpu.workerCpu(), d.events), d.cpu.busy());
    }

    String line() {
      return String.format(Locale.ROOT, "CPU per row or event: binary copy PostgreSQL %.1f us (machine %.0f %% busy); "
              + "ingest PostgreSQL %.1f us + JVM %.1f us (of which worker threads %.1f us; machine %.0f %% busy)",
          copyPostgresUs, 100 * copyBusy, ingestPostgresUs, ingestJvmUs, ingestWorkerUs, 100 * ingestBusy);
    }

    String json() {
      return String.format(Locale.ROOT, "\"copy_binary_pg_cpu_us\":%.2f,\"copy_binary_busy\":%.3f,"
              + "\"ingest_pg_cpu_us\":%.2f,\"ingest_jvm_cpu_us\":%.2f,\"ingest_worker_cpu_us\":%.2f,"
              + "\"ingest_busy\":%.3f", copyPostgresUs, copyBusy, ingestPostgresUs, ingestJvmUs, ingestWorkerUs,
          ingestBusy);
    }
  }

  /** One run: (a) raw COPY, (a') raw binary COPY, (b) ingest at full speed, (c) latency at the fixed rate. */
  private Run measure(PGSimpleDataSource ds, String prefix, Instant base, boolean own, int events,
                      int latencySeconds) throws Exception {
    double copyEps = rawCopy(ds, prefix + "c", base, events);
    emptyEventTable(ds, prefix + "c", own);
    // the same rows in COPY's binary format (the form SafeGrid's writer uses): PostgreSQL parses
    // no text at all, so this is the faster of the two limits
    Copied copied = rawCopyBinary(ds, prefix + "cb", base, events);
    emptyEventTable(ds, prefix + "cb", own);
    Drained d = drain(ds, prefix + "i", base, events);
    Latency l = latency(ds, prefix + "l", latencySeconds);
    // the next run starts from the same empty tables
    if (own) {
      try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
        st.execute("TRUNCATE event, event_key, event_count, patrol_position");
        st.execute("VACUUM ANALYZE");
      }
    } else {
      cleanup(ds, prefix);
    }
    return new Run(copyEps, copied.eps, d.eps, l.p50, l.p99, d.rebalances + l.rebalances, Cpu.of(copied, events, d));
  }

  private static void emptyEventTable(PGSimpleDataSource ds, String prefix, boolean own) throws SQLException {
    if (own) {
      try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
        st.execute("TRUNCATE event");
      }
    } else {
      cleanup(ds, prefix);
    }
  }

  private static double median(java.util.List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    double[] v = runs.stream().mapToDouble(f).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /**
   * Waits until every worker of the pool holds partitions and no rebalance has happened for two
   * seconds: a measured window opens on a steady group.
   */
  private void awaitSteadyGroup(IngestMetrics m) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    double seen = m.rebalancesTotal();
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      if (m.rebalancesTotal() != seen || m.workersWithPartitions() < Math.min(workers, 24)) {
        seen = m.rebalancesTotal();
        since = System.nanoTime();
      } else if (System.nanoTime() - since > 2_000_000_000L) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the " + workers + " workers did not form a steady group in 90 s");
  }

  // --- (a) the physical limit -----------------------------------------------------------------

  private double rawCopy(PGSimpleDataSource ds, String prefix, Instant base, int events)
      throws SQLException, IOException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      LocalDate d0 = LocalDate.ofInstant(base, ZoneOffset.UTC);
      LocalDate d1 = LocalDate.ofInstant(base.plusMillis(events * 7L), ZoneOffset.UTC);
      st.execute("SELECT safegrid_ensure_event_partitions('" + d0 + "', '" + d1 + "')");
      // the rows go to a temporary file first, so a million of them need not fit in the heap; only the
      // COPY is timed
      Path file = Files.createTempFile("safegrid-raw-copy-", ".txt");
      try {
        HexFormat hex = HexFormat.of();
        ByteBuffer wkb = ByteBuffer.allocate(25).order(ByteOrder.LITTLE_ENDIAN);
        try (java.io.Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          StringBuilder sb = new StringBuilder(512);
          for (int i = 0; i < events; i++) {
            Event e = event(prefix, i, base);
            wkb.clear();
            wkb.put((byte) 1).putInt(0x20000001).putInt(4326).putDouble(e.lon()).putDouble(e.lat());
            sb.setLength(0);
            sb.append(e.id()).append('\t').append(e.source().wireName()).append('\t').append(e.sourceId()).append('\t')
                .append(e.kind()).append('\t').append(e.severity()).append('\t').append(e.observedAt()).append('\t')
                .append(hex.formatHex(wkb.array())).append('\t')
                .append(EventCodec.toJson(e).get("attrs").toString().replace("\\", "\\\\"))
                .append('\n');
            out.append(sb);
          }
        }
        long t0 = System.nanoTime();
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
          ((PGConnection) c.unwrap(PGConnection.class)).getCopyAPI().copyIn(
              "COPY event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) FROM STDIN",
              in, 1 << 16);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        return events / s;
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  private record Copied(double eps, CpuMeter.Window cpu) {
  }

  private Copied rawCopyBinary(PGSimpleDataSource ds, String prefix, Instant base, int events)
      throws SQLException, IOException {
    CpuMeter meter = CpuMeter.of(ds);
    try (Connection c = ds.getConnection()) {
      double eps = RawCopy.binary(c, java.util.stream.IntStream.range(0, events).mapToObj(i -> event(prefix, i, base))
          .iterator(), e -> EventCodec.toJson(e).get("attrs").toString(), meter);
      return new Copied(eps, meter.stop());
    }
  }

  // --- (b) SafeGrid from Kafka at full speed ----------------------------------------------------

  private record Drained(double eps, long rebalances, long events, CpuMeter.Window cpu) {
  }

  private Drained drain(PGSimpleDataSource ds, String prefix, Instant base, int events) throws Exception {
    IngestSettings s = IngestSettings.defaults(bootstrap).withWorkers(workers)
        .withGroupAndPrefix("bench-" + prefix, "bench." + prefix + ".");
    Topics.ensure(s, 6);
    produce(bootstrap, s, prefix, base, events);
    System.out.printf(Locale.ROOT, "    %,d events pre-produced; draining%n", events);
    IngestMetrics m = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, ds, m)) {
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while ((m.writtenTotal() == 0 || m.workersWithPartitions() < Math.min(workers, 24))
          && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      // measured from the first committed batch once every worker holds partitions, so group
      // joining is not counted
      CpuMeter meter = CpuMeter.of(ds).start();
      long t0 = System.nanoTime();
      double w0 = m.writtenTotal();
      double r0 = m.rebalancesTotal();
      while (m.writtenTotal() < events && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      CpuMeter.Window cpu = meter.stop();
      if (m.writtenTotal() < events) {
        throw new IllegalStateException("only " + m.writtenTotal() + " of " + events + " events written in 10 min");
      }
      return new Drained((m.writtenTotal() - w0) / secs, (long) (m.rebalancesTotal() - r0),
          (long) (m.writtenTotal() - w0), cpu);
    }
  }

  /** Sends the events {@code prefix}-0 … to the topics of {@code s} and waits until every one is acknowledged. */
  static void produce(String bootstrap, IngestSettings s, String prefix, Instant base, int events)
      throws InterruptedException {
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    // bounded in-flight sends: on a busy machine an unbounded burst waits in the producer until
    // delivery.timeout.ms expires and is dropped
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(20_000);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap))) {
      for (int i = 0; i < events; i++) {
        Event e = event(prefix, i, base);
        window.acquire();
        p.send(new ProducerRecord<>(s.topic(e.source()), e.sourceId().getBytes(StandardCharsets.UTF_8),
            EventCodec.encode(e)), (md, ex) -> {
              window.release();
              if (ex != null) {
                failed.incrementAndGet();
              }
            });
      }
      p.flush();
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + events + " events could not be produced");
    }
  }

  // --- (c) latency at a fixed rate ---------------------------------------------------------------

  private record Latency(double p50, double p99, long rebalances) {
  }

  private Latency latency(PGSimpleDataSource ds, String prefix, int latencySeconds) throws Exception {
    IngestSettings s = IngestSettings.defaults(bootstrap).withWorkers(workers)
        .withGroupAndPrefix("bench-" + prefix, "bench." + prefix + ".");
    Topics.ensure(s, 6);
    IngestMetrics m = new IngestMetrics(new SimpleMeterRegistry());
    int total = rate * latencySeconds;
    long[] lat = new long[total * 2];
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    double[] r0 = new double[1];
    m.onEndToEnd(ms -> {
      int i = n.getAndIncrement();
      if (i < lat.length) {
        lat[i] = ms;
      }
    });
    try (IngestWorkers w = IngestWorkers.start(s, ds, m);
         KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap))) {
      // warm-up: the group must have formed (both workers assigned, rebalances over) before the
      // clock starts, or the first seconds measure the join; wait until a trickle of events is
      // written promptly for two seconds in a row, then forget its samples
      int sent = 0;
      // the broker holds a new group's first rebalance back (group.initial.rebalance.delay.ms, 3 s)
      // and the second member's join follows it: no measurement in the first 10 s
      long warmMin = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      long warmEnd = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long steadySince = -1;
      while (System.nanoTime() < warmEnd) {
        for (int k = 0; k < 50; k++) {
          Event e = event(prefix + "w", sent++, Instant.now());
          p.send(new ProducerRecord<>(s.topic(e.source()), e.sourceId().getBytes(StandardCharsets.UTF_8),
              EventCodec.encode(e)));
        }
        p.flush();
        Thread.sleep(100);
        boolean caughtUp = m.writtenTotal() >= sent - 50;
        if (!caughtUp) {
          steadySince = -1;
        } else if (steadySince < 0) {
          steadySince = System.nanoTime();
        } else if (System.nanoTime() - steadySince > 3_000_000_000L && System.nanoTime() > warmMin) {
          break;
        }
      }
      long deadlineForWarmUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (m.writtenTotal() < sent && System.nanoTime() < deadlineForWarmUp) {
        Thread.sleep(10);
      }
      awaitSteadyGroup(m);
      long baseline = (long) m.writtenTotal();
      r0[0] = m.rebalancesTotal();
      n.set(0);
      long start = System.nanoTime();
      long intervalNanos = 1_000_000_000L / rate;
      for (int i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 200_000) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        // observedAt = now, so the event is inside the accepted time window
        Event e = event(prefix, i, Instant.now().minusMillis(i * 7L));
        p.send(new ProducerRecord<>(s.topic(e.source()), e.sourceId().getBytes(StandardCharsets.UTF_8),
            EventCodec.encode(e)));
      }
      p.flush();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (m.writtenTotal() - baseline < total && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      r0[0] = m.rebalancesTotal() - r0[0];
    }
    int count = Math.min(n.get(), lat.length);
    if (count == 0) {
      throw new IllegalStateException("no event was written during the latency run");
    }
    long[] sorted = java.util.Arrays.copyOf(lat, count);
    java.util.Arrays.sort(sorted);
    double p50 = sorted[(int) Math.min(count - 1, Math.round(0.50 * (count - 1)))];
    double p99 = sorted[(int) Math.min(count - 1, Math.round(0.99 * (count - 1)))];
    return new Latency(p50, p99, (long) r0[0]);
  }

  // --- the events -----------------------------------------------------------------------------------

  /** The i-th benchmark event: sources mixed like the reference city (patrol pings dominate). */
  static Event event(String prefix, int i, Instant base) {
    Random r = new Random(i * 2654435761L);
    double lon = 113.9 + r.nextDouble() * 1.5;
    double lat = 22.5 + r.nextDouble() * 1.8;
    Instant at = base.plusMillis(i * 7L).truncatedTo(ChronoUnit.MILLIS);
    int k = i % 10;
    if (k < 6) {
      String unit = "U-" + (i % 889);
      return new Event(prefix + "-" + i, Source.PATROL, unit, "position", 0, at, lon, lat, Datum.WGS84,
          new PatrolAttrs(unit, 20 + r.nextInt(40) * 1.0, r.nextInt(360) * 1.0, "patrolling", null).toMap());
    } else if (k < 8) {
      String kp = "KP-" + (i % 381);
      return new Event(prefix + "-" + i, Source.CHECKPOINT, kp, "check", 1, at, lon, lat, Datum.WGS84,
          new CheckpointAttrs(kp, "vehicle", "clear", "粤L" + (10000 + i % 90000)).toMap());
    }
    String cam = "CAM-" + (i % 2400);
    return new Event(prefix + "-" + i, Source.CAMERA, cam, "intrusion", 3, at, lon, lat, Datum.WGS84,
        new CameraAttrs(cam, "person", 0.5 + r.nextDouble() / 2, null).toMap());
  }

  // --- database housekeeping -----------------------------------------------------------------------

  private String createScratch(String name) {
    try (Connection c = DriverManager.getConnection(dbUrl, dbUser, dbPassword); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
      return dbUrl.substring(0, dbUrl.lastIndexOf('/') + 1) + name;
    } catch (SQLException e) {
      return null;
    }
  }

  private void dropScratch(String name) {
    try (Connection c = DriverManager.getConnection(dbUrl, dbUser, dbPassword); Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      System.err.println("could not drop scratch database " + name + ": " + e.getMessage());
    }
  }

  /**
   * Removes the benchmark's rows from a database it shares, and what they left behind: the latest
   * positions they set and their share of the per-minute counters (recounted from the remaining
   * events for the minutes the benchmark touched), so that the database stays consistent.
   */
  static void cleanup(PGSimpleDataSource ds, String prefix) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("CREATE TEMP TABLE bench_minutes ON COMMIT DROP AS SELECT DISTINCT source, "
          + "date_trunc('minute', observed_at) AS minute FROM event WHERE event_id LIKE '" + prefix + "%'");
      st.execute("DELETE FROM event WHERE event_id LIKE '" + prefix + "%'");
      st.execute("DELETE FROM event_key WHERE event_id LIKE '" + prefix + "%'");
      st.execute("DELETE FROM patrol_position WHERE event_id LIKE '" + prefix + "%'");
      st.execute("DELETE FROM event_count c USING bench_minutes b WHERE c.source = b.source AND c.minute = b.minute");
      st.execute("INSERT INTO event_count (source, minute, events, newest_observed_at) "
          + "SELECT e.source, date_trunc('minute', e.observed_at), count(*), max(e.observed_at) FROM event e "
          + "JOIN bench_minutes b ON b.source = e.source AND b.minute = date_trunc('minute', e.observed_at) "
          + "GROUP BY 1, 2");
      c.commit();
      c.setAutoCommit(true);
      st.execute("VACUUM ANALYZE event");
    }
  }

  private static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

}
