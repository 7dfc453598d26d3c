package org.safegrid.ingest.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.ingest.IngestWorkerMain;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.Topics;

/**
 * The scale-out benchmark ({@code --workers 1,2,3}): for each count N, N worker processes (separate
 * JVMs running {@link IngestWorkerMain}, as in production) drain the same pre-produced events from
 * topics with {@link #PARTITIONS} partitions each into the same database, and the CPU each side used
 * is read from {@code /proc}, so the curve says whether the workers or PostgreSQL set the limit.
 *
 * <p>A step's window opens once the consumer group is stable with N members holding partitions and
 * closes when 97 % of the events are committed; events/s is the rows committed inside it (read from
 * the per-minute counters the workers keep in their write transactions). CPU shares are fractions
 * of the whole machine's capacity over the window (every core's jiffies from {@code /proc/stat}):
 * PostgreSQL is the postmaster of the benchmark's database and its children (the postmaster's
 * reaped-children time counts backends that ended inside the window); the workers are the N
 * processes; {@code machine_busy_share} is everything, other users of the machine included. Each
 * step ends with a ledger check: every produced event stored once. Needs PostgreSQL on this machine
 * for the database share (null otherwise).
 */
final class ScaleOutBenchmark {

  /** Partitions of each source topic: room for the largest step with spare. */
  static final int PARTITIONS = 12;

  private final PGSimpleDataSource ds;
  private final String url;
  private final String user;
  private final String password;
  private final String bootstrap;
  private final int events;
  private final boolean scratch;

  /** With {@code scratch}, the database is the benchmark's own and is emptied between steps; else its rows are removed. */
  ScaleOutBenchmark(PGSimpleDataSource ds, String url, String user, String password, String bootstrap, int events,
                    boolean scratch) {
    this.ds = ds;
    this.url = url;
    this.user = user;
    this.password = password;
    this.bootstrap = bootstrap;
    this.events = events;
    this.scratch = scratch;
  }

  /** One step's figures. */
  record Step(int workers, double eps, Double dbCpuShare, double workersCpuShare, double machineBusyShare,
              long lost, long duplicated, double windowSeconds) {
  }

  /** Runs the steps in order and prints one line per step; the caller prints the JSON. */
  List<Step> run(int[] workerCounts, String runId, Instant base) throws Exception {
    List<Step> steps = new ArrayList<>();
    for (int n : workerCounts) {
      Step s = step(n, runId + "w" + n, base);
      steps.add(s);
      System.out.printf(Locale.ROOT, "%d worker process(es): %,.0f events/s; CPU share of the machine: PostgreSQL %s,"
              + " workers %.2f, all users %.2f; window %.1f s; lost %d, duplicated %d%n", n, s.eps,
          s.dbCpuShare == null ? "n/a" : String.format(Locale.ROOT, "%.2f", s.dbCpuShare), s.workersCpuShare,
          s.machineBusyShare, s.windowSeconds, s.lost, s.duplicated);
    }
    return steps;
  }

  /** The JSON fields of the steps (without braces), in the order of the steps. */
  static String json(List<Step> steps, int cores, int events) {
    return String.format(Locale.ROOT, "\"workers\":%s,\"eps\":%s,\"db_cpu_share\":%s,\"workers_cpu_share\":%s,"
            + "\"machine_busy_share\":%s,\"lost\":%s,\"duplicated\":%s,\"cores\":%d,\"events\":%d,\"partitions\":%d",
        list(steps, s -> Integer.toString(s.workers)), list(steps, s -> String.format(Locale.ROOT, "%.0f", s.eps)),
        list(steps, s -> s.dbCpuShare == null ? "null" : String.format(Locale.ROOT, "%.3f", s.dbCpuShare)),
        list(steps, s -> String.format(Locale.ROOT, "%.3f", s.workersCpuShare)),
        list(steps, s -> String.format(Locale.ROOT, "%.3f", s.machineBusyShare)),
        list(steps, s -> Long.toString(s.lost)), list(steps, s -> Long.toString(s.duplicated)), cores, events,
        PARTITIONS);
  }

  private static String list(List<Step> steps, java.util.function.Function<Step, String> f) {
    return steps.stream().map(f).collect(Collectors.joining(",", "[", "]"));
  }

  private Step step(int n, String prefix, Instant base) throws Exception {
    IngestSettings s = IngestSettings.defaults(bootstrap).withGroupAndPrefix("bench-" + prefix, "bench." + prefix + ".");
    Topics.ensure(s, PARTITIONS);
    IngestBenchmark.produce(bootstrap, s, prefix, base, events);
    System.out.printf(Locale.ROOT, "    %,d events pre-produced; starting %d worker process(es)%n", events, n);
    Path logDir = Files.createTempDirectory("safegrid-bench-workers-");
    List<Process> workers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        workers.add(startWorker(s, logDir.resolve("worker-" + (i + 1) + ".log").toFile()));
      }
      return measure(n, prefix, s, workers, logDir);
    } finally {
      for (Process p : workers) {
        p.destroy();
      }
      for (Process p : workers) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      if (scratch) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
          st.execute("TRUNCATE event, event_key, event_count, patrol_position");
          st.execute("VACUUM ANALYZE");
        }
      } else {
        IngestBenchmark.cleanup(ds, prefix);
      }
    }
  }

  /**
   * A worker process as production runs one: its own JVM with the launcher's worker options (a 512 MiB
   * heap, the throughput collector), one consumer thread.
   */
  private Process startWorker(IngestSettings s, File log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseParallelGC", "-cp",
        System.getProperty("java.class.path"), IngestWorkerMain.class.getName());
    Map<String, String> env = pb.environment();
    env.put("SAFEGRID_DB_URL", url);
    env.put("SAFEGRID_DB_USER", user);
    // by the environment, never the command line (visible in the process list)
    env.put("SAFEGRID_DB_PASSWORD", password);
    env.remove("SAFEGRID_DB_MIGRATOR_USER");
    env.put("SAFEGRID_KAFKA_BOOTSTRAP", bootstrap);
    // the bench's own Kafka identity (SASL_SSL), by the environment like the database password
    KafkaClientSecurity.fromEnvironment().exportTo(env);
    env.put("SAFEGRID_INGEST_GROUP", s.groupId());
    env.put("SAFEGRID_INGEST_TOPIC_PREFIX", s.topicPrefix());
    env.put("SAFEGRID_INGEST_WORKERS", "1");
    pb.redirectErrorStream(true).redirectOutput(log);
    return pb.start();
  }

  private Step measure(int n, String prefix, IngestSettings s, List<Process> workers, Path logDir) throws Exception {
    Properties ap = KafkaClientSecurity.fromEnvironment().clientProperties(bootstrap);
    long postmaster = postmasterPid();
    long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
    // the per-minute counters the workers keep, relative to what they held before: cheap to read while the
    // workers write, and right in a database other rows share
    long before = counted();
    long done = (long) Math.ceil(events * 0.97);
    Sample start = null;
    Sample end = null;
    try (Admin admin = Admin.create(ap)) {
      while (System.nanoTime() < deadline) {
        for (Process p : workers) {
          if (!p.isAlive()) {
            throw new IllegalStateException("a worker process exited with " + p.exitValue() + "; see " + logDir);
          }
        }
        long written = counted() - before;
        if (start == null) {
          if (written >= done) {
            throw new IllegalStateException("the " + n + " workers committed 97 % of the events before their group "
                + "was stable: raise --events");
          }
          if (stable(admin, s.groupId(), n)) {
            start = sample(written, postmaster, workers);
          }
        } else if (written >= done) {
          end = sample(written, postmaster, workers);
          break;
        }
        Thread.sleep(start == null ? 100 : 250);
      }
      if (end == null) {
        throw new IllegalStateException("the " + n + " workers did not commit 97 % of " + events + " events in 15 min;"
            + " see " + logDir);
      }
      // the ledger: every event stored, none twice
      long[] ledger = ledger(prefix, before, deadline);
      double secs = (end.nanos - start.nanos) / 1e9;
      double total = end.totalJiffies - start.totalJiffies;
      Double db = postmaster < 0 || start.dbJiffies < 0 || end.dbJiffies < 0 ? null
          : (end.dbJiffies - start.dbJiffies) / total;
      return new Step(n, (end.written - start.written) / secs, db, (end.workerJiffies - start.workerJiffies) / total,
          (end.busyJiffies - start.busyJiffies) / total, events - ledger[0], ledger[0] - ledger[1], secs);
    }
  }

  /** Whether the group is stable with {@code n} members, each holding partitions. */
  private static boolean stable(Admin admin, String group, int n) {
    try {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS)
          .get(group);
      return d.state() == ConsumerGroupState.STABLE && d.members().size() == n
          && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
    } catch (Exception e) {
      return false;
    }
  }

  private long counted() throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT coalesce(sum(events), 0) FROM event_count")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The step's rows stored and distinct ids among them, once the workers have committed everything (or the deadline). */
  private long[] ledger(String prefix, long before, long deadline) throws Exception {
    while (counted() - before < events && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM event WHERE event_id LIKE '"
             + prefix + "-%'")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  private record Sample(long nanos, long written, long dbJiffies, long workerJiffies, long totalJiffies,
                        long busyJiffies) {
  }

  private static Sample sample(long written, long postmaster, List<Process> workers) {
    long w = 0;
    for (Process p : workers) {
      long[] t = ProcStat.cpu(p.pid());
      w += t == null ? 0 : t[0];
    }
    long[] machine = ProcStat.machine();
    return new Sample(System.nanoTime(), written, postmaster < 0 ? -1 : ProcStat.treeCpu(postmaster), w, machine[0],
        machine[1]);
  }

  /** The postmaster's process id (the parent of this connection's backend), or -1 when not on this machine. */
  private long postmasterPid() throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return ProcStat.parent(rs.getLong(1));
    }
  }
}
