package org.safegrid.ingest.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Who used the CPU during a measured window: every PostgreSQL process of the cluster (the postmaster's
 * tree), this JVM, the JVM's ingest worker threads, and the whole machine. Read from Linux's
 * {@code /proc} and the JVM's thread CPU clocks; off Linux, or with a database on another machine, the
 * PostgreSQL figure is -1.
 */
final class CpuMeter {

  /** One window's figures: CPU in seconds (-1 when unknown), {@code busy} the machine's busy share of all its cores. */
  record Window(double postgresCpu, double jvmCpu, double workerCpu, double busy) {
  }

  /** CPU microseconds per unit of work (event or row), or -1 when unknown. */
  static double perUnit(double cpuSeconds, long units) {
    return cpuSeconds < 0 || units <= 0 ? -1 : cpuSeconds * 1e6 / units;
  }

  private static final String WORKER_THREADS = "ingest-worker-";

  private final long postmaster;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long pg0;
  private long[] self0;
  private long[] machine0;
  private Map<Long, Long> workers0;

  private CpuMeter(long postmaster) {
    this.postmaster = postmaster;
  }

  /** A meter for the cluster behind {@code ds}. */
  static CpuMeter of(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return of(c);
    }
  }

  /** A meter for the cluster {@code c} is connected to (its postmaster is the parent of the connection's backend). */
  static CpuMeter of(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return new CpuMeter(ProcStat.parent(rs.getLong(1)));
    }
  }

  /** Opens the window. */
  CpuMeter start() {
    pg0 = postmaster < 0 ? -1 : ProcStat.treeCpu(postmaster);
    self0 = ProcStat.cpu(ProcessHandle.current().pid());
    machine0 = ProcStat.machine();
    workers0 = workerCpu();
    return this;
  }

  /** Closes the window opened by {@link #start()}. */
  Window stop() {
    long pg1 = postmaster < 0 ? -1 : ProcStat.treeCpu(postmaster);
    long[] self1 = ProcStat.cpu(ProcessHandle.current().pid());
    long[] machine1 = ProcStat.machine();
    Map<Long, Long> workers1 = workerCpu();
    long workerNanos = 0;
    for (Map.Entry<Long, Long> w : workers1.entrySet()) {
      workerNanos += w.getValue() - workers0.getOrDefault(w.getKey(), 0L);
    }
    long total = machine1[0] - machine0[0];
    return new Window(pg0 < 0 || pg1 < 0 ? -1 : (pg1 - pg0) / 100.0,
        self0 == null || self1 == null ? -1 : (self1[0] - self0[0]) / 100.0, workerNanos / 1e9,
        total <= 0 ? -1 : (machine1[1] - machine0[1]) / (double) total);
  }

  private Map<Long, Long> workerCpu() {
    Map<Long, Long> m = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(WORKER_THREADS)) {
        long ns = threads.getThreadCpuTime(t.getId());
        if (ns >= 0) {
          m.put(t.getId(), ns);
        }
      }
    }
    return m;
  }
}
