package org.safegrid.ingest.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One event of the stream contract (camera detection, checkpoint check, patrol ping or report).
 *
 * <p>The JSON form is fixed by the per-source JSON Schemas under {@code /schema/events/}; see
 * {@link EventCodec}. {@code attrs} holds the source-specific attributes ({@link CameraAttrs},
 * {@link CheckpointAttrs}, {@link PatrolAttrs} build them).
 *
 * @param id         unique id from the source system; the idempotency key
 * @param source     which stream
 * @param sourceId   the sending device or unit; the Kafka key
 * @param kind       what happened, one of {@link Source#kinds()}
 * @param severity   0 (information) to 5 (critical)
 * @param observedAt when it happened
 * @param lon        longitude in degrees, in {@code datum}
 * @param lat        latitude in degrees, in {@code datum}
 * @param datum      datum of lon/lat
 * @param attrs      source-specific attributes, never null
 */
public record Event(String id, Source source, String sourceId, String kind, int severity, Instant observedAt,
                    double lon, double lat, Datum datum, Map<String, Object> attrs) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(observedAt, "observedAt");
    datum = datum == null ? Datum.WGS84 : datum;
    attrs = attrs == null ? Map.of() : attrs;
  }

  /** The topic this event belongs on. */
  public String topic() {
    return source.topic();
  }
}
