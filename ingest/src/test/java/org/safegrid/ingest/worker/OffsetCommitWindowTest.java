package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.count;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/**
 * The window between a batch's database commit and its offset commit: a crash there re-delivers a
 * stored batch (which must be suppressed, not stored twice), and an offset commit refused by a
 * rebalance there must not hide the stored batch from the metrics.
 */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class OffsetCommitWindowTest {

  private static final int EVENTS = 2_000;
  private static final int BATCH = 250;

  @Test
  void aCrashAfterTheDatabaseCommitReDeliversTheBatchAndStoresNothingTwice(TestDatabase db, TestKafka kafka)
      throws Exception {
    IngestWorkerTest.clean(db);
    IngestSettings s = IngestWorkerTest.settings(kafka, 1).withBatchSize(BATCH);
    Topics.ensure(s, 1);
    produce(kafka, s);

    IngestMetrics crashed = new IngestMetrics(new SimpleMeterRegistry());
    AtomicInteger batches = new AtomicInteger();
    long[] stored = new long[16];
    try (KafkaProducer<byte[], byte[]> dlq = Fixtures.producer(kafka.bootstrapServers())) {
      IngestWorker w = new IngestWorker("crashing", s, db.dataSource(), new DeadLetters(dlq, s.dlqTopic()), crashed);
      w.beforeOffsetCommit = () -> {
        int b = batches.incrementAndGet();
        try {
          stored[Math.min(b, 15)] = count(db, "SELECT count(*) FROM event");
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
        if (b >= 3) {
          // what a SIGKILL at this point leaves: the rows committed, the offsets not. Later calls
          // fail too: closing the consumer flushes the held batch on revocation, which a killed
          // process never does
          throw new Error("simulated crash between the database commit and the offset commit");
        }
      };
      Thread t = new Thread(w, "crashing");
      t.start();
      t.join(Duration.ofSeconds(60).toMillis());
      assertThat(t.isAlive()).as("the worker died at its third batch").isFalse();
    }
    assertThat(batches.get()).isGreaterThanOrEqualTo(3);
    long thirdBatch = stored[3] - stored[2];
    assertThat(thirdBatch).isPositive();
    assertThat(count(db, "SELECT count(*) FROM event")).as("the third batch was durable").isEqualTo(stored[3]);

    IngestMetrics restarted = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(), restarted)) {
      // the third batch comes again (its offsets were never committed), then the rest
      IngestWorkerTest.waitForIdle(restarted, EVENTS - stored[2]);
    }
    assertThat(restarted.duplicatesTotal()).as("the re-delivered third batch is suppressed").isEqualTo(thirdBatch);
    assertThat(restarted.writtenTotal()).isEqualTo(EVENTS - stored[3]);
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT sum(events) FROM event_count")).isEqualTo(EVENTS);
  }

  @Test
  void aBatchWhoseOffsetCommitIsRefusedStillCountsAsWritten(TestDatabase db, TestKafka kafka) throws Exception {
    IngestWorkerTest.clean(db);
    IngestSettings s = IngestWorkerTest.settings(kafka, 1).withBatchSize(BATCH);
    Topics.ensure(s, 1);
    produce(kafka, s);

    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    AtomicInteger batches = new AtomicInteger();
    try (KafkaProducer<byte[], byte[]> dlq = Fixtures.producer(kafka.bootstrapServers())) {
      IngestWorker w = new IngestWorker("refused", s, db.dataSource(), new DeadLetters(dlq, s.dlqTopic()), metrics);
      w.beforeOffsetCommit = () -> {
        if (batches.incrementAndGet() == 2) {
          // what commitSync throws when the group rebalanced under the worker
          throw new CommitFailedException("simulated: the group rebalanced before the commit");
        }
      };
      Thread t = new Thread(w, "refused");
      t.start();
      try {
        Fixtures.awaitCount(db, "SELECT count(*) FROM event", EVENTS, Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (metrics.writtenTotal() < EVENTS && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      } finally {
        w.stop();
        t.join(Duration.ofSeconds(60).toMillis());
      }
    }
    // the rows of the batch are in PostGIS: the written count must say so, or a reader of the
    // metrics (health, the benchmark) waits forever for events that are already stored
    assertThat(metrics.writtenTotal()).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(EVENTS);
  }

  private static void produce(TestKafka kafka, IngestSettings s) {
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      for (int i = 0; i < EVENTS; i++) {
        send(p, s, event("win-", i));
      }
      p.flush();
    }
  }
}
