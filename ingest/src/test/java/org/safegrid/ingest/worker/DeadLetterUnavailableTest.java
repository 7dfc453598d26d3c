package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.count;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;
import static org.safegrid.ingest.worker.Fixtures.sendRaw;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * Reliability check 8: the dead-letter topic is gone (deleted, topic auto-creation off) while the
 * broker stays up and a poison record arrives. The worker must not move past the poison record or
 * lose anything; once the topic is back, the record lands there exactly once and the stream goes on.
 */
@ExtendWith(PostgisExtension.class)
class DeadLetterUnavailableTest {

  @Test
  void aPoisonRecordWaitsForTheDeadLetterTopicAndLandsThereOnce(TestDatabase db, @TempDir Path dir) throws Exception {
    IngestWorkerTest.clean(db);
    try (EmbeddedBroker broker = EmbeddedBroker.start(Files.createDirectories(dir.resolve("kafka")), 0, 1,
        Map.of("auto.create.topics.enable", "false"));
         Admin admin = Admin.create(adminProperties(broker))) {
      IngestSettings s = IngestSettings.defaults(broker.bootstrapServers())
          .withGroupAndPrefix("dlq-gone", "dlqgone.");
      Topics.ensure(s, 1);
      admin.deleteTopics(List.of(s.dlqTopic())).all().get(30, TimeUnit.SECONDS);
      awaitAbsent(admin, s.dlqTopic());

      byte[] poison = "{ this is not JSON".getBytes(StandardCharsets.UTF_8);
      TopicPartition camera = new TopicPartition(s.topic(Source.CAMERA), 0);
      long poisonOffset;
      try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(broker.bootstrapServers())) {
        for (int i = 0; i < 60; i++) {
          send(p, s, event("before-", i)).get();
        }
        poisonOffset = ((RecordMetadata) sendRaw(p, camera.topic(), "CAM-1", poison).get()).offset();
        for (int i = 0; i < 60; i++) {
          send(p, s, event("after-", i)).get();
        }
      }

      Properties dlqProducer = IngestWorkers.producerProperties(broker.bootstrapServers());
      // the production default waits 60 s for a missing topic's metadata before the send fails
      dlqProducer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1500");
      IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
      try (KafkaProducer<byte[], byte[]> dlq = new KafkaProducer<>(dlqProducer)) {
        IngestWorker w = new IngestWorker("dlq-gone", s, db.dataSource(), new DeadLetters(dlq, s.dlqTopic()), metrics);
        Thread t = new Thread(w, "dlq-gone");
        t.start();
        try {
          // several failed attempts while the topic is gone
          Thread.sleep(8_000);
          assertThat(t.isAlive()).as("the worker keeps running while the dead-letter topic is gone").isTrue();
          Long committed = committedOffset(admin, s.groupId(), camera);
          assertThat(committed == null || committed <= poisonOffset)
              .as("committed offset %s must not pass the poison record at %s", committed, poisonOffset).isTrue();
          assertThat(count(db, "SELECT count(*) FROM event WHERE event_id LIKE 'after-%' AND source = 'camera'"))
              .as("nothing behind the poison record on its partition is written").isZero();

          admin.createTopics(List.of(new NewTopic(s.dlqTopic(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
          Fixtures.awaitCount(db, "SELECT count(*) FROM event", 120, Duration.ofSeconds(90));
        } finally {
          w.stop();
          t.join(60_000);
        }
      }
      assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(120);
      assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(120);
      List<ConsumerRecord<byte[], byte[]>> dead = Fixtures.readAll(broker.bootstrapServers(), s.dlqTopic(), 2,
          Duration.ofSeconds(10));
      assertThat(dead).as("the poison record lands in the dead-letter topic exactly once").hasSize(1);
      var envelope = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dead.get(0).value());
      assertThat(java.util.Base64.getDecoder().decode(envelope.get("payloadBase64").asText())).isEqualTo(poison);
      assertThat(envelope.get("offset").asLong()).isEqualTo(poisonOffset);
      assertThat(new String(dead.get(0).headers().lastHeader(DeadLetters.H_REASON).value(), StandardCharsets.UTF_8))
          .isEqualTo("malformed_json");
      assertThat(committedOffset(admin, s.groupId(), camera)).isGreaterThan(poisonOffset);
    }
  }

  private static Properties adminProperties(EmbeddedBroker broker) {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(broker.bootstrapServers());
    return p;
  }

  private static void awaitAbsent(Admin admin, String topic) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
      assertThat(System.nanoTime()).as("topic %s still listed after 30 s", topic).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static Long committedOffset(Admin admin, String group, TopicPartition tp) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    OffsetAndMetadata o = m.get(tp);
    return o == null ? null : o.offset();
  }
}
