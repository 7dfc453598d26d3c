package org.safegrid.ingest.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;

/**
 * The ingest meters, all named {@code safegrid.ingest.*}. Shared by the workers of a process;
 * thread-safe.
 */
public final class IngestMetrics {

  private final MeterRegistry registry;
  private final Map<Source, Counter> in = new EnumMap<>(Source.class);
  private final Map<Source, Counter> written = new EnumMap<>(Source.class);
  private final Map<Refusal, Counter> dlq = new EnumMap<>(Refusal.class);
  private final Counter duplicates;
  private final Counter integrityAlarms;
  private final Counter dbFailures;
  private final Counter offsetCommitsRefused;
  private final Counter rebalances;
  private final AtomicLong assignedPartitions = new AtomicLong();
  private final AtomicLong workersWithPartitions = new AtomicLong();
  private final DistributionSummary batchSize;
  private final Timer batchLatency;
  private final Timer endToEnd;
  private final AtomicLong lag = new AtomicLong();

  public IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Source s : Source.values()) {
      in.put(s, Counter.builder("safegrid.ingest.events.in").tag("source", s.wireName())
          .description("messages read from the source topic").register(registry));
      written.put(s, Counter.builder("safegrid.ingest.events.written").tag("source", s.wireName())
          .description("new events committed to PostGIS").register(registry));
    }
    for (Refusal r : Refusal.values()) {
      dlq.put(r, Counter.builder("safegrid.ingest.dlq").tag("reason", r.code())
          .description("messages refused to the dead-letter topic").register(registry));
    }
    duplicates = Counter.builder("safegrid.ingest.duplicates.suppressed")
        .description("redelivered or repeated events not written again").register(registry);
    integrityAlarms = Counter.builder("safegrid.ingest.integrity.alarms")
        .description("event ids offered again with a different payload (first version kept)").register(registry);
    dbFailures = Counter.builder("safegrid.ingest.db.failures")
        .description("batches rolled back for a transient database error and retried").register(registry);
    offsetCommitsRefused = Counter.builder("safegrid.ingest.offset.commits.refused")
        .description("stored batches whose offset commit a rebalance refused or that timed out (read again as "
            + "duplicates)").register(registry);
    rebalances = Counter.builder("safegrid.ingest.rebalances")
        .description("rebalances that took partitions away from a running worker (revoked or lost)")
        .register(registry);
    registry.gauge("safegrid.ingest.partitions.assigned", assignedPartitions);
    batchSize = DistributionSummary.builder("safegrid.ingest.batch.size").description("events per written batch")
        .register(registry);
    batchLatency = Timer.builder("safegrid.ingest.batch.latency").description("time to write and commit a batch")
        .publishPercentiles(0.5, 0.99).register(registry);
    endToEnd = Timer.builder("safegrid.ingest.latency")
        .description("produce to committed: the record's create time (set by the producer) to the return of "
            + "the database commit that made its row visible")
        .publishPercentiles(0.5, 0.99).register(registry);
    registry.gauge("safegrid.ingest.consumer.lag", lag);
  }

  public MeterRegistry registry() {
    return registry;
  }

  void in(Source s) {
    in.get(s).increment();
  }

  void written(Map<Source, Integer> counts) {
    counts.forEach((s, n) -> written.get(s).increment(n));
  }

  void refused(Refusal r) {
    dlq.get(r).increment();
  }

  void duplicates(int n) {
    duplicates.increment(n);
  }

  void integrityAlarms(int n) {
    integrityAlarms.increment(n);
  }

  void dbFailure() {
    dbFailures.increment();
  }

  void offsetCommitRefused() {
    offsetCommitsRefused.increment();
  }

  void batch(int size, long nanos) {
    batchSize.record(size);
    batchLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void endToEnd(long millis) {
    endToEnd.record(Math.max(0, millis), java.util.concurrent.TimeUnit.MILLISECONDS);
    java.util.function.LongConsumer l = latencyListener;
    if (l != null) {
      l.accept(millis);
    }
  }

  private volatile java.util.function.LongConsumer latencyListener;

  /**
   * Also hands every record's produce-to-committed latency (ms) to this listener; for benchmarks that
   * need exact percentiles. Called on worker threads.
   */
  public void onEndToEnd(java.util.function.LongConsumer listener) {
    this.latencyListener = listener;
  }

  void rebalanced() {
    rebalances.increment();
  }

  /** A worker's change in partitions held; {@code before} and {@code after} are its counts. */
  void assignmentChanged(int before, int after) {
    assignedPartitions.addAndGet(after - before);
    if (before == 0 && after > 0) {
      workersWithPartitions.incrementAndGet();
    } else if (before > 0 && after == 0) {
      workersWithPartitions.decrementAndGet();
    }
  }

  /** Rebalances that took partitions away from one of this process's running workers, since start. */
  public double rebalancesTotal() {
    return rebalances.count();
  }

  /** Workers of this process that hold at least one partition now. */
  public long workersWithPartitions() {
    return workersWithPartitions.get();
  }

  /** Partitions held by this process's workers now. */
  public long assignedPartitions() {
    return assignedPartitions.get();
  }

  /** Adds a worker's change in lag (workers report deltas so the gauge is the process total). */
  void addLag(long delta) {
    lag.addAndGet(delta);
  }

  /** Total consumer lag of this process's workers, messages. */
  public long lag() {
    return lag.get();
  }

  /** New events written by this process since start, all sources. */
  public double writtenTotal() {
    return written.values().stream().mapToDouble(Counter::count).sum();
  }

  /** Messages refused by this process since start, all reasons. */
  public double refusedTotal() {
    return dlq.values().stream().mapToDouble(Counter::count).sum();
  }

  /** Duplicates suppressed by this process since start. */
  public double duplicatesTotal() {
    return duplicates.count();
  }

  /** Integrity alarms raised by this process since start. */
  public double integrityAlarmsTotal() {
    return integrityAlarms.count();
  }

  /** Offset commits refused (rebalance, eviction) or timed out in this process since start. */
  public double offsetCommitsRefusedTotal() {
    return offsetCommitsRefused.count();
  }

  /** Batches rewound because the database (or the dead-letter topic) failed, in this process since start. */
  public double dbFailuresTotal() {
    return dbFailures.count();
  }
}
