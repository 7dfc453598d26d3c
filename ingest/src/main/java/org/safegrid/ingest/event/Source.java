package org.safegrid.ingest.event;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The event sources, each with its Kafka topic, its JSON Schema and the kinds it may send: three sensor
 * and patrol feeds, and reported incidents (110 calls, 12345 hotline, grid officers' reports) whose
 * kinds are the small category set of {@code docs/events.md}.
 */
public enum Source {
  CAMERA("camera", Set.of("intrusion", "loitering", "crowd", "fight", "fire", "abandoned_object", "vehicle_alert",
      "campus_alarm")),
  CHECKPOINT("checkpoint", Set.of("check")),
  PATROL("patrol", Set.of("position", "incident", "suspicious_person", "suspicious_vehicle", "disturbance",
      "traffic_accident", "assist_request")),
  INCIDENT("incident", Set.of("violent", "property", "disorder", "traffic", "dispute", "fraud", "other"));

  /** Prefix of the per-source topics. */
  public static final String TOPIC_PREFIX = "safegrid.events.";
  /** Topic of refused messages. */
  public static final String DLQ_TOPIC = "safegrid.events.dlq";

  private final String wireName;
  private final Set<String> kinds;

  Source(String wireName, Set<String> kinds) {
    this.wireName = wireName;
    this.kinds = kinds;
  }

  /** The name in messages, the database and the API: {@code camera}, {@code checkpoint}, {@code patrol}, {@code incident}. */
  public String wireName() {
    return wireName;
  }

  /** The topic this source writes to, e.g. {@code safegrid.events.camera}. */
  public String topic() {
    return TOPIC_PREFIX + wireName;
  }

  /** Classpath location of this source's JSON Schema. */
  public String schemaResource() {
    return "/schema/events/" + wireName + ".schema.json";
  }

  /** The kinds this source may send. */
  public Set<String> kinds() {
    return kinds;
  }

  /** Finds the source by its wire name. */
  public static Optional<Source> findByWireName(String name) {
    for (Source s : values()) {
      if (s.wireName.equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Finds the source whose topic this is. */
  public static Optional<Source> findByTopic(String topic) {
    return topic != null && topic.startsWith(TOPIC_PREFIX) ? findByWireName(topic.substring(TOPIC_PREFIX.length()))
        : Optional.empty();
  }

  /** The source topics. */
  public static List<String> topics() {
    return Arrays.stream(values()).map(Source::topic).toList();
  }
}
