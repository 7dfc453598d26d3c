package org.safegrid.server.alert;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * An alert as stored and as the API returns it.
 *
 * @param id              id
 * @param ruleId          the rule that raised it
 * @param title           human title
 * @param severity        low, medium, high, critical
 * @param status          open, acknowledged, resolved, dismissed
 * @param lon             WGS84 longitude, or null when the cause has no place
 * @param lat             WGS84 latitude, or null
 * @param eventId         triggering event, or null
 * @param observedAt      when the cause was observed
 * @param raisedAt        when the alert was raised
 * @param cellCode        grid cell (active grid set) it lies in, or null
 * @param townCode        town of that cell
 * @param districtCode    district of that cell
 * @param escalationLevel grid, town or district: whose desk it is on
 * @param assignedTo      the officer it is assigned to, or null when the roster names nobody
 * @param ackDeadline     when it escalates if nobody acknowledges it
 * @param acknowledgedBy  who acknowledged
 * @param acknowledgedAt  when
 * @param closedBy        who resolved or dismissed
 * @param closedAt        when
 * @param closeReason     resolution note or dismissal reason
 * @param detail          facts: source, kind, attributes, nearest available units, ...
 */
public record Alert(long id, String ruleId, String title, String severity, String status, Double lon, Double lat,
                    String eventId, OffsetDateTime observedAt, OffsetDateTime raisedAt, String cellCode,
                    String townCode, String districtCode, String escalationLevel, String assignedTo,
                    OffsetDateTime ackDeadline, String acknowledgedBy, OffsetDateTime acknowledgedAt, String closedBy,
                    OffsetDateTime closedAt, String closeReason, Map<String, Object> detail) {
}
