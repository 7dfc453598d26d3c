package org.safegrid.server.live;

import java.time.Instant;

/**
 * An event as the live parts of the server see it, right after it was committed to PostGIS.
 *
 * @param id         event id (the idempotency key)
 * @param source     camera, checkpoint or patrol
 * @param sourceId   id of the sending device or unit
 * @param kind       event kind (e.g. {@code intrusion}, {@code position}, {@code alarm})
 * @param severity   0..5
 * @param observedAt when it happened
 * @param receivedAt when it was stored
 * @param lon        WGS84 longitude
 * @param lat        WGS84 latitude
 * @param attrsJson  source-specific attributes as JSON object text
 */
public record LiveEvent(String id, String source, String sourceId, String kind, int severity, Instant observedAt,
                        Instant receivedAt, double lon, double lat, String attrsJson) {
}
