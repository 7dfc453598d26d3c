package org.safegrid.server.outbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The outbox relay ({@code safegrid.outbox.*}), which sends alert and incident messages to Kafka.
 *
 * @param kafkaBootstrap Kafka bootstrap servers; blank = {@code safegrid.alerts.kafka-bootstrap}, else the
 *                       in-process ingest broker, else messages stay in the outbox unsent (logged once)
 * @param pollInterval   how often the relay looks for unsent messages when no commit woke it
 * @param batchSize      messages sent per round
 * @param sendTimeout    how long one round waits for the broker's acknowledgements before it fails and
 *                       is retried with backoff
 * @param retention      sent messages older than this are deleted
 */
@ConfigurationProperties("safegrid.outbox")
public record OutboxProperties(String kafkaBootstrap, @DefaultValue("1s") Duration pollInterval,
                               @DefaultValue("500") int batchSize, @DefaultValue("15s") Duration sendTimeout,
                               @DefaultValue("7d") Duration retention) {

  public OutboxProperties {
    if (pollInterval.isZero() || pollInterval.isNegative()) {
      throw new IllegalArgumentException("safegrid.outbox.poll-interval must be positive, got " + pollInterval);
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("safegrid.outbox.batch-size must be 1..10000, got " + batchSize);
    }
    if (sendTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("safegrid.outbox.send-timeout must be at least 1s, got " + sendTimeout);
    }
    if (retention.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException("safegrid.outbox.retention must be at least 1h, got " + retention);
    }
  }
}
