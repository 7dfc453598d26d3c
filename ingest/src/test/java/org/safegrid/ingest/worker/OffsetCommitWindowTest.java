package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.count;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.Source;
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
    IngestSettings s = freshTopics(db, kafka, 1);
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
    IngestSettings s = freshTopics(db, kafka, 1);
    produce(kafka, s);

    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    runWithSecondCommit(db, kafka, s, "refused", metrics, () -> {
      // what commitSync throws when the group rebalanced under the worker
      throw new CommitFailedException("simulated: the group rebalanced before the commit");
    });
    // the rows of the batch are in PostGIS: the written count must say so, or a reader of the
    // metrics (health, the benchmark) waits forever for events that are already stored
    assertThat(metrics.writtenTotal()).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(EVENTS);
  }

  /**
   * The worker writes one batch while it reads the next: a write that fails (here on a session the
   * database ended between two batches) must rewind both, the batch written and the one read behind it,
   * or the second one's records would be skipped. Everything arrives once, and the rewound batches come
   * back as new events, not duplicates: the failed write stored nothing.
   */
  @Test
  void aFailedWriteRewindsItAndTheBatchReadBehindItLosingNothing(TestDatabase db, TestKafka kafka) throws Exception {
    IngestSettings s = freshTopics(db, kafka, 6);
    produce(kafka, s);

    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    int batches = runWithSecondCommit(db, kafka, s, "cut", metrics, () -> {
      // the worker's session is ended while it is idle between two writes: the next write fails
      try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(batches).isGreaterThan(2);
    assertThat(metrics.dbFailuresTotal()).as("the write after the ended session failed and was rewound").isPositive();
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT sum(events) FROM event_count")).isEqualTo(EVENTS);
    assertThat(metrics.writtenTotal()).isEqualTo(EVENTS);
    assertThat(metrics.duplicatesTotal()).as("the failed write stored nothing").isZero();
  }

  /**
   * Reliability check 14's eviction: a batch whose processing outlasts {@code max.poll.interval.ms}
   * gets its worker evicted from the group; the other worker re-reads the batch, the evicted one's
   * offset commit is refused, and it rejoins. Nothing is lost or stored twice, and every partition
   * ends fully committed.
   */
  @Test
  void aWorkerEvictedForASlowBatchLosesNothingAndStoresNothingTwice(TestDatabase db, TestKafka kafka)
      throws Exception {
    IngestSettings s = freshTopics(db, kafka, 6);

    IngestMetrics slowMetrics = new IngestMetrics(new SimpleMeterRegistry());
    IngestMetrics otherMetrics = new IngestMetrics(new SimpleMeterRegistry());
    AtomicInteger slowBatches = new AtomicInteger();
    try (KafkaProducer<byte[], byte[]> dlq = Fixtures.producer(kafka.bootstrapServers())) {
      DeadLetters deadLetters = new DeadLetters(dlq, s.dlqTopic());
      IngestWorker slow = new IngestWorker("slow", s, db.dataSource(), deadLetters, slowMetrics);
      IngestWorker other = new IngestWorker("other", s, db.dataSource(), deadLetters, otherMetrics);
      for (IngestWorker w : List.of(slow, other)) {
        w.consumerOverrides.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "4000");
      }
      slow.beforeOffsetCommit = () -> {
        if (slowBatches.incrementAndGet() == 1) {
          try {
            Thread.sleep(9_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      Thread a = new Thread(slow, "slow");
      Thread b = new Thread(other, "other");
      a.start();
      b.start();
      try {
        // both must hold partitions before the events come, or one may drain them all alone
        awaitMembersWithPartitions(kafka, s, 2);
        produce(kafka, s);
        Fixtures.awaitCount(db, "SELECT count(*) FROM event", EVENTS, Duration.ofSeconds(90));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !(fullyCommitted(kafka, s) && slowMetrics.offsetCommitsRefusedTotal() > 0)) {
          Thread.sleep(200);
        }
        assertThat(a.isAlive()).as("the evicted worker rejoins and keeps running").isTrue();
        assertThat(b.isAlive()).isTrue();
      } finally {
        slow.stop();
        other.stop();
        a.join(60_000);
        b.join(60_000);
      }
    }
    assertThat(slowBatches.get()).isGreaterThanOrEqualTo(1);
    assertThat(slowMetrics.offsetCommitsRefusedTotal()).as("the evicted worker's offset commit was refused")
        .isGreaterThanOrEqualTo(1);
    assertThat(fullyCommitted(kafka, s)).as("every partition committed to its end").isTrue();
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(EVENTS);
    assertThat(count(db, "SELECT sum(events) FROM event_count")).isEqualTo(EVENTS);
    assertThat(slowMetrics.writtenTotal() + otherMetrics.writtenTotal()).isEqualTo(EVENTS);
    assertThat(otherMetrics.duplicatesTotal() + slowMetrics.duplicatesTotal())
        .as("the slow batch was read again by its new owner").isPositive();
  }

  private static void awaitMembersWithPartitions(TestKafka kafka, IngestSettings s, int members) throws Exception {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        var group = admin.describeConsumerGroups(List.of(s.groupId())).all().get(30, TimeUnit.SECONDS)
            .get(s.groupId());
        long holding = group.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        if (holding >= members) {
          return;
        }
        assertThat(System.nanoTime()).as("%d group members holding partitions after 60 s", members)
            .isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  /** True when the group's committed offset of every partition of the three source topics is its end offset. */
  private static boolean fullyCommitted(TestKafka kafka, IngestSettings s) throws Exception {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(s.groupId())
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (Source src : Source.values()) {
        for (int i = 0; i < 6; i++) {
          latest.put(new TopicPartition(s.topic(src), i), OffsetSpec.latest());
        }
      }
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
          : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
        long end = e.getValue().offset();
        OffsetAndMetadata c = committed.get(e.getKey());
        if (end > 0 && (c == null || c.offset() < end)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Runs the worker until every event is stored and counted as written, then stops it. */
  /**
   * Runs one worker until every event is written, {@code atSecond} running just before the second
   * batch's offset commit; returns how many offset commits the worker reached.
   */
  private static int runWithSecondCommit(TestDatabase db, TestKafka kafka, IngestSettings s, String name,
                                         IngestMetrics metrics, Runnable atSecond) throws Exception {
    AtomicInteger batches = new AtomicInteger();
    try (KafkaProducer<byte[], byte[]> dlq = Fixtures.producer(kafka.bootstrapServers())) {
      IngestWorker w = new IngestWorker(name, s, db.dataSource(), new DeadLetters(dlq, s.dlqTopic()), metrics);
      w.beforeOffsetCommit = () -> {
        if (batches.incrementAndGet() == 2) {
          atSecond.run();
        }
      };
      runUntilAllWritten(w, metrics, db);
    }
    return batches.get();
  }

  private static void runUntilAllWritten(IngestWorker w, IngestMetrics metrics, TestDatabase db) throws Exception {
    Thread t = new Thread(w, "worker-under-test");
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

  /** An empty event table and new topics of {@code partitions} partitions, batches of {@link #BATCH}. */
  private static IngestSettings freshTopics(TestDatabase db, TestKafka kafka, int partitions) throws Exception {
    IngestWorkerTest.clean(db);
    IngestSettings s = IngestWorkerTest.settings(kafka, 1).withBatchSize(BATCH);
    Topics.ensure(s, partitions);
    return s;
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
