package org.safegrid.server.alert;

import java.time.Instant;
import java.util.Map;

/**
 * A rule's verdict that something deserves an alert, before de-duplication and storage.
 *
 * @param rule       the rule that fired
 * @param dedupeKey  the cause within the rule: a second candidate with the same key is not a new alert
 *                   while the first is open or acknowledged
 * @param lon        where (WGS84), or NaN when the cause has no place
 * @param lat        where (WGS84), or NaN
 * @param observedAt when the cause was observed
 * @param eventId    the triggering event, or null
 * @param detail     facts for the duty officer (source, kind, attributes, ...)
 */
public record AlertCandidate(AlertRule rule, String dedupeKey, double lon, double lat, Instant observedAt,
                             String eventId, Map<String, Object> detail) {

  public boolean hasPlace() {
    return !Double.isNaN(lon) && !Double.isNaN(lat);
  }
}
