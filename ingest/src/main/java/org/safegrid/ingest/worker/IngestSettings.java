package org.safegrid.ingest.worker;

import java.time.Duration;
import java.util.Map;
import org.safegrid.ingest.broker.BrokerAcls;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.Source;

/**
 * Settings of the ingest workers, shared by the standalone main and the server.
 *
 * @param bootstrapServers Kafka bootstrap address
 * @param groupId          consumer group; every worker of every process joins it
 * @param topicPrefix      prefix of the source topics ({@code <prefix>camera|checkpoint|patrol}) and
 *                         of the dead-letter topic ({@code <prefix>dlq}); {@code safegrid.events.}
 * @param workers          consumer threads in this process
 * @param batchSize        most messages in a batch written in one transaction
 * @param batchBytes       most message bytes in a batch: with {@code batchSize} and the consumer's fetch
 *                         size it bounds what a worker holds, whatever the size of the messages
 * @param linger           how long a partial batch may wait for more messages
 * @param maxBackoff       longest pause between retries while the database is down
 * @param rules            what is accepted
 */
public record IngestSettings(String bootstrapServers, String groupId, String topicPrefix, int workers,
                             int batchSize, int batchBytes, Duration linger, Duration maxBackoff,
                             EventRules rules) {

  /** The sources, looked up by topic for every message (values() copies its array on each call). */
  private static final Source[] SOURCES = Source.values();

  /** Default {@link #batchBytes}: 8 MiB, some 30,000 typical events, far above a 5,000-event batch. */
  public static final int DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;

  public IngestSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("safegrid.ingest.bootstrap-servers must be set");
    }
    if (workers < 1 || batchSize < 1) {
      throw new IllegalArgumentException("safegrid.ingest.workers and batch-size must be at least 1");
    }
    if (batchBytes < 64 * 1024) {
      throw new IllegalArgumentException("safegrid.ingest.batch-bytes must be at least 64 KiB");
    }
  }

  /** Defaults for a bootstrap address: group safegrid-ingest, one worker, batches of 5,000, 50 ms linger. */
  public static IngestSettings defaults(String bootstrapServers) {
    return new IngestSettings(bootstrapServers, "safegrid-ingest", Source.TOPIC_PREFIX, 1, 5000,
        DEFAULT_BATCH_BYTES, Duration.ofMillis(50), Duration.ofSeconds(5), EventRules.DEFAULT);
  }

  public IngestSettings withWorkers(int n) {
    return new IngestSettings(bootstrapServers, groupId, topicPrefix, n, batchSize, batchBytes, linger, maxBackoff, rules);
  }

  public IngestSettings withGroupAndPrefix(String group, String prefix) {
    return new IngestSettings(bootstrapServers, group, prefix, workers, batchSize, batchBytes, linger, maxBackoff, rules);
  }

  public IngestSettings withBatchSize(int n) {
    return new IngestSettings(bootstrapServers, groupId, topicPrefix, workers, n, batchBytes, linger, maxBackoff, rules);
  }

  public IngestSettings withRules(EventRules r) {
    return new IngestSettings(bootstrapServers, groupId, topicPrefix, workers, batchSize, batchBytes, linger, maxBackoff, r);
  }

  /** The topic of a source under this prefix. */
  public String topic(Source s) {
    return topicPrefix + s.wireName();
  }

  /** The dead-letter topic under this prefix. */
  public String dlqTopic() {
    return topicPrefix + "dlq";
  }

  /**
   * Which source a topic under this prefix belongs to, or null: the source's own topic
   * {@code <prefix><source>} or an integrator's {@code <prefix><source>.<principal>}.
   */
  public Source sourceOf(String topic) {
    // asked for every message on both worker threads: compared in place, no topic name built
    if (!topic.startsWith(topicPrefix)) {
      return null;
    }
    int at = topicPrefix.length();
    for (Source s : SOURCES) {
      String wire = s.wireName();
      int end = at + wire.length();
      if (topic.startsWith(wire, at) && (topic.length() == end || (topic.charAt(end) == '.'
          && BrokerAcls.INTEGRATOR_PRINCIPAL.matcher(topic.substring(end + 1)).matches()))) {
        return s;
      }
    }
    return null;
  }


  /**
   * The integrator principal whose own topic this is ({@code <prefix><source>.<principal>}), or null
   * for a source's base topic, which only the built-in principal {@code src-<source>} may write.
   */
  public String principalOf(String topic) {
    Source s = sourceOf(topic);
    int base = s == null ? 0 : topicPrefix.length() + s.wireName().length();
    return s == null || topic.length() == base ? null : topic.substring(base + 1);
  }

  /** An integrator principal's own topic of a source: {@code <prefix><source>.<principal>}. */
  public String topic(Source s, String principal) {
    return topic(s) + "." + principal;
  }

  /** The topics the workers subscribe to: every source's base topic and every integrator's topic of it. */
  public java.util.regex.Pattern subscription() {
    StringBuilder alternatives = new StringBuilder();
    for (Source s : Source.values()) {
      alternatives.append(alternatives.isEmpty() ? "" : "|").append(java.util.regex.Pattern.quote(s.wireName()));
    }
    return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(topicPrefix) + "(?:" + alternatives
        + ")(?:\\." + BrokerAcls.INTEGRATOR_PRINCIPAL.pattern() + ")?");
  }

  /** Settings from environment variables (SAFEGRID_KAFKA_BOOTSTRAP, SAFEGRID_INGEST_*), for the standalone main. */
  public static IngestSettings fromEnv(Map<String, String> env) {
    IngestSettings d = defaults(env.getOrDefault("SAFEGRID_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
    return new IngestSettings(d.bootstrapServers(),
        env.getOrDefault("SAFEGRID_INGEST_GROUP", d.groupId()),
        env.getOrDefault("SAFEGRID_INGEST_TOPIC_PREFIX", d.topicPrefix()),
        Integer.parseInt(env.getOrDefault("SAFEGRID_INGEST_WORKERS", "1")),
        Integer.parseInt(env.getOrDefault("SAFEGRID_INGEST_BATCH_SIZE", Integer.toString(d.batchSize()))),
        Integer.parseInt(env.getOrDefault("SAFEGRID_INGEST_BATCH_BYTES", Integer.toString(d.batchBytes()))),
        Duration.ofMillis(Long.parseLong(env.getOrDefault("SAFEGRID_INGEST_LINGER_MS", "50"))),
        d.maxBackoff(), d.rules());
  }
}
