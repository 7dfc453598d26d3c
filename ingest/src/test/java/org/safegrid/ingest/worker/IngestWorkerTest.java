package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.awaitCount;
import static org.safegrid.ingest.worker.Fixtures.count;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;
import static org.safegrid.ingest.worker.Fixtures.sendRaw;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class IngestWorkerTest {

  static IngestSettings settings(TestKafka kafka, int workers) {
    String prefix = kafka.unique("t") + ".";
    return IngestSettings.defaults(kafka.bootstrapServers()).withGroupAndPrefix(kafka.unique("g"), prefix)
        .withWorkers(workers);
  }

  static void clean(TestDatabase db) throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("TRUNCATE event, event_key, patrol_position, event_count, ingest_refusal_count, ingest_refusal, ingest_integrity_alarm");
    }
  }

  @Test
  void duplicatesAndRedeliveriesStoreEachIdOnceAndKeepTheFirstOfAConflict(TestDatabase db, TestKafka kafka)
      throws Exception {
    clean(db);
    IngestSettings s = settings(kafka, 2);
    Topics.ensure(s, 3);
    int n = 3000;
    List<Event> sends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Event e = event("dup-", i);
      sends.add(e);
      sends.add(e);
      if (i % 3 == 0) {
        sends.add(e);
      }
    }
    Collections.shuffle(sends, new Random(7));
    // same id, other coordinates: sent after the first version, so the first must stay
    Event first = event("dup-", 1);
    Event conflicting = new Event(first.id(), first.source(), first.sourceId(), first.kind(), first.severity(),
        first.observedAt(), first.lon() + 0.01, first.lat(), Datum.WGS84, first.attrs());
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      for (Event e : sends) {
        send(p, s, e);
      }
      p.flush();
      send(p, s, conflicting).get();
    }
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(DbRole.INGEST), metrics)) {
      awaitCount(db, "SELECT count(*) FROM event", n, Duration.ofSeconds(60));
      waitForIdle(metrics, sends.size() + 1);
    }
    // full redelivery: a new consumer group reads every message again from the start
    IngestMetrics again = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s.withGroupAndPrefix(kafka.unique("g"), s.topicPrefix()),
        db.dataSource(DbRole.INGEST), again)) {
      waitForIdle(again, sends.size() + 1);
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(n);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(n);
    assertThat(count(db, "SELECT count(*) FROM event_key")).isEqualTo(n);
    assertThat(count(db, "SELECT sum(events) FROM event_count")).isEqualTo(n);
    assertThat(metrics.writtenTotal() + metrics.duplicatesTotal()).isEqualTo(sends.size() + 1);
    assertThat(again.writtenTotal()).isZero();
    assertThat(again.duplicatesTotal()).isEqualTo(sends.size() + 1);
    assertThat(count(db, "SELECT count(*) FROM ingest_integrity_alarm WHERE event_id = 'dup-1'")).isEqualTo(1);
    assertThat(metrics.integrityAlarmsTotal()).isEqualTo(1);
    try (Connection c = db.connect(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT ST_X(geom) FROM event WHERE event_id = 'dup-1'")) {
      rs.next();
      assertThat(rs.getDouble(1)).isEqualTo(first.lon());
    }
  }

  /** Waits until the workers have accounted for {@code expected} messages as written or duplicate. */
  static void waitForIdle(IngestMetrics m, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && m.writtenTotal() + m.duplicatesTotal() < expected) {
      Thread.sleep(100);
    }
    assertThat(m.writtenTotal() + m.duplicatesTotal()).isEqualTo(expected);
  }

  @Test
  void everyRefusalLandsInTheDeadLetterTopicWithItsReasonAndTheGoodMessagesAroundItAreWritten(TestDatabase db,
      TestKafka kafka) throws Exception {
    clean(db);
    IngestSettings s = settings(kafka, 1);
    Topics.ensure(s, 1);
    String good = new String(EventCodec.encode(event("ok-", 0)), StandardCharsets.UTF_8);
    Map<Refusal, String> bad = new java.util.EnumMap<>(Refusal.class);
    bad.put(Refusal.MALFORMED_JSON, "{\"id\":");
    bad.put(Refusal.TOO_LARGE, good.replace("\"attrs\":{", "\"attrs\":{\"pad\":\"" + "x".repeat(70_000) + "\","));
    bad.put(Refusal.UNKNOWN_SOURCE, good.replace("\"source\":\"camera\"", "\"source\":\"drone\""));
    bad.put(Refusal.SOURCE_TOPIC_MISMATCH, new String(EventCodec.encode(event("x-", 1)), StandardCharsets.UTF_8));
    bad.put(Refusal.UNKNOWN_KIND, good.replace("intrusion", "levitation"));
    bad.put(Refusal.COORDINATES_OUT_OF_RANGE, good.replaceFirst("\"lat\":[0-9.]+", "\"lat\":95.0"));
    bad.put(Refusal.SCHEMA_VIOLATION, good.replace("\"severity\":3", "\"severity\":9"));
    bad.put(Refusal.OUTSIDE_SERVICE_AREA, good.replaceFirst("\"lon\":[0-9.]+", "\"lon\":2.35"));
    bad.put(Refusal.TIMESTAMP_IN_FUTURE, good.replaceFirst("\"observedAt\":\"[^\"]+\"",
        "\"observedAt\":\"" + Instant.now().plus(Duration.ofHours(2)) + "\""));
    bad.put(Refusal.TIMESTAMP_TOO_OLD, good.replaceFirst("\"observedAt\":\"[^\"]+\"",
        "\"observedAt\":\"" + Instant.now().minus(Duration.ofDays(40)) + "\""));
    int goodCount = 0;
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      int i = 100;
      for (Map.Entry<Refusal, String> e : bad.entrySet()) {
        for (int k = 0; k < 3; k++) {
          Event ok = Fixtures.event("ok-", i++ * 3);
          send(p, s, ok);
          goodCount++;
        }
        sendRaw(p, s.topic(Source.CAMERA), "CAM-1", e.getValue().getBytes(StandardCharsets.UTF_8));
      }
      send(p, s, Fixtures.event("ok-", i * 3)).get();
      goodCount++;
    }
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (IngestWorkers w = IngestWorkers.start(s, db.dataSource(DbRole.INGEST), metrics)) {
      awaitCount(db, "SELECT count(*) FROM event", goodCount, Duration.ofSeconds(60));
      List<ConsumerRecord<byte[], byte[]>> dlq = Fixtures.readAll(kafka.bootstrapServers(), s.dlqTopic(),
          bad.size(), Duration.ofSeconds(30));
      Set<String> reasons = dlq.stream().map(r -> new String(r.headers().lastHeader(DeadLetters.H_REASON).value(),
          StandardCharsets.UTF_8)).collect(Collectors.toSet());
      assertThat(dlq).hasSize(bad.size());
      assertThat(reasons).isEqualTo(bad.keySet().stream().map(Refusal::code).collect(Collectors.toSet()));
      for (ConsumerRecord<byte[], byte[]> r : dlq) {
        String reason = new String(r.headers().lastHeader(DeadLetters.H_REASON).value(), StandardCharsets.UTF_8);
        Refusal refusal = bad.keySet().stream().filter(x -> x.code().equals(reason)).findFirst().orElseThrow();
        var env = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.value());
        assertThat(env.get("topic").asText()).isEqualTo(s.topic(Source.CAMERA));
        assertThat(new String(r.headers().lastHeader(DeadLetters.H_OFFSET).value())).isEqualTo(env.get("offset").asText());
        assertThat(java.util.Base64.getDecoder().decode(env.get("payloadBase64").asText()))
            .isEqualTo(bad.get(refusal).getBytes(StandardCharsets.UTF_8));
      }
      awaitCount(db, "SELECT coalesce(sum(messages), 0) FROM ingest_refusal_count", bad.size(), Duration.ofSeconds(10));
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(goodCount);
  }

  @Test
  void outOfOrderPatrolPositionsKeepTheNewestAndAllInHistory(TestDatabase db, TestKafka kafka) throws Exception {
    clean(db);
    IngestSettings s = settings(kafka, 1);
    Topics.ensure(s, 1);
    Instant t0 = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers());
         IngestWorkers w = IngestWorkers.start(s, db.dataSource(DbRole.INGEST), metrics)) {
      // ts 10, 30 in one batch, then ts 20 in a later batch
      for (int sec : new int[] {10, 30}) {
        send(p, s, ping("U-7", sec, t0.plusSeconds(sec)));
      }
      p.flush();
      awaitCount(db, "SELECT count(*) FROM event", 2, Duration.ofSeconds(30));
      send(p, s, ping("U-7", 20, t0.plusSeconds(20))).get();
      awaitCount(db, "SELECT count(*) FROM event", 3, Duration.ofSeconds(30));
    }
    try (Connection c = db.connect(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT event_id, observed_at, ST_X(geom) FROM patrol_position WHERE unit_id = 'U-7'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("U-7-30");
      assertThat(rs.getTimestamp(2).toInstant()).isEqualTo(t0.plusSeconds(30));
      assertThat(rs.getDouble(3)).isEqualTo(114.330);
    }
    assertThat(count(db, "SELECT count(*) FROM event WHERE source_id = 'U-7'")).isEqualTo(3);
  }

  static Event ping(String unit, int sec, Instant at) {
    return new Event(unit + "-" + sec, Source.PATROL, unit, "position", 0, at, 114.3 + sec / 1000.0, 23.1,
        Datum.WGS84, new PatrolAttrs(unit, 20.0, 45.0, "patrolling", null).toMap());
  }

  @Test
  void databaseOutageDuringIngestLosesNothingDuplicatesNothingAndResumesByItself(TestDatabase db, TestKafka kafka)
      throws Exception {
    clean(db);
    IngestSettings s = settings(kafka, 1);
    Topics.ensure(s, 2);
    String dbName = db.jdbcUrl().substring(db.jdbcUrl().lastIndexOf('/') + 1);
    String adminUrl = db.jdbcUrl().substring(0, db.jdbcUrl().lastIndexOf('/') + 1) + "postgres";
    int n = 4000;
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers());
         IngestWorkers w = IngestWorkers.start(s, db.dataSource(DbRole.INGEST), metrics)) {
      for (int i = 0; i < n / 2; i++) {
        send(p, s, event("out-", i));
      }
      p.flush();
      awaitCount(db, "SELECT count(*) FROM event", 1, Duration.ofSeconds(30));
      // outage: refuse new connections to the database and cut the worker's existing ones
      try (Connection admin = java.sql.DriverManager.getConnection(adminUrl, db.user(), db.password());
           Statement st = admin.createStatement()) {
        st.execute("ALTER DATABASE " + dbName + " ALLOW_CONNECTIONS false");
        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + dbName + "'");
        List<Future<?>> acks = new ArrayList<>();
        for (int i = n / 2; i < n; i++) {
          acks.add(send(p, s, event("out-", i)));
        }
        for (Future<?> f : acks) {
          f.get();
        }
        Thread.sleep(4000);
        st.execute("ALTER DATABASE " + dbName + " ALLOW_CONNECTIONS true");
      }
      awaitCount(db, "SELECT count(*) FROM event", n, Duration.ofSeconds(60));
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(n);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(n);
    assertThat(metrics.refusedTotal()).as("transient database errors are never dead-lettered").isZero();
    assertThat(Fixtures.readAll(kafka.bootstrapServers(), s.dlqTopic(), 0, Duration.ofSeconds(1))).isEmpty();
    Set<String> ids = new HashSet<>();
    try (Connection c = db.connect(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT event_id FROM event")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    for (int i = 0; i < n; i++) {
      assertThat(ids).contains("out-" + i);
    }
  }
}
