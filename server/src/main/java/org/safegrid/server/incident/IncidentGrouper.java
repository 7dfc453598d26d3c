package org.safegrid.server.incident;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.safegrid.server.alert.Alert;
import org.safegrid.server.alert.AlertCandidate;
import org.safegrid.server.alert.AlertProperties;
import org.safegrid.server.alert.AlertRaiseHook;
import org.safegrid.server.alert.AlertRule;
import org.safegrid.server.alert.AlertSeverity;
import org.safegrid.server.audit.AuditLog;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Puts each newly raised alert into an incident, in the transaction that stores the alert: into an
 * open critical incident that explains it (inhibition: linked as suppressed, nothing announced), else
 * into the open incident of its rule with the same grouping key within the rule's window (and
 * radius), else into a new incident. Windows are event time (the alerts' observed_at), so a replay
 * groups as live traffic does.
 *
 * <p>Concurrent raises of one rule and key are serialised by a transaction-scoped advisory lock, so
 * two writers cannot open two incidents for one group. An alert that would bridge two open incidents
 * joins the older one; incidents are never merged. Thread-safe.
 */
@Component
class IncidentGrouper implements AlertRaiseHook {

  private static final String SEVERITY_RANK = "array_position(ARRAY['low', 'medium', 'high', 'critical'], %s)";

  private final JdbcClient jdbc;
  private final IncidentRepository incidents;
  private final AlertProperties alertProperties;
  private final AuditLog auditLog;

  IncidentGrouper(JdbcClient jdbc, IncidentRepository incidents, AlertProperties alertProperties, AuditLog auditLog) {
    this.jdbc = jdbc;
    this.incidents = incidents;
    this.alertProperties = alertProperties;
    this.auditLog = auditLog;
  }

  @Override
  public void raised(Alert alert, AlertCandidate candidate) {
    if (findInhibitor(alert).map(id -> suppress(id, alert)).isPresent()) {
      return;
    }
    AlertRule.Grouping g = candidate.rule().grouping();
    String key = groupKey(g.key(), alert, candidate).orElse("alert:" + alert.id());
    jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))").param(alert.ruleId() + "\n" + key)
        .query((rs, n) -> 1).list();
    Optional<Long> open = findOpen(alert, key, g);
    if (open.isPresent()) {
      join(open.get(), alert);
    } else {
      openIncident(alert, candidate, key);
    }
  }

  /**
   * The grouping key's value for an alert: {@code rule} (one group), {@code cause} (the alert's dedupe
   * key), {@code source}, {@code attr:NAME}, {@code cell}, {@code town}, {@code district}; empty when the
   * alert lacks it.
   */
  static Optional<String> groupKey(String key, Alert alert, AlertCandidate candidate) {
    Object value = switch (key) {
      case "rule" -> "*";
      case "cause" -> candidate.dedupeKey();
      case "source" -> alert.detail().get("sourceId");
      case "cell" -> alert.cellCode();
      case "town" -> alert.townCode();
      case "district" -> alert.districtCode();
      default -> alert.detail().get("attrs") instanceof Map<?, ?> attrs ? attrs.get(key.substring("attr:".length()))
          : null;
    };
    return value == null || value.toString().isBlank() ? Optional.empty() : Optional.of(value.toString());
  }

  private Optional<Long> findOpen(Alert alert, String key, AlertRule.Grouping g) {
    boolean near = g.radiusMeters() != null && alert.lon() != null;
    String sql = "SELECT i.id FROM incident i WHERE i.rule_id = :rule AND i.group_key = :key "
        + "AND i.status IN ('open', 'acknowledged') "
        + "AND CAST(:t AS timestamptz) BETWEEN i.first_observed_at - make_interval(secs => :window) "
        + "AND i.last_observed_at + make_interval(secs => :window) "
        // single linkage: near one of its alerts observed within the window of this one
        + (near ? "AND EXISTS (SELECT 1 FROM incident_alert ia JOIN alert m ON m.id = ia.alert_id "
            + "WHERE ia.incident_id = i.id AND NOT ia.suppressed AND m.geom IS NOT NULL "
            + "AND m.observed_at BETWEEN CAST(:t AS timestamptz) - make_interval(secs => :window) "
            + "AND CAST(:t AS timestamptz) + make_interval(secs => :window) "
            + "AND ST_DWithin(m.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)) " : "")
        + "ORDER BY i.id LIMIT 1 FOR UPDATE";
    var q = jdbc.sql(sql).param("rule", alert.ruleId()).param("key", key)
        .param("t", Timestamp.from(alert.observedAt().toInstant())).param("window", seconds(g.window()));
    if (near) {
      q = q.param("lon", alert.lon()).param("lat", alert.lat()).param("radius", g.radiusMeters());
    }
    return q.query(Long.class).optional();
  }

  private void openIncident(Alert alert, AlertCandidate candidate, String key) {
    long id = jdbc.sql("INSERT INTO incident (rule_id, group_key, title, severity, first_observed_at, last_observed_at, "
            + "alert_count, geom, cell_code, town_code, district_code, escalation_level, assigned_to, ack_deadline) "
            + "SELECT a.rule_id, :key, a.title, a.severity, a.observed_at, a.observed_at, 1, a.geom, a.cell_code, "
            + "a.town_code, a.district_code, a.escalation_level, a.assigned_to, a.ack_deadline FROM alert a "
            + "WHERE a.id = :alert RETURNING id")
        .param("key", key).param("alert", alert.id()).query(Long.class).single();
    jdbc.sql("INSERT INTO incident_alert (incident_id, alert_id) VALUES (?, ?)").params(id, alert.id()).update();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("alertId", alert.id());
    d.put("groupKey", key);
    d.put("severity", alert.severity());
    d.put("assignedTo", alert.assignedTo());
    incidents.addTimeline(id, "system", "opened", d);
    auditLog.recordFrom("system", null, "incident.open", "incident", Long.toString(id), AuditLog.Outcome.SUCCESS,
        Map.of("rule", alert.ruleId(), "groupKey", key, "alertId", alert.id()));
    incidents.announce(id, "opened");
  }

  private void join(long id, Alert alert) {
    String before = jdbc.sql("SELECT severity FROM incident WHERE id = ?").param(id).query(String.class).single();
    boolean rises = AlertSeverity.parse(alert.severity()).compareTo(AlertSeverity.parse(before)) > 0;
    jdbc.sql("INSERT INTO incident_alert (incident_id, alert_id) VALUES (?, ?)").params(id, alert.id()).update();
    jdbc.sql("UPDATE incident i SET alert_count = alert_count + 1, "
            + "first_observed_at = LEAST(first_observed_at, a.observed_at), "
            + "last_observed_at = GREATEST(last_observed_at, a.observed_at), last_joined_at = clock_timestamp(), "
            + "geom = CASE WHEN a.geom IS NULL THEN i.geom WHEN i.geom IS NULL THEN a.geom "
            + "ELSE ST_ConvexHull(ST_Collect(i.geom, a.geom)) END, "
            + "severity = CASE WHEN " + SEVERITY_RANK.formatted("a.severity") + " > " + SEVERITY_RANK.formatted("i.severity")
            + " THEN a.severity ELSE i.severity END, "
            // a higher severity has a shorter acknowledgement deadline: an open incident keeps the sooner one
            + "ack_deadline = CASE WHEN :rises AND i.status = 'open' "
            + "THEN LEAST(i.ack_deadline, clock_timestamp() + make_interval(secs => :deadline)) ELSE i.ack_deadline END "
            + "FROM alert a WHERE a.id = :alert AND i.id = :id")
        .param("rises", rises).param("deadline", seconds(alertProperties.deadline(AlertSeverity.parse(alert.severity()))))
        .param("alert", alert.id()).param("id", id).update();
    incidents.addTimeline(id, "system", "alert.joined", Map.of("alertId", alert.id(), "severity", alert.severity()));
    if (rises) {
      incidents.addTimeline(id, "system", "severity.raised", Map.of("from", before, "to", alert.severity()));
    }
    incidents.announce(id, "updated");
  }

  /**
   * The open critical incident that explains this alert: of a rule whose {@code inhibit} lists the
   * alert's rule, within its radius and window, and more severe than the alert.
   */
  private Optional<Long> findInhibitor(Alert alert) {
    if (alert.lon() == null || AlertSeverity.parse(alert.severity()) == AlertSeverity.CRITICAL) {
      return Optional.empty();
    }
    for (AlertRule r : alertProperties.rules()) {
      AlertRule.Inhibit inhibit = r.inhibit();
      if (inhibit == null || !inhibit.rules().contains(alert.ruleId())) {
        continue;
      }
      Optional<Long> id = jdbc.sql("SELECT i.id FROM incident i WHERE i.rule_id = :rule AND i.severity = 'critical' "
              + "AND i.status IN ('open', 'acknowledged') AND i.geom IS NOT NULL "
              + "AND CAST(:t AS timestamptz) BETWEEN i.first_observed_at - make_interval(secs => :window) "
              + "AND i.last_observed_at + make_interval(secs => :window) "
              + "AND ST_DWithin(i.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius) "
              + "ORDER BY i.id LIMIT 1 FOR UPDATE")
          .param("rule", r.id()).param("t", Timestamp.from(alert.observedAt().toInstant()))
          .param("window", seconds(inhibit.window())).param("lon", alert.lon()).param("lat", alert.lat())
          .param("radius", inhibit.radiusMeters()).query(Long.class).optional();
      if (id.isPresent()) {
        return id;
      }
    }
    return Optional.empty();
  }

  private long suppress(long id, Alert alert) {
    jdbc.sql("INSERT INTO incident_alert (incident_id, alert_id, suppressed) VALUES (?, ?, true)")
        .params(id, alert.id()).update();
    jdbc.sql("UPDATE incident SET suppressed_count = suppressed_count + 1 WHERE id = ?").param(id).update();
    incidents.addTimeline(id, "system", "alert.suppressed", Map.of("alertId", alert.id(), "rule", alert.ruleId(),
        "severity", alert.severity()));
    return id;
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

}
