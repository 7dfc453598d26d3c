package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.count;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;
import static org.safegrid.ingest.worker.Fixtures.sendRaw;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/**
 * Dead letters and refusal counts across a crash between the database commit (which records the
 * batch's refusals) and the offset commit: the batch is read again, its dead letters are sent again
 * under the same key, and the refusal counts do not move.
 */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class RefusalReplayTest {

  private static final int MESSAGES = 600;
  private static final int BATCH = 100;

  @Test
  void aBatchReplayedAfterACrashCountsItsRefusalsOnceAndResendsItsDeadLettersUnderTheSameKeys(TestDatabase db,
      TestKafka kafka) throws Exception {
    IngestWorkerTest.clean(db);
    IngestSettings s = IngestWorkerTest.settings(kafka, 1).withBatchSize(BATCH);
    Topics.ensure(s, 1);
    int bad = 0;
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      for (int i = 0; i < MESSAGES; i++) {
        if (i % 10 == 9) {
          sendRaw(p, s.topic(Source.CAMERA), "CAM-1", ("{\"broken\":" + i).getBytes(StandardCharsets.UTF_8));
          bad++;
        } else {
          send(p, s, event("replay-", i));
        }
      }
      p.flush();
    }
    int good = MESSAGES - bad;

    long[] refusedAtCrash = new long[1];
    try (KafkaProducer<byte[], byte[]> dlq = Fixtures.producer(kafka.bootstrapServers())) {
      IngestWorker w = new IngestWorker("crashing", s, db.dataSource(), new DeadLetters(dlq, s.dlqTopic()),
          new IngestMetrics(new SimpleMeterRegistry()));
      w.beforeOffsetCommit = () -> {
        long refused;
        try {
          refused = count(db, "SELECT coalesce(sum(messages), 0) FROM ingest_refusal_count");
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
        // the first batch that committed refusals (a poll may bring only one topic's records)
        if (refused > 0) {
          refusedAtCrash[0] = refused;
          // a SIGKILL here: dead letters acknowledged, refusals and rows committed, offsets not
          throw new Error("simulated crash between the database commit and the offset commit");
        }
      };
      Thread t = new Thread(w, "crashing");
      t.start();
      t.join(Duration.ofSeconds(60).toMillis());
      assertThat(t.isAlive()).as("the worker died at its first batch with refusals").isFalse();
    }
    assertThat(refusedAtCrash[0]).as("the crashed batch had refusals, committed with it").isPositive();

    IngestMetrics restarted = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(), restarted)) {
      Fixtures.awaitCount(db, "SELECT count(*) FROM event", good, Duration.ofSeconds(60));
      Fixtures.awaitCount(db, "SELECT count(*) FROM ingest_refusal", bad, Duration.ofSeconds(30));
      // the metrics follow the commit by a moment
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline && restarted.refusedTotal() < bad - refusedAtCrash[0]) {
        Thread.sleep(50);
      }
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(good);
    assertThat(count(db, "SELECT coalesce(sum(messages), 0) FROM ingest_refusal_count"))
        .as("each refused message counted once, the replayed batch's too").isEqualTo(bad);
    assertThat(count(db, "SELECT count(*) FROM ingest_refusal")).isEqualTo(bad);
    assertThat(restarted.refusedTotal()).as("the restarted worker counts only refusals it recorded")
        .isEqualTo(bad - refusedAtCrash[0]);

    List<ConsumerRecord<byte[], byte[]>> letters = Fixtures.readAll(kafka.bootstrapServers(), s.dlqTopic(),
        bad + 1, Duration.ofSeconds(30));
    Set<String> keys = letters.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
        .collect(Collectors.toSet());
    assertThat(letters.size()).as("the replayed batch sent its dead letters again").isGreaterThan(bad);
    assertThat(keys).as("one key per refused message: topic/partition/offset").hasSize(bad)
        .allMatch(k -> k.startsWith(s.topic(Source.CAMERA) + "/0/"));
    assertThat(letters).allMatch(r -> "CAM-1".equals(new String(r.headers().lastHeader(DeadLetters.H_KEY).value(),
        StandardCharsets.UTF_8)));
  }
}
