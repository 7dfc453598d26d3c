package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.awaitCount;
import static org.safegrid.ingest.worker.Fixtures.count;
import static org.safegrid.ingest.worker.Fixtures.sendRaw;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/** A reported incident produced on its own topic by a plain Kafka client lands once, or in the DLQ with a reason. */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class IncidentSourceTest {

  static String incident(String id, String kind, String channel) {
    String at = OffsetDateTime.now(ZoneOffset.ofHours(8)).minusMinutes(7).truncatedTo(ChronoUnit.SECONDS).toString();
    return "{\"id\":\"" + id + "\",\"source\":\"incident\",\"sourceId\":\"110-HZ\",\"kind\":\"" + kind + "\","
        + "\"severity\":4,\"observedAt\":\"" + at + "\",\"lon\":114.4152,\"lat\":23.1115,"
        + "\"attrs\":{\"channel\":\"" + channel + "\",\"reportedAt\":\"" + at + "\",\"originalCode\":\"0101\","
        + "\"location\":{\"quality\":\"caller_gps\",\"accuracyMeters\":35}}}";
  }

  @Test
  void anIncidentLandsOnceEvenWhenSentTwiceAndABadOneGoesToTheDeadLetterTopicWithItsReason(TestDatabase db,
      TestKafka kafka) throws Exception {
    IngestSettings s = IngestWorkerTest.settings(kafka, 1);
    Topics.ensure(s, 1);
    String topic = s.topic(Source.INCIDENT);
    assertThat(topic).endsWith(".incident");
    byte[] good = incident("110-0001", "violent", "110").getBytes(StandardCharsets.UTF_8);
    byte[] badChannel = incident("110-0002", "violent", "119").getBytes(StandardCharsets.UTF_8);
    byte[] badKind = incident("110-0003", "arson", "110").getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      sendRaw(p, topic, "110-HZ", good);
      sendRaw(p, topic, "110-HZ", good);
      sendRaw(p, topic, "110-HZ", badChannel);
      sendRaw(p, topic, "110-HZ", badKind).get();
    }
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(), metrics)) {
      awaitCount(db, "SELECT count(*) FROM event WHERE source = 'incident'", 1, Duration.ofSeconds(60));
      List<ConsumerRecord<byte[], byte[]>> dlq = Fixtures.readAll(kafka.bootstrapServers(), s.dlqTopic(), 2,
          Duration.ofSeconds(30));
      assertThat(dlq).extracting(r -> new String(r.headers().lastHeader(DeadLetters.H_REASON).value(),
          StandardCharsets.UTF_8)).containsExactlyInAnyOrder("schema_violation", "unknown_kind");
      IngestWorkerTest.waitForIdle(metrics, 2);
    }
    assertThat(count(db, "SELECT count(*) FROM event WHERE event_id = '110-0001'")).isEqualTo(1);
    try (Connection c = db.connect(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT kind, attrs->>'channel', attrs->'location'->>'quality' FROM event "
             + "WHERE event_id = '110-0001'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("violent");
      assertThat(rs.getString(2)).isEqualTo("110");
      assertThat(rs.getString(3)).isEqualTo("caller_gps");
    }
  }
}
