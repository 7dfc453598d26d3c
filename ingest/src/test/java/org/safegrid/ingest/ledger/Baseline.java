package org.safegrid.ingest.ledger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;

/** The ledger baseline (check 4) as a reusable run: N events at a fixed rate through running workers. */
public final class Baseline {

  /** Outcome: the checker's verdict and the end-to-end p99 (record timestamp to committed row). */
  public record Result(LedgerChecker.Result check, long p99Millis, Duration elapsed) {
  }

  private Baseline() {
  }

  public static Result run(DataSource ds, String bootstrap, IngestSettings s, int n, double rate) throws Exception {
    long[] latencies = new long[n * 2];
    AtomicInteger count = new AtomicInteger();
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    metrics.onEndToEnd(ms -> {
      int i = count.getAndIncrement();
      if (i < latencies.length) {
        latencies[i] = ms;
      }
    });
    String run = "base-" + System.nanoTime();
    Ledger warmup = Ledger.create(run + "w-");
    Ledger ledger = Ledger.create(run + "-");
    LedgerChecker checker = new LedgerChecker(ds);
    long t0;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap));
         IngestWorkers w = IngestWorkers.start(s, ds, metrics)) {
      LedgerProducer lp = new LedgerProducer(p, s);
      // warm-up: the group has joined and the day's partitions exist before the measured run
      lp.send(warmup, 0, 300, 0);
      lp.flush();
      checker.awaitStored(warmup, Duration.ofSeconds(60));
      count.set(0);
      t0 = System.nanoTime();
      lp.send(ledger, 0, n, rate);
      lp.flush();
      checker.awaitStored(ledger, Duration.ofSeconds(120));
    }
    int m = Math.min(count.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, m);
    Arrays.sort(sorted);
    long p99 = m == 0 ? Long.MAX_VALUE : sorted[Math.min(m - 1, (int) Math.ceil(m * 0.99) - 1)];
    return new Result(checker.check(ledger), p99, Duration.ofNanos(System.nanoTime() - t0));
  }
}
