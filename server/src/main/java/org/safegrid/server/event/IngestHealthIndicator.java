package org.safegrid.server.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestWorkers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The health of the in-process ingest workers, so that a dead or stuck consumer never hides behind
 * an UP while the command center watches a frozen map. DOWN when the worker threads have died (an
 * {@code Error}, a bug) or when messages wait (consumer lag above zero, or batches rolled back by
 * database failures) and nothing has been written for {@code safegrid.ingest.health.stale-after} (default 2 min: the database refuses, a poll loop
 * hangs). UNKNOWN while the workers are still starting (Kafka not reachable yet); UP otherwise,
 * and when in-process ingest is off. Details: lag, written, refused, seconds since progress.
 */
@Component("ingest")
public class IngestHealthIndicator implements HealthIndicator {

  private final Supplier<Optional<IngestWorkers>> workers;
  private final Supplier<IngestMetrics> metrics;
  private final Duration staleAfter;
  private final Clock clock;
  private final boolean enabled;
  private double lastWritten = -1;
  private Instant lastProgress;
  private double failuresAtProgress;

  @Autowired
  IngestHealthIndicator(ObjectProvider<InProcessIngest> ingest,
                        @Value("${safegrid.ingest.health.stale-after:2m}") Duration staleAfter) {
    this(ingest.getIfAvailable(), staleAfter, Clock.systemUTC());
  }

  private IngestHealthIndicator(InProcessIngest ingest, Duration staleAfter, Clock clock) {
    this(ingest == null ? Optional::empty : ingest::workers, ingest == null ? () -> null : ingest::metrics,
        staleAfter, clock, ingest != null);
  }

  /** For tests and for other hosts of the workers: the workers (empty while starting), their metrics, a clock. */
  public IngestHealthIndicator(Supplier<Optional<IngestWorkers>> workers, Supplier<IngestMetrics> metrics,
                               Duration staleAfter, Clock clock, boolean enabled) {
    this.workers = workers;
    this.metrics = metrics;
    this.staleAfter = staleAfter;
    this.clock = clock;
    this.enabled = enabled;
    this.lastProgress = clock.instant();
  }

  @Override
  public synchronized Health health() {
    if (!enabled) {
      return Health.up().withDetail("inProcess", false).build();
    }
    Optional<IngestWorkers> w = workers.get();
    if (w.isEmpty()) {
      return Health.unknown().withDetail("state", "starting (waiting for Kafka)").build();
    }
    IngestMetrics m = metrics.get();
    Instant now = clock.instant();
    long lag = m.lag();
    double written = m.writtenTotal() + m.duplicatesTotal() + m.refusedTotal();
    double failures = dbFailures(m);
    // waiting: messages behind (lag), or batches rolled back since the last progress (a worker backing
    // off from an unavailable database holds its batch and reports no new lag meanwhile)
    boolean waiting = lag > 0 || failures > failuresAtProgress;
    if (written != lastWritten || !waiting) {
      lastWritten = written;
      failuresAtProgress = failures;
      lastProgress = now;
    }
    Duration idle = Duration.between(lastProgress, now);
    Health.Builder b = w.get().running() ? Health.up() : Health.down().withDetail("state", "worker threads stopped");
    if (w.get().running() && idle.compareTo(staleAfter) > 0) {
      b = Health.down().withDetail("state", "stuck: messages waiting, nothing written for " + idle.toSeconds() + " s");
    }
    return b.withDetail("consumerLag", lag).withDetail("written", (long) m.writtenTotal())
        .withDetail("refused", (long) m.refusedTotal()).withDetail("dbFailures", (long) failures)
        .withDetail("secondsSinceProgress", idle.toSeconds()).build();
  }

  private static double dbFailures(IngestMetrics m) {
    var c = m.registry().find("safegrid.ingest.db.failures").counter();
    return c == null ? 0 : c.count();
  }
}
