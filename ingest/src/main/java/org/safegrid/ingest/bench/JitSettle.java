package org.safegrid.ingest.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * The end of a warm-up: waits until the JIT compiler has worked off its queue, so that a measured
 * window does not share the cores with compiler threads still busy with what the warm-up made hot.
 * Settled means the JVM's accumulated compilation time ({@link CompilationMXBean#getTotalCompilationTime})
 * grew by less than {@link #QUIET_MS} over the last {@link #WINDOW_MS}: under 5 % of one core.
 *
 * @param waited    how long the wait took
 * @param compileMs compilation time accumulated during the wait
 * @param settled   false when the time limit came first, or when the JVM does not report compilation time
 */
record JitSettle(Duration waited, long compileMs, boolean settled) {

  static final long WINDOW_MS = 2_000;
  static final long QUIET_MS = 100;

  /** Waits at most {@code limit} for the compiler to settle. */
  static JitSettle await(Duration limit) throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return new JitSettle(Duration.ZERO, -1, false);
    }
    long start = System.nanoTime();
    long first = jit.getTotalCompilationTime();
    // compilation time at each sample, one sample per 250 ms, the last WINDOW_MS of them
    int slots = (int) (WINDOW_MS / 250) + 1;
    long[] ring = new long[slots];
    int n = 0;
    while (true) {
      long now = jit.getTotalCompilationTime();
      ring[n % slots] = now;
      n++;
      long elapsed = System.nanoTime() - start;
      if (n >= slots && now - ring[n % slots] < QUIET_MS) {
        return new JitSettle(Duration.ofNanos(elapsed), now - first, true);
      }
      if (elapsed >= limit.toNanos()) {
        return new JitSettle(Duration.ofNanos(elapsed), now - first, false);
      }
      Thread.sleep(250);
    }
  }

  @Override
  public String toString() {
    if (compileMs < 0) {
      return "this JVM does not report its compilation time";
    }
    return String.format(Locale.ROOT, "JIT compiler %s after %.1f s (%,d ms of compiling meanwhile)",
        settled ? "settled" : "still busy", waited.toMillis() / 1000.0, compileMs);
  }
}
