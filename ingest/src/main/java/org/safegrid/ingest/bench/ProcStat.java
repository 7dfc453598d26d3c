package org.safegrid.ingest.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes and of the machine from Linux's {@code /proc}, in clock ticks (jiffies):
 * what {@code top} reads, without a tool. Every method answers null or -1 off Linux or for a
 * process that is gone.
 */
final class ProcStat {

  private ProcStat() {
  }

  /**
   * The machine's load averages over 1, 5 and 15 minutes as {@code /proc/loadavg} gives them ("1.25
   * 1.57 2.56"); off Linux the JVM's one-minute figure.
   */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return String.format(java.util.Locale.ROOT, "%.2f",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /**
   * A process's own CPU time (user + system) and that of its children it has reaped, or null.
   * Fields after the command name in {@code /proc/PID/stat}: 14 utime, 15 stime, 16 cutime, 17 cstime.
   */
  static long[] cpu(long pid) {
    String[] f = fields(pid);
    if (f == null) {
      return null;
    }
    return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
  }

  /** The parent process id, or -1. */
  static long parent(long pid) {
    String[] f = fields(pid);
    return f == null ? -1 : Long.parseLong(f[1]);
  }

  /**
   * CPU time of a process and all its children, those alive now and those it has reaped: for the
   * postmaster, every PostgreSQL process of the cluster, backends that ended included. -1 when the
   * process is not readable.
   */
  static long treeCpu(long root) {
    long[] own = cpu(root);
    if (own == null) {
      return -1;
    }
    long sum = own[0] + own[1];
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        long pid = Long.parseLong(p.getFileName().toString());
        String[] f = fields(pid);
        if (f != null && Long.parseLong(f[1]) == root) {
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return sum;
  }

  /** The machine's CPU time over all cores since boot: {total, busy} (busy = total − idle − iowait). */
  static long[] machine() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      long total = 0;
      // user nice system idle iowait irq softirq steal (guest time is already in user)
      for (int i = 1; i <= 8 && i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total, total - idle};
    } catch (IOException | RuntimeException e) {
      return new long[] {1, 0};
    }
  }

  /** The fields of {@code /proc/PID/stat} after the command name (index 0 is field 3, the state), or null. */
  private static String[] fields(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
