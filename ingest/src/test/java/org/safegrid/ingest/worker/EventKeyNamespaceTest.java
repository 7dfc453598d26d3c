package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.awaitCount;
import static org.safegrid.ingest.worker.Fixtures.count;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/**
 * Event keys are namespaced by source (source, sourceId, id): through real workers, a real broker and
 * a real PostGIS, a sender that stores another device's ids first does not make that device's events
 * duplicates, while a redelivery by the same sender is still stored once. The broker's ACLs (which
 * principal may write which topic) are {@link DeviceRegistryTest}'s; here the topic names the sender.
 */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class EventKeyNamespaceTest {

  private static final int IDS = 100;

  private static Event camera(String id, String sourceId, Instant at, double lon) {
    return new Event(id, Source.CAMERA, sourceId, "intrusion", 3, at, lon, 23.10, Datum.WGS84,
        new CameraAttrs(sourceId, "person", 0.9, null).toMap());
  }

  private static void bind(TestDatabase db, String principal, String prefix) throws Exception {
    try (Connection c = db.connect(DbRole.OWNER); Statement st = c.createStatement()) {
      st.execute("INSERT INTO source_binding (principal, source, kind, value, created_by) VALUES ('" + principal
          + "', 'camera', 'source_id_prefix', '" + prefix + "', 'test')");
    }
  }

  private static void createTopics(IngestSettings s, String... topics) throws Exception {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(s.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      List<NewTopic> t = new ArrayList<>();
      for (String name : topics) {
        t.add(new NewTopic(name, 2, (short) 1));
      }
      admin.createTopics(t).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> p, String topic, Event e) throws Exception {
    p.send(new ProducerRecord<>(topic, e.sourceId().getBytes(), EventCodec.encode(e))).get(20, TimeUnit.SECONDS);
  }

  /** Waits until the workers have accounted for {@code expected} accepted messages as written or duplicate. */
  private static void awaitAccounted(IngestMetrics m, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && m.writtenTotal() + m.duplicatesTotal() < expected) {
      Thread.sleep(100);
    }
    assertThat(m.writtenTotal() + m.duplicatesTotal()).isEqualTo(expected);
  }

  @Test
  void anotherSendersEventsWithTheSameIdsDoNotShadowTheRealOnesAndRedeliveriesAreStoredOnce(TestDatabase db,
      TestKafka kafka) throws Exception {
    String run = "ns" + System.nanoTime() + "-";
    String acme = "acme-" + ProcessHandle.current().pid();
    String bravo = "bravo-" + ProcessHandle.current().pid();
    bind(db, acme, "CAM-A-");
    bind(db, bravo, "CAM-B-");
    IngestSettings s = IngestSettings.defaults(kafka.bootstrapServers())
        .withGroupAndPrefix(kafka.unique("g"), kafka.unique("t") + ".").withWorkers(2);
    Topics.ensure(s, 2);
    String acmeTopic = s.topic(Source.CAMERA, acme);
    String bravoTopic = s.topic(Source.CAMERA, bravo);
    createTopics(s, acmeTopic, bravoTopic);

    // the same ids at the same instants from three senders: acme (CAM-A-*), bravo (CAM-B-*) and the
    // built-in camera principal on the base topic (CAM-Z-*); each sender's events at its own longitude
    List<Event> real = new ArrayList<>();
    List<Event> forged = new ArrayList<>();
    List<Event> base = new ArrayList<>();
    for (int i = 0; i < IDS; i++) {
      Instant at = Fixtures.BASE.plusMillis(i * 7L);
      real.add(camera(run + i, "CAM-A-" + (i % 5), at, 114.30));
      forged.add(camera(run + i, "CAM-B-" + (i % 5), at, 114.40));
      base.add(camera(run + i, "CAM-Z-" + (i % 5), at, 114.50));
    }
    // acme's second version of one of its own ids: a conflict within its namespace
    Event first = real.get(1);
    Event conflicting = camera(first.id(), first.sourceId(), first.observedAt(), 114.31);
    // bravo claiming one of acme's devices: the only way to reach acme's keys, refused by the registry
    Event claim = camera(run + 2, "CAM-A-2", real.get(2).observedAt(), 114.40);

    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(DbRole.INGEST), metrics);
         KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      // the forged ids are stored first, as an attacker guessing ids ahead of the devices would
      for (Event e : forged) {
        send(p, bravoTopic, e);
      }
      awaitCount(db, "SELECT count(*) FROM event WHERE event_id LIKE '" + run + "%'", IDS, Duration.ofSeconds(60));
      for (Event e : real) {
        send(p, acmeTopic, e);
        send(p, acmeTopic, e); // a producer retry: the same message twice
      }
      for (Event e : base) {
        send(p, s.topic(Source.CAMERA), e);
      }
      send(p, acmeTopic, conflicting);
      send(p, bravoTopic, claim);
      awaitAccounted(metrics, 4L * IDS + 1);
      awaitCount(db, "SELECT coalesce(sum(messages), 0) FROM ingest_refusal_count WHERE reason = 'unauthorised_source'",
          1, Duration.ofSeconds(30));
    }
    assertThat(metrics.writtenTotal()).isEqualTo(3L * IDS);
    assertThat(metrics.duplicatesTotal()).as("acme's retries and its conflicting version").isEqualTo(IDS + 1);

    // full redelivery: a new consumer group reads every message of every sender again
    IngestMetrics again = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s.withGroupAndPrefix(kafka.unique("g"), s.topicPrefix()),
        db.dataSource(DbRole.INGEST), again)) {
      awaitAccounted(again, 4L * IDS + 1);
    }
    assertThat(again.writtenTotal()).isZero();

    String mine = "event_id LIKE '" + run + "%'";
    assertThat(count(db, "SELECT count(*) FROM event WHERE " + mine)).isEqualTo(3L * IDS);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event WHERE " + mine)).isEqualTo(IDS);
    assertThat(count(db, "SELECT count(*) FROM event_key WHERE " + mine)).isEqualTo(3L * IDS);
    // every id once per sender's device, and acme's events are acme's own, first version kept
    assertThat(count(db, "SELECT count(*) FROM (SELECT event_id FROM event WHERE " + mine + " GROUP BY event_id "
        + "HAVING count(*) FILTER (WHERE source_id LIKE 'CAM-A-%') = 1 AND count(*) FILTER (WHERE source_id LIKE "
        + "'CAM-B-%') = 1 AND count(*) FILTER (WHERE source_id LIKE 'CAM-Z-%') = 1) x")).isEqualTo(IDS);
    assertThat(count(db, "SELECT count(*) FROM event WHERE " + mine + " AND source_id LIKE 'CAM-A-%' "
        + "AND ST_X(geom) = 114.30")).isEqualTo(IDS);
    // one alarm: acme's conflicting version; the other senders' same ids are no conflict
    assertThat(count(db, "SELECT count(*) FROM ingest_integrity_alarm WHERE " + mine)).isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM ingest_integrity_alarm WHERE event_id = '" + first.id()
        + "' AND source = 'camera' AND source_id = '" + first.sourceId() + "'")).isEqualTo(1);

    // the ledger checks agree: the same id for three devices is three events, none lost or duplicated
    Ledger ledger = Ledger.create(run);
    for (Event e : real) {
      ledger.acked().add(e.id());
    }
    LedgerChecker.Result verdict = new LedgerChecker(db.dataSource()).check(ledger);
    assertThat(verdict.lost()).isZero();
    assertThat(verdict.dup()).isZero();
    assertThat(verdict.unexpected()).isZero();
    assertThat(verdict.stored()).isEqualTo(IDS);
    assertThat(verdict.derivedOk()).isTrue();
    assertThat(verdict.ok()).isTrue();
  }
}
