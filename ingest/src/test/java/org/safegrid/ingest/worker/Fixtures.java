package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.CheckpointAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.IncidentAttrs;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.TestDatabase;

/** Shared test fixtures: events inside Huizhou, a producer, a DLQ reader and waiting on the database. */
final class Fixtures {

  static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));

  private Fixtures() {
  }

  /** The i-th test event: sources rotate, positions spread over central Huizhou. */
  static Event event(String prefix, int i) {
    Source s = Source.values()[i % 3];
    double lon = 114.30 + (i % 997) * 0.0002;
    double lat = 23.05 + (i % 991) * 0.0002;
    Instant at = BASE.plusMillis(i * 7L);
    return switch (s) {
      case CAMERA -> new Event(prefix + i, s, "CAM-" + (i % 50), "intrusion", 3, at, lon, lat, Datum.WGS84,
          new CameraAttrs("CAM-" + (i % 50), "person", 0.9, null).toMap());
      case CHECKPOINT -> new Event(prefix + i, s, "KP-" + (i % 20), "check", 1, at, lon, lat, Datum.WGS84,
          new CheckpointAttrs("KP-" + (i % 20), "vehicle", "clear", "粤L" + (10000 + i % 90000)).toMap());
      case PATROL -> new Event(prefix + i, s, "U-" + (i % 30), "position", 0, at, lon, lat, Datum.WGS84,
          new PatrolAttrs("U-" + (i % 30), 30.0, 90.0, "patrolling", null).toMap());
      case INCIDENT -> new Event(prefix + i, s, "110-HZ", "property", 2, at, lon, lat, Datum.WGS84,
          new IncidentAttrs("110", at, null, null, null, "caller_gps", 30, null).toMap());
    };
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap));
  }

  static Future<?> send(KafkaProducer<byte[], byte[]> p, IngestSettings s, Event e) {
    return p.send(new ProducerRecord<>(s.topic(e.source()), e.sourceId().getBytes(), EventCodec.encode(e)));
  }

  static Future<?> sendRaw(KafkaProducer<byte[], byte[]> p, String topic, String key, byte[] value) {
    return p.send(new ProducerRecord<>(topic, key.getBytes(), value));
  }

  static long count(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Waits until the query returns at least {@code expected}, failing after the timeout. */
  static void awaitCount(TestDatabase db, String sql, long expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long n = -1;
    while (System.nanoTime() < deadline) {
      try {
        n = count(db, sql);
        if (n >= expected) {
          return;
        }
      } catch (SQLException e) {
        // database briefly unavailable in the fault tests
      }
      Thread.sleep(200);
    }
    assertThat(n).as("%s after %s", sql, timeout).isGreaterThanOrEqualTo(expected);
  }

  /** Reads every record on a topic (waits until {@code expected} arrived or the timeout passed). */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int expected, Duration timeout) {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && out.size() < expected) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // a little longer, to catch records that should not be there
      long extra = System.nanoTime() + 500_000_000L;
      while (System.nanoTime() < extra) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }
}
