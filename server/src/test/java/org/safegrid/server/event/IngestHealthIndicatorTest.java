package org.safegrid.server.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.ledger.LedgerProducer;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.ingest.worker.Topics;
import org.springframework.boot.actuate.health.Status;

/** Ingest health: UP while events flow, DOWN when messages wait and nothing is written, DOWN when the workers died. */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class IngestHealthIndicatorTest {

  /** A clock the test moves forward. */
  static final class TestClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void upWhileFlowingDownWhenStuckDownWhenDead(TestDatabase db, TestKafka kafka) throws Exception {
    IngestSettings s = IngestSettings.defaults(kafka.bootstrapServers())
        .withGroupAndPrefix(kafka.unique("hg"), kafka.unique("ht") + ".").withWorkers(1);
    Topics.ensure(s, 1);
    // a real database behind a switch: "refuse" makes every connection attempt fail as an outage would
    AtomicReference<String> mode = new AtomicReference<>("ok");
    PGSimpleDataSource real = (PGSimpleDataSource) db.dataSource();
    DataSource switched = new org.springframework.jdbc.datasource.DelegatingDataSource(real) {
      @Override
      public Connection getConnection() throws SQLException {
        switch (mode.get()) {
          case "refuse" -> throw new SQLTransientConnectionException("database unreachable (test)", "08001");
          case "error" -> throw new StackOverflowError("simulated");
          default -> {
            return super.getConnection();
          }
        }
      }
    };
    IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    TestClock clock = new TestClock();
    AtomicReference<IngestWorkers> holder = new AtomicReference<>();
    IngestHealthIndicator health = new IngestHealthIndicator(() -> Optional.ofNullable(holder.get()), () -> metrics,
        Duration.ofMinutes(2), clock, true);
    assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);
    Ledger ledger = Ledger.create("health-");
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(IngestWorkers.producerProperties(kafka.bootstrapServers()));
         IngestWorkers w = IngestWorkers.start(s, switched, metrics)) {
      holder.set(w);
      LedgerProducer lp = new LedgerProducer(p, s);
      lp.send(ledger, 0, 200, 0);
      lp.flush();
      new LedgerChecker(real).awaitStored(ledger, Duration.ofSeconds(60));
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);

      // stuck: messages wait, the database refuses; DOWN once nothing was written for stale-after
      mode.set("refuse");
      terminateBackends(db);
      lp.send(ledger, 200, 400, 0);
      lp.flush();
      awaitDbFailure(metrics);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      clock.now.set(clock.instant().plus(Duration.ofMinutes(3)));
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails().get("state").toString()).startsWith("stuck");

      // healed: progress makes it UP again
      mode.set("ok");
      new LedgerChecker(real).awaitStored(ledger, Duration.ofSeconds(60));
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);

      // an Error kills the worker thread: DOWN within 30 s
      mode.set("error");
      terminateBackends(db);
      lp.send(ledger, 400, 450, 0);
      lp.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (health.health().getStatus() != Status.DOWN && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails()).containsEntry("state", "worker threads stopped");
    }
  }

  /** Cuts the connections the workers hold, as a database restart would. */
  private static void terminateBackends(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
      st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          + "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    }
  }

  private static void awaitDbFailure(IngestMetrics m) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (m.registry().get("safegrid.ingest.db.failures").counter().count() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(m.registry().get("safegrid.ingest.db.failures").counter().count())
        .as("batches rolled back while the database refuses").isPositive();
  }
}
