package org.safegrid.server.incident;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.safegrid.server.alert.Alert;

/**
 * One incident with what it is made of, as {@code GET /api/incidents/{id}} returns it.
 *
 * @param incident   the incident
 * @param alerts     its own alerts, oldest observed first
 * @param suppressed alerts of other rules it explains (inhibited), oldest observed first
 * @param events     the stored events that raised those alerts (at most 500)
 * @param timeline   what happened to it, in order
 */
public record IncidentDetail(Incident incident, List<Alert> alerts, List<Alert> suppressed, List<EventRow> events,
                             List<TimelineEntry> timeline) {

  /**
   * A stored event that raised one of the incident's alerts.
   *
   * @param id         event id
   * @param source     camera, checkpoint or patrol
   * @param sourceId   device or unit
   * @param kind       event kind
   * @param severity   event severity (1..5)
   * @param observedAt when it was observed
   * @param lon        WGS84 longitude
   * @param lat        WGS84 latitude
   * @param attrs      source-specific attributes
   */
  public record EventRow(String id, String source, String sourceId, String kind, int severity,
                         OffsetDateTime observedAt, double lon, double lat, Map<String, Object> attrs) {
  }

  /**
   * One step of the incident's life.
   *
   * @param at     when (wall clock)
   * @param actor  who ({@code system} for grouping, escalation and the quiet period)
   * @param action opened, alert.joined, alert.suppressed, severity.raised, acknowledged, assigned,
   *               escalated, resolved, dismissed, closed
   * @param detail facts of the step
   */
  public record TimelineEntry(OffsetDateTime at, String actor, String action, Map<String, Object> detail) {
  }
}
