package org.safegrid.server.incident;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * An incident as stored and as the API returns it: alerts of one rule that share its grouping key
 * within its space-time window, worked by an officer as one case.
 *
 * @param id              id
 * @param ruleId          the rule whose alerts it groups
 * @param groupKey        the grouping key's value (e.g. a plate, a town code, a campus code)
 * @param title           the rule's title
 * @param severity        the highest severity of its alerts: low, medium, high, critical
 * @param status          open, acknowledged, resolved, dismissed
 * @param openedAt        wall clock when it was opened
 * @param firstObservedAt observed time of its first alert (event time)
 * @param lastObservedAt  observed time of its newest alert (event time)
 * @param closedAt        when it was resolved or dismissed, or null
 * @param closedBy        who closed it ({@code system} after the quiet period)
 * @param closeReason     the reason given
 * @param alertCount      its own alerts
 * @param suppressedCount alerts of other rules it explains (inhibited: stored and linked, not raised apart)
 * @param lon             WGS84 longitude of its centre, or null when no alert has a place
 * @param lat             WGS84 latitude of its centre, or null
 * @param extent          GeoJSON geometry: the convex hull of its alerts' places (a point for one place), or null
 * @param cellCode        grid cell of its first alert
 * @param townCode        town of that cell
 * @param districtCode    district of that cell
 * @param escalationLevel grid, town or district: whose desk it is on
 * @param assignedTo      the officer it is assigned to, or null when the roster names nobody
 * @param ackDeadline     when it escalates if nobody acknowledges it
 * @param acknowledgedBy  who acknowledged
 * @param acknowledgedAt  when
 */
public record Incident(long id, String ruleId, String groupKey, String title, String severity, String status,
                       OffsetDateTime openedAt, OffsetDateTime firstObservedAt, OffsetDateTime lastObservedAt,
                       OffsetDateTime closedAt, String closedBy, String closeReason, int alertCount,
                       int suppressedCount, Double lon, Double lat, Map<String, Object> extent, String cellCode,
                       String townCode, String districtCode, String escalationLevel, String assignedTo,
                       OffsetDateTime ackDeadline, String acknowledgedBy, OffsetDateTime acknowledgedAt) {
}
