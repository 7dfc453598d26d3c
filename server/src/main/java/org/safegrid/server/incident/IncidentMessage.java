package org.safegrid.server.incident;

import java.time.OffsetDateTime;

/**
 * The live stream's {@code incident} message (schema {@code docs/schema/incident-live.schema.json}):
 * what a map's incident queue needs to show and sort a change, without the incident's geometry.
 *
 * @param id              incident id
 * @param ruleId          its rule
 * @param status          open, acknowledged, resolved, dismissed
 * @param severity        low, medium, high, critical
 * @param title           the rule's title
 * @param alertCount      its own alerts
 * @param openedAt        wall clock when opened
 * @param lastObservedAt  observed time of its newest alert
 * @param change          what happened (see {@link IncidentChanged})
 * @param suppressedCount alerts it explains
 * @param assignedTo      the officer it is assigned to, or null
 * @param escalationLevel grid, town or district
 * @param ackDeadline     when it escalates if not acknowledged, or null
 * @param districtCode    its district, or null
 * @param lon             WGS84 longitude of its centre, or null
 * @param lat             WGS84 latitude of its centre, or null
 */
public record IncidentMessage(long id, String ruleId, String status, String severity, String title, int alertCount,
                              OffsetDateTime openedAt, OffsetDateTime lastObservedAt, String change,
                              int suppressedCount, String assignedTo, String escalationLevel,
                              OffsetDateTime ackDeadline, String districtCode, Double lon, Double lat) {

  static IncidentMessage of(Incident i, String change) {
    return new IncidentMessage(i.id(), i.ruleId(), i.status(), i.severity(), i.title(), i.alertCount(), i.openedAt(),
        i.lastObservedAt(), change, i.suppressedCount(), i.assignedTo(), i.escalationLevel(), i.ackDeadline(),
        i.districtCode(), i.lon(), i.lat());
  }
}
