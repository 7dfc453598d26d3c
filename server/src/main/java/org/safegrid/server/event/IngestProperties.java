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
 * @param linger           how long a partial batch waits for more messages
 * @param area             service area; events outside it (plus margin) are refused
 * @param maxFuture        how far in the future observedAt may be
 * @param maxAge           how old observedAt may be
 * @param maxMessageBytes  largest accepted message
 */
@ConfigurationProperties("safegrid.ingest")
public record IngestProperties(@DefaultValue("true") boolean enabled, String bootstrapServers,
                               @DefaultValue("2") int workers, @DefaultValue("safegrid-ingest") String groupId,
                               @DefaultValue(Source.TOPIC_PREFIX) String topicPrefix,
                               @DefaultValue("5000") int batchSize, @DefaultValue("50ms") Duration linger,
                               @DefaultValue Area area, @DefaultValue("5m") Duration maxFuture,
                               @DefaultValue("30d") Duration maxAge, @DefaultValue("65536") int maxMessageBytes) {

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
    if (!(area.minLon() < area.maxLon() && area.minLat() < area.maxLat() && area.marginDeg() >= 0)) {
      throw new IllegalArgumentException("safegrid.ingest.area needs min-lon < max-lon, min-lat < max-lat, margin-deg >= 0");
    }
  }

  /** The worker settings these properties describe. */
  public IngestSettings toSettings() {
    EventRules rules = new EventRules(new ServiceArea(area.minLon(), area.minLat(), area.maxLon(), area.maxLat(),
        area.marginDeg()), maxFuture, maxAge, maxMessageBytes);
    return new IngestSettings(bootstrapServers, groupId, topicPrefix, workers, batchSize, linger,
        Duration.ofSeconds(5), rules);
  }
}
