package org.safegrid.server.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.safegrid.server.event.IngestProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Publishes every raised and changed alert to the Kafka topic {@code safegrid.alerts} (key: alert id,
 * value: {@code {"type": "raised|ack|resolve|dismiss|escalate", "alert": {...}}}), with an idempotent
 * producer and {@code acks=all}.
 *
 * <p>Bootstrap: {@code safegrid.alerts.kafka-bootstrap} (env {@code SAFEGRID_KAFKA_BOOTSTRAP}); else,
 * when in-process ingest runs, its broker; else publishing is off and says so once at start. Sends
 * are asynchronous: a broker outage never blocks alerting; failures are logged and counted by the
 * producer's own metrics.
 */
@Component
public class AlertKafkaPublisher implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AlertKafkaPublisher.class);

  private final AlertProperties properties;
  private final Optional<IngestProperties> ingest;
  private final ObjectMapper json;
  // sends leave the engine thread at once: metadata waits of a missing broker must not delay alerting
  private final java.util.concurrent.ThreadPoolExecutor sender = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
      TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(10_000), r -> {
        Thread t = new Thread(r, "alert-kafka");
        t.setDaemon(true);
        return t;
      }, (r, ex) -> log.warn("alerts Kafka queue full: an alert message was dropped (the database keeps the alert)"));
  private volatile KafkaProducer<String, String> producer;
  private volatile boolean running;

  public AlertKafkaPublisher(AlertProperties properties, Optional<IngestProperties> ingest, ObjectMapper json) {
    this.properties = properties;
    this.ingest = ingest;
    this.json = json;
  }

  /** The bootstrap servers alerts go to, or empty when Kafka publishing is off. */
  public Optional<String> bootstrapServers() {
    if (properties.kafkaBootstrap() != null && !properties.kafkaBootstrap().isBlank()) {
      return Optional.of(properties.kafkaBootstrap());
    }
    return ingest.filter(IngestProperties::enabled).map(IngestProperties::bootstrapServers);
  }

  @EventListener
  void on(AlertEvents.AlertRaised raised) {
    send("raised", raised.alert());
  }

  @EventListener
  void on(AlertEvents.AlertChanged changed) {
    send(changed.action(), changed.alert());
  }

  private void send(String type, Alert alert) {
    KafkaProducer<String, String> p = producer;
    if (p == null) {
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    message.put("alert", alert);
    String value;
    try {
      value = json.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      log.error("alert {} could not be written as JSON", alert.id(), e);
      return;
    }
    sender.execute(() -> {
      try {
        p.send(new ProducerRecord<>(properties.kafkaTopic(), Long.toString(alert.id()), value), (meta, error) -> {
          if (error != null) {
            log.warn("alert {} ({}) not published to {}: {}", alert.id(), type, properties.kafkaTopic(), error.toString());
          }
        });
      } catch (RuntimeException e) {
        log.warn("alert {} ({}) not published to {}: {}", alert.id(), type, properties.kafkaTopic(), e.toString());
      }
    });
  }

  @Override
  public void start() {
    Optional<String> bootstrap = bootstrapServers();
    if (bootstrap.isEmpty()) {
      log.info("alerts are not published to Kafka: no broker configured (safegrid.alerts.kafka-bootstrap)");
      running = true;
      return;
    }
    createTopic(bootstrap.get());
    Properties c = new Properties();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "safegrid-alerts");
    producer = new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
    running = true;
    log.info("alerts are published to Kafka topic {} at {}", properties.kafkaTopic(), bootstrap.get());
  }

  /** Creates the alerts topic with the broker's defaults if it does not exist; a failure only logs. */
  private void createTopic(String bootstrap) {
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(a)) {
      admin.createTopics(List.of(new NewTopic(properties.kafkaTopic(), Optional.empty(), Optional.empty())))
          .all().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        log.warn("could not create topic {}: {}", properties.kafkaTopic(), e.getCause().toString());
      }
    } catch (TimeoutException e) {
      log.warn("could not create topic {}: broker at {} did not answer", properties.kafkaTopic(), bootstrap);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop() {
    running = false;
    KafkaProducer<String, String> p = producer;
    producer = null;
    sender.shutdown();
    if (p != null) {
      p.close(java.time.Duration.ofSeconds(5));
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
