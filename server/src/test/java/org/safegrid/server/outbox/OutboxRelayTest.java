package org.safegrid.server.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.alert.AlertProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outbox against a real PostGIS and a real broker that is stopped and started again: messages
 * committed while the broker is down wait in the outbox and all reach the topic once it is back
 * (the publisher it replaces dropped them).
 */
@ExtendWith(PostgisExtension.class)
class OutboxRelayTest {

  private static final String TOPIC = "safegrid.outbox.test";

  @Test
  void stoppingTheBrokerLosesNoMessage(TestDatabase db) throws Exception {
    Path dir = Files.createTempDirectory("outbox-broker-");
    int port = freePort();
    EmbeddedBroker.quietLogging();
    EmbeddedBroker broker = EmbeddedBroker.start(dir, port, 1);
    JdbcClient jdbc = JdbcClient.create(db.dataSource());
    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
    OutboxProperties props = new OutboxProperties("127.0.0.1:" + port, Duration.ofMillis(200), 500, Duration.ofSeconds(2),
        Duration.ofDays(7));
    AlertProperties alerts = new AlertProperties(true, ZoneId.of("Asia/Shanghai"), Duration.ofMillis(200), List.of(),
        null, Duration.ofSeconds(10), 40, 3, null, Duration.ofMinutes(10), Duration.ofSeconds(30), null, "safegrid.alerts");
    OutboxRelay relay = new OutboxRelay(props, alerts, Optional.empty(), jdbc, tx, new SimpleMeterRegistry());
    Outbox outbox = new Outbox(jdbc, new ObjectMapper(), relay);
    relay.start();
    try {
      write(tx, outbox, 0, 20);
      await(() -> unsent(jdbc) == 0, Duration.ofSeconds(30), "the first 20 messages were not sent");

      broker.close();
      write(tx, outbox, 20, 60);
      // the relay keeps failing and backing off; every message committed meanwhile waits
      Thread.sleep(3_000);
      assertThat(unsent(jdbc)).as("messages committed while the broker is down wait in the outbox").isEqualTo(40);
      assertThat(jdbc.sql("SELECT max(attempts) FROM outbox").query(Integer.class).single())
          .as("the relay tried while the broker was down").isGreaterThanOrEqualTo(1);

      broker = EmbeddedBroker.start(dir, port, 1);
      await(() -> unsent(jdbc) == 0, Duration.ofSeconds(60), "the waiting messages were not sent after the broker came back");
      assertThat(readKeys(port)).as("every message reached the topic").containsAll(keys(0, 60));
    } finally {
      relay.stop();
      broker.close();
    }
  }

  @Test
  void aMessageIsOnlyWrittenInsideATransaction(TestDatabase db) {
    JdbcClient jdbc = JdbcClient.create(db.dataSource());
    OutboxProperties props = new OutboxProperties(null, Duration.ofSeconds(1), 10, Duration.ofSeconds(2), Duration.ofDays(7));
    AlertProperties alerts = new AlertProperties(true, ZoneId.of("Asia/Shanghai"), Duration.ofMillis(200), List.of(),
        null, Duration.ofSeconds(10), 40, 3, null, Duration.ofMinutes(10), Duration.ofSeconds(30), null, "safegrid.alerts");
    Outbox outbox = new Outbox(jdbc, new ObjectMapper(), new OutboxRelay(props, alerts, Optional.empty(), jdbc,
        new TransactionTemplate(new DataSourceTransactionManager(db.dataSource())), new SimpleMeterRegistry()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> outbox.add(TOPIC, "k", Map.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("transaction");
  }

  private static void write(TransactionTemplate tx, Outbox outbox, int from, int to) {
    for (int i = from; i < to; i++) {
      int n = i;
      tx.executeWithoutResult(s -> outbox.add(TOPIC, "m" + n, Map.of("n", n)));
    }
  }

  private static long unsent(JdbcClient jdbc) {
    return jdbc.sql("SELECT count(*) FROM outbox WHERE topic = ? AND sent_at IS NULL").param(TOPIC).query(Long.class)
        .single();
  }

  private static List<String> keys(int from, int to) {
    return java.util.stream.IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
  }

  private static Set<String> readKeys(int port) {
    Properties c = KafkaClientSecurity.fromEnvironment().clientProperties("127.0.0.1:" + port);
    c.put("group.id", "outbox-test-" + System.nanoTime());
    c.put("auto.offset.reset", "earliest");
    Set<String> keys = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < end && keys.size() < 60) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
      }
    }
    return keys;
  }

  private static void await(BooleanSupplier condition, Duration timeout, String failure) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(failure);
      }
      Thread.sleep(50);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
