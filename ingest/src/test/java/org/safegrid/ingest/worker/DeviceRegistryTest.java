package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.safegrid.ingest.worker.Fixtures.awaitCount;
import static org.safegrid.ingest.worker.Fixtures.count;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.ingest.broker.BrokerBootstrap;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.CheckpointAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * The device registry against a real broker with its ACLs and a real PostGIS: an integrator principal
 * writes only its own topics, and the workers store only the events whose {@code sourceId} (and patrol
 * {@code unitId}) the registry binds to it; the rest go to the dead-letter topic as
 * {@code unauthorised_source}, stored nowhere.
 */
@ExtendWith(PostgisExtension.class)
class DeviceRegistryTest {

  /** The checkpoint vendor's principal: bound to checkpoints KP-HZ-* and to patrol unit U-7 (sourceId U-7). */
  private static final String VENDOR = "kp-vendor-" + ProcessHandle.current().pid();
  private static final String PASSWORD = "vendor-password-" + System.nanoTime();

  @TempDir
  static Path dir;
  static EmbeddedBroker broker;

  @BeforeAll
  static void start() throws Exception {
    EmbeddedBroker.quietLogging();
    broker = EmbeddedBroker.start(dir.resolve("kafka"), 0, 1, Map.of("auto.create.topics.enable", "false"));
    try (Admin admin = Admin.create(KafkaClientSecurity.fromEnvironment().clientProperties(broker.bootstrapServers()))) {
      BrokerBootstrap.grantIntegrator(admin, VENDOR, PASSWORD, 1);
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private static Properties vendor() {
    Properties p = IngestWorkers.producerProperties(broker.bootstrapServers(),
        KafkaClientSecurity.fromEnvironment().as(VENDOR, PASSWORD));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    return p;
  }

  private static void write(String topic, Event e) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(vendor())) {
      p.send(new ProducerRecord<>(topic, e.sourceId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(e)))
          .get(20, TimeUnit.SECONDS);
    } catch (ExecutionException x) {
      throw (Exception) x.getCause();
    }
  }

  private static void bind(TestDatabase db, String source, String kind, String value) throws Exception {
    try (Connection c = db.connect(DbRole.OWNER); Statement st = c.createStatement()) {
      st.execute("INSERT INTO source_binding (principal, source, kind, value, created_by) VALUES ('" + VENDOR + "', '"
          + source + "', '" + kind + "', '" + value + "', 'test')");
    }
  }

  @Test
  void theTopicNamesItsSenderAndOnlyWellFormedIntegratorTopicsAreSubscribed() {
    IngestSettings s = IngestSettings.defaults("127.0.0.1:1");
    assertThat(s.principalOf("safegrid.events.camera")).isNull();
    assertThat(s.sourceOf("safegrid.events.camera")).isEqualTo(Source.CAMERA);
    assertThat(s.principalOf("safegrid.events.camera.acme-cams")).isEqualTo("acme-cams");
    assertThat(s.sourceOf("safegrid.events.patrol.acme-cams")).isEqualTo(Source.PATROL);
    // a dot would make the principal ambiguous; the DLQ and unknown sources are no event topics
    assertThat(s.sourceOf("safegrid.events.camera.acme.cams")).isNull();
    assertThat(s.sourceOf("safegrid.events.cameras")).isNull();
    java.util.regex.Pattern p = s.subscription();
    assertThat(p.matcher("safegrid.events.camera").matches()).isTrue();
    assertThat(p.matcher("safegrid.events.incident.kp-vendor_2").matches()).isTrue();
    assertThat(p.matcher("safegrid.events.dlq").matches()).isFalse();
    assertThat(p.matcher("safegrid.events.camera.acme.cams").matches()).isFalse();
    assertThat(p.matcher("safegrid.eventsXcamera").matches()).isFalse();
    assertThat(p.matcher("safegrid.alerts").matches()).isFalse();
  }

  @Test
  void aForgedCampusAlarmFromTheCheckpointPrincipalIsDeadLetteredAndItsOwnCheckIsStored(TestDatabase db)
      throws Exception {
    String run = "reg" + System.nanoTime() + "-";
    bind(db, "checkpoint", "source_id_prefix", "KP-HZ-");
    bind(db, "patrol", "source_id", "U-7");
    bind(db, "patrol", "unit_id", "U-7");
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(2));
    Event check = new Event(run + "check", Source.CHECKPOINT, "KP-HZ-12", "check", 1, at, 114.41, 23.11, Datum.WGS84,
        new CheckpointAttrs("KP-HZ-12", "vehicle", "clear", "粤L12345").toMap());
    Event alarm = new Event(run + "alarm", Source.CAMERA, "CAM-CAMPUS-3", "campus_alarm", 5, at, 114.41, 23.11,
        Datum.WGS84, new CameraAttrs("CAM-CAMPUS-3", "button", 1.0, "HZ-01").toMap());
    Event otherCheckpoint = new Event(run + "kp-other", Source.CHECKPOINT, "KP-SZ-1", "check", 1, at, 114.41, 23.11,
        Datum.WGS84, new CheckpointAttrs("KP-SZ-1", "vehicle", "clear", "粤L54321").toMap());
    Event ownUnit = new Event(run + "u7", Source.PATROL, "U-7", "position", 0, at, 114.41, 23.11, Datum.WGS84,
        new PatrolAttrs("U-7", 20.0, 90.0, "patrolling", null).toMap());
    Event otherUnit = new Event(run + "u8", Source.PATROL, "U-7", "position", 0, at, 114.42, 23.12, Datum.WGS84,
        new PatrolAttrs("U-8", 20.0, 90.0, "patrolling", null).toMap());

    IngestSettings s = IngestSettings.defaults(broker.bootstrapServers())
        .withGroupAndPrefix("safegrid-registry-" + System.nanoTime(), Source.TOPIC_PREFIX);
    Topics.ensure(s, 1);
    String own = "." + VENDOR;
    // the broker's ACLs: the vendor writes its own topics only, never a base topic nor another's
    assertThatThrownBy(() -> write(s.topic(Source.CAMERA), alarm)).isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> write(s.topic(Source.CAMERA) + own + "x", alarm))
        .isInstanceOf(TopicAuthorizationException.class);
    write(s.topic(Source.CHECKPOINT) + own, check);
    write(s.topic(Source.CAMERA) + own, alarm);
    write(s.topic(Source.CHECKPOINT) + own, otherCheckpoint);
    write(s.topic(Source.PATROL) + own, ownUnit);
    write(s.topic(Source.PATROL) + own, otherUnit);

    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(DbRole.INGEST), metrics)) {
      awaitCount(db, "SELECT count(*) FROM event WHERE event_id LIKE '" + run + "%'", 2, Duration.ofSeconds(60));
      List<ConsumerRecord<byte[], byte[]>> dlq = Fixtures.readAll(broker.bootstrapServers(), s.dlqTopic(), 3,
          Duration.ofSeconds(60));
      assertThat(dlq).hasSize(3);
      for (ConsumerRecord<byte[], byte[]> r : dlq) {
        assertThat(new String(r.headers().lastHeader(DeadLetters.H_REASON).value(), StandardCharsets.UTF_8))
            .isEqualTo(Refusal.UNAUTHORISED_SOURCE.code());
        assertThat(new String(r.headers().lastHeader(DeadLetters.H_MESSAGE).value(), StandardCharsets.UTF_8))
            .contains(VENDOR);
      }
      assertThat(dlq).extracting(r -> new String(r.headers().lastHeader(DeadLetters.H_TOPIC).value(),
          StandardCharsets.UTF_8)).containsExactlyInAnyOrder(s.topic(Source.CAMERA) + own,
          s.topic(Source.CHECKPOINT) + own, s.topic(Source.PATROL) + own);
      awaitCount(db, "SELECT coalesce(sum(messages), 0) FROM ingest_refusal_count WHERE reason = 'unauthorised_source'",
          3, Duration.ofSeconds(30));
    }
    assertThat(count(db, "SELECT count(*) FROM event WHERE event_id = '" + run + "check'")).isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM event WHERE event_id = '" + run + "u7'")).isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM event WHERE event_id IN ('" + run + "alarm', '" + run + "kp-other', '"
        + run + "u8')")).isZero();
    assertThat(count(db, "SELECT count(*) FROM event WHERE source_id = 'CAM-CAMPUS-3'")).isZero();
    assertThat(count(db, "SELECT count(*) FROM ingest_refusal WHERE reason = 'unauthorised_source' AND topic LIKE '%"
        + own + "'")).isEqualTo(3);
  }
}
