package org.safegrid.server.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.server.alert.AlertProperties;
import org.safegrid.server.event.IngestProperties;
import org.safegrid.server.loop.BackgroundLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends the outbox's messages to Kafka in id order and marks them sent: at least once (a message the
 * broker took but that was not yet marked is sent again after a crash; consumers de-duplicate by
 * key and content), never lost while the broker is down or slow (the rows wait; the loop backs off).
 *
 * <p>One {@link BackgroundLoop} ({@code outbox-relay}) woken after each commit that wrote a message, else
 * every {@code safegrid.outbox.poll-interval}. A round locks its rows ({@code FOR UPDATE SKIP LOCKED}),
 * so two servers on one database do not send the same rows at once. Metrics:
 * {@code safegrid.outbox.sent}, {@code safegrid.outbox.failures}, {@code safegrid.outbox.unsent.age}
 * (seconds the oldest unsent message has waited).
 */
@Component
public class OutboxRelay implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private record Row(long id, String topic, String key, String payload) {
  }

  private final OutboxProperties properties;
  private final AlertProperties alerts;
  private final Optional<IngestProperties> ingest;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Counter sent;
  private final Counter failures;
  private final AtomicLong oldestUnsentSeconds = new AtomicLong();
  private final Set<String> topicsCreated = new TreeSet<>();
  private final BackgroundLoop loop;
  private volatile KafkaProducer<String, String> producer;
  private volatile String bootstrap;
  private long nextPurge;

  public OutboxRelay(OutboxProperties properties, AlertProperties alerts, Optional<IngestProperties> ingest,
                     JdbcClient jdbc, TransactionTemplate tx, MeterRegistry meters) {
    this.properties = properties;
    this.alerts = alerts;
    this.ingest = ingest;
    this.jdbc = jdbc;
    this.tx = tx;
    this.sent = Counter.builder("safegrid.outbox.sent").description("outbox messages sent to Kafka").register(meters);
    this.failures = Counter.builder("safegrid.outbox.failures").description("relay rounds that failed")
        .register(meters);
    Gauge.builder("safegrid.outbox.unsent.age", oldestUnsentSeconds, AtomicLong::get).baseUnit("seconds")
        .description("how long the oldest unsent outbox message has waited").register(meters);
    this.loop = BackgroundLoop.named("outbox-relay").every(properties.pollInterval()).firstAfter(Duration.ZERO)
        .backoff(Duration.ofMillis(500), Duration.ofSeconds(5))
        .onFailure((name, e, n) -> failures.increment())
        .step(this::step);
  }

  /** The bootstrap servers messages go to, or empty when Kafka publishing is off. */
  public Optional<String> bootstrapServers() {
    if (properties.kafkaBootstrap() != null && !properties.kafkaBootstrap().isBlank()) {
      return Optional.of(properties.kafkaBootstrap());
    }
    if (alerts.kafkaBootstrap() != null && !alerts.kafkaBootstrap().isBlank()) {
      return Optional.of(alerts.kafkaBootstrap());
    }
    return ingest.filter(IngestProperties::enabled).map(IngestProperties::bootstrapServers);
  }

  /** Runs a round now (after a commit that wrote a message). */
  public void wake() {
    loop.wake();
  }

  /** One round: sends up to a batch of unsent messages; true when more are waiting. */
  boolean step() throws Exception {
    KafkaProducer<String, String> p = producer;
    if (p == null) {
      return false;
    }
    purgeSent();
    RuntimeException[] failed = new RuntimeException[1];
    Boolean more = tx.execute(status -> {
      List<Row> rows = jdbc.sql("SELECT id, topic, message_key, payload, created_at FROM outbox WHERE sent_at IS NULL "
              + "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED").param(properties.batchSize())
          .query((rs, n) -> {
            if (n == 0) {
              Instant created = rs.getTimestamp("created_at").toInstant();
              oldestUnsentSeconds.set(Math.max(0, Duration.between(created, Instant.now()).toSeconds()));
            }
            return new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
          }).list();
      if (rows.isEmpty()) {
        oldestUnsentSeconds.set(0);
        return false;
      }
      List<Long> done = new ArrayList<>();
      RuntimeException failure = null;
      try {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (Row r : rows) {
          ensureTopic(r.topic());
          futures.add(p.send(new ProducerRecord<>(r.topic(), r.key(), r.payload())));
        }
        long deadline = System.nanoTime() + properties.sendTimeout().toNanos();
        for (int i = 0; i < futures.size(); i++) {
          futures.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          done.add(rows.get(i).id());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = new IllegalStateException("outbox relay interrupted");
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        failure = new IllegalStateException("Kafka at " + bootstrap + " did not take outbox message "
            + rows.get(done.size()).id() + " (" + rows.get(done.size()).topic() + "): " + cause, cause);
      }
      if (!done.isEmpty()) {
        jdbc.sql("UPDATE outbox SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY(?)")
            .param(done.toArray(Long[]::new)).update();
        sent.increment(done.size());
      }
      if (failure != null) {
        jdbc.sql("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?").param(rows.get(done.size()).id()).update();
        failed[0] = failure;
        return false;
      }
      return rows.size() == properties.batchSize();
    });
    if (failed[0] != null) {
      // what was sent is marked and committed; the loop backs off and the rest waits for the next round
      throw failed[0];
    }
    return Boolean.TRUE.equals(more);
  }

  private void purgeSent() {
    long now = System.currentTimeMillis();
    if (now < nextPurge) {
      return;
    }
    nextPurge = now + Duration.ofHours(1).toMillis();
    int n = jdbc.sql("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?")
        .param(Timestamp.from(Instant.now().minus(properties.retention()))).update();
    if (n > 0) {
      log.info("outbox: {} sent messages older than {} deleted", n, properties.retention());
    }
  }

  /** Creates a topic with the broker's defaults the first time it is used; a failure only logs. */
  private void ensureTopic(String topic) {
    if (!topicsCreated.add(topic)) {
      return;
    }
    Properties a = KafkaClientSecurity.fromEnvironment().clientProperties(bootstrap);
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(a)) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        topicsCreated.remove(topic);
        log.warn("could not create topic {}: {}", topic, e.getCause().toString());
      }
    } catch (TimeoutException e) {
      topicsCreated.remove(topic);
      log.warn("could not create topic {}: broker at {} did not answer", topic, bootstrap);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void start() {
    Optional<String> servers = bootstrapServers();
    if (servers.isEmpty()) {
      log.info("alert and incident messages are not sent to Kafka: no broker configured "
          + "(safegrid.outbox.kafka-bootstrap or safegrid.alerts.kafka-bootstrap); they wait in the outbox");
    } else {
      bootstrap = servers.get();
      Properties c = KafkaClientSecurity.fromEnvironment().clientProperties(bootstrap);
      c.put(ProducerConfig.ACKS_CONFIG, "all");
      c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      int timeoutMs = (int) properties.sendTimeout().toMillis();
      c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, timeoutMs / 2));
      c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + 5);
      c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
      c.put(ProducerConfig.CLIENT_ID_CONFIG, "safegrid-outbox");
      producer = new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
      log.info("alert and incident messages are sent to Kafka at {} through the outbox", bootstrap);
    }
    loop.start();
  }

  @Override
  public void stop() {
    loop.stop();
    KafkaProducer<String, String> p = producer;
    producer = null;
    if (p != null) {
      p.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
