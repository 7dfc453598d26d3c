package org.safegrid.server.event;

import java.time.Duration;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.worker.IngestSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * In-process ingest workers ({@code safegrid.ingest.*}).
 *
 * @param enabled          run ingest workers inside the server (default true); turn off when separate
 *                         worker processes ({@code ./safegrid ingest}) do the work
 * @param bootstrapServers Kafka bootstrap address; default: env {@code SAFEGRID_KAFKA_BOOTSTRAP}, else
 *                         127.0.0.1:9092
 * @param workers          consumer threads (each holds one database connection)
 * @param groupId          consumer group shared with standalone workers
 * @param topicPrefix      topics are {@code <prefix>camera|checkpoint|patrol}, dead letters {@code <prefix>dlq}
 * @param batchSize        most events written in one transaction
 * @param batchBytes       most message bytes in one batch (8MB): bounds a worker's memory whatever the
 *                         size of the messages
 * @param linger           how long a partial batch waits for more messages
 * @param area             service area; events outside it (plus margin) are refused
 * @param maxFuture        how far in the future observedAt may be
 * @param maxAge           how old observedAt may be
 * @param maxMessageBytes  largest accepted message
 * @param maxPatrolFuture  how far in the future a patrol position ping's observedAt may be (30 s): a
 *                         later one is refused as {@code timestamp_in_future}
 */
@ConfigurationProperties("safegrid.ingest")
public record IngestProperties(@DefaultValue("true") boolean enabled, String bootstrapServers,
                               @DefaultValue("2") int workers, @DefaultValue("safegrid-ingest") String groupId,
                               @DefaultValue(Source.TOPIC_PREFIX) String topicPrefix,
                               @DefaultValue("5000") int batchSize, @DefaultValue("50ms") Duration linger,
                               @DefaultValue Area area, @DefaultValue("5m") Duration maxFuture,
                               @DefaultValue("30d") Duration maxAge, @DefaultValue("65536") int maxMessageBytes,
                               @DefaultValue("30s") Duration maxPatrolFuture,
                               @DefaultValue("8MB") org.springframework.util.unit.DataSize batchBytes) {

  /**
   * The service area rectangle, WGS84 degrees; default the reference city, Huizhou.
   *
   * @param minLon    west edge
   * @param minLat    south edge
   * @param maxLon    east edge
   * @param maxLat    north edge
   * @param marginDeg margin on every side, degrees
   */
  public record Area(@DefaultValue("113.8") double minLon, @DefaultValue("22.3") double minLat,
                     @DefaultValue("115.5") double maxLon, @DefaultValue("24.4") double maxLat,
                     @DefaultValue("0.05") double marginDeg) {
  }

  public IngestProperties {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      String env = System.getenv("SAFEGRID_KAFKA_BOOTSTRAP");
      bootstrapServers = env == null || env.isBlank() ? "127.0.0.1:9092" : env;
    }
    if (workers < 1) {
      throw new IllegalArgumentException("safegrid.ingest.workers must be at least 1");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("safegrid.ingest.batch-size must be at least 1");
    }
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("safegrid.ingest.max-message-bytes must be at least 1024");
    }
    if (batchBytes.toBytes() < 64 * 1024 || batchBytes.toBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("safegrid.ingest.batch-bytes must be between 64KB and 2GB");
    }
    if (maxPatrolFuture.isNegative()) {
      throw new IllegalArgumentException("safegrid.ingest.max-patrol-future must not be negative");
    }
    if (!(area.minLon() < area.maxLon() && area.minLat() < area.maxLat() && area.marginDeg() >= 0)) {
      throw new IllegalArgumentException("safegrid.ingest.area needs min-lon < max-lon, min-lat < max-lat, margin-deg >= 0");
    }
  }

  /** The worker settings these properties describe. */
  public IngestSettings toSettings() {
    EventRules rules = new EventRules(new ServiceArea(area.minLon(), area.minLat(), area.maxLon(), area.maxLat(),
        area.marginDeg()), maxFuture, maxAge, maxMessageBytes, maxPatrolFuture);
    return new IngestSettings(bootstrapServers, groupId, topicPrefix, workers, batchSize, (int) batchBytes.toBytes(),
        linger,
        Duration.ofSeconds(5), rules);
  }
}
