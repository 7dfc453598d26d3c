package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.awaitCount;
import static org.safegrid.ingest.worker.Fixtures.count;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.IngestWorkerMain;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/** A worker process killed with SIGKILL in the middle of a stream, then restarted: every event once. */
@Tag("slow")
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class WorkerCrashTest {

  static Process startWorker(TestDatabase db, IngestSettings s, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        IngestWorkerMain.class.getName());
    pb.environment().put("SAFEGRID_DB_URL", db.jdbcUrl());
    pb.environment().put("SAFEGRID_DB_USER", db.user());
    pb.environment().put("SAFEGRID_DB_PASSWORD", db.password());
    pb.environment().put("SAFEGRID_KAFKA_BOOTSTRAP", s.bootstrapServers());
    KafkaClientSecurity.fromEnvironment().exportTo(pb.environment());
    pb.environment().put("SAFEGRID_INGEST_GROUP", s.groupId());
    pb.environment().put("SAFEGRID_INGEST_TOPIC_PREFIX", s.topicPrefix());
    pb.environment().put("SAFEGRID_INGEST_WORKERS", "2");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  @Test
  void killedWorkerProcessLosesAndDuplicatesNothing(TestDatabase db, TestKafka kafka) throws Exception {
    IngestSettings s = IngestSettings.defaults(kafka.bootstrapServers())
        .withGroupAndPrefix(kafka.unique("crash"), kafka.unique("crash") + ".");
    Topics.ensure(s, 3);
    int n = 100_000;
    try (KafkaProducer<byte[], byte[]> p = Fixtures.producer(kafka.bootstrapServers())) {
      for (int i = 0; i < n; i++) {
        Fixtures.send(p, s, Fixtures.event("crash-", i));
      }
      p.flush();
    }
    Path log = File.createTempFile("worker-crash", ".log").toPath();
    Process first = startWorker(db, s, log);
    try {
      awaitCount(db, "SELECT count(*) FROM event", n / 4, Duration.ofSeconds(120));
      first.destroyForcibly();  // SIGKILL
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      first.destroyForcibly();
    }
    long atKill = count(db, "SELECT count(*) FROM event");
    assertThat(atKill).as("killed in the middle of the stream").isLessThan(n);
    Process second = startWorker(db, s, log);
    try {
      awaitCount(db, "SELECT count(*) FROM event", n, Duration.ofSeconds(180));
      second.destroy();  // SIGTERM: clean stop
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      second.destroyForcibly();
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(n);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(n);
    assertThat(count(db, "SELECT count(*) FROM event_key")).isEqualTo(n);
    assertThat(count(db, "SELECT sum(events) FROM event_count")).isEqualTo(n);
  }
}
