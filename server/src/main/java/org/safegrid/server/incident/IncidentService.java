package org.safegrid.server.incident;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.server.alert.Alert;
import org.safegrid.server.alert.AlertProperties;
import org.safegrid.server.alert.AlertRule;
import org.safegrid.server.alert.AlertService;
import org.safegrid.server.alert.AlertService.Actor;
import org.safegrid.server.alert.AlertSeverity;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Answers questions about incidents and carries them through their lifecycle: acknowledge, assign,
 * resolve and dismiss by an officer; escalation of an unacknowledged incident grid → town → district;
 * closing after a quiet period. An action on an incident acts on its open alerts too (so they do not
 * escalate or stay open on their own). Every change writes its audit row, its timeline step and its
 * outbox message in one transaction. Thread-safe (stateless over the database).
 */
@Service
public class IncidentService {

  private static final List<String> STATUSES = List.of("open", "acknowledged", "resolved", "dismissed");
  private static final int MAX_TEXT = 2000;

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final IncidentRepository incidents;
  private final AlertService alerts;
  private final AlertProperties alertProperties;
  private final AuditLog auditLog;

  IncidentService(JdbcClient jdbc, TransactionTemplate tx, IncidentRepository incidents, AlertService alerts,
                  AlertProperties alertProperties, AuditLog auditLog) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.incidents = incidents;
    this.alerts = alerts;
    this.alertProperties = alertProperties;
    this.auditLog = auditLog;
  }

  /** One incident; throws NoSuchElementException when there is none. */
  public Incident getIncident(long id) {
    return incidents.get(id);
  }

  /**
   * Incidents, newest opened first: by status, severity, and {@code since} (those not closed before
   * it), inside the scope (an incident without a place is city-wide and not shown to district-scoped users).
   */
  public List<Incident> listIncidents(String status, String severity, Instant since, int limit, DataScope scope) {
    if (status != null && !STATUSES.contains(status)) {
      throw new IllegalArgumentException("status '" + status + "' is not one of " + String.join(", ", STATUSES));
    }
    String sev = severity == null ? null : AlertSeverity.parse(severity).wireName();
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1..10000");
    }
    return jdbc.sql("SELECT " + IncidentRepository.COLUMNS + " FROM incident "
            + "WHERE (CAST(:status AS text) IS NULL OR status = :status) "
            + "AND (CAST(:severity AS text) IS NULL OR severity = :severity) "
            + "AND (CAST(:since AS timestamptz) IS NULL OR closed_at IS NULL OR closed_at >= :since) "
            + (scope.isCity() ? "" : "AND " + ScopeFilter.inDistrictSql("geom", "district") + " ")
            + "ORDER BY opened_at DESC, id DESC LIMIT :limit")
        .params(scope.isCity() ? Map.of() : Map.of("district", scope.districtCodeOrNull()))
        .param("status", status).param("severity", sev)
        .param("since", since == null ? null : Timestamp.from(since)).param("limit", limit)
        .query(IncidentRepository::map).list();
  }

  /**
   * What the incidents opened in {@code [from, to)} inside the scope came to: how many, by rule and
   * by severity, and how fast they were worked.
   *
   * @param acknowledged       how many of them were acknowledged (at any time up to now)
   * @param closed             how many were resolved, dismissed or closed after their quiet period
   * @param medianAckSeconds   median of acknowledged_at − opened_at over the acknowledged ones; null when none
   * @param medianCloseSeconds median of closed_at − opened_at over the closed ones; null when none
   */
  public record PeriodSummary(long total, Map<String, Long> byRule, Map<String, Long> bySeverity, long acknowledged,
                              long closed, Double medianAckSeconds, Double medianCloseSeconds) {}

  /** The incidents opened in {@code [from, to)} inside the scope, summed up (see {@link PeriodSummary}). */
  public PeriodSummary summarize(Instant from, Instant to, DataScope scope) {
    String where = "WHERE opened_at >= :from AND opened_at < :to"
        + (scope.isCity() ? "" : " AND " + ScopeFilter.inDistrictSql("geom", "district"));
    Map<String, Object> params = new java.util.HashMap<>();
    params.put("from", Timestamp.from(from));
    params.put("to", Timestamp.from(to));
    if (!scope.isCity()) {
      params.put("district", scope.districtCodeOrNull());
    }
    Map<String, Long> byRule = new java.util.TreeMap<>();
    Map<String, Long> bySeverity = new LinkedHashMap<>();
    for (AlertSeverity s : AlertSeverity.values()) {
      bySeverity.put(s.wireName(), 0L);
    }
    jdbc.sql("SELECT rule_id, severity, count(*) FROM incident " + where + " GROUP BY 1, 2").params(params)
        .query(rs -> {
          byRule.merge(rs.getString(1), rs.getLong(3), Long::sum);
          bySeverity.merge(rs.getString(2), rs.getLong(3), Long::sum);
        });
    return jdbc.sql("SELECT count(*), count(acknowledged_at), count(closed_at), "
            + "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - opened_at)) "
            + "FILTER (WHERE acknowledged_at IS NOT NULL), "
            + "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at)) "
            + "FILTER (WHERE closed_at IS NOT NULL) FROM incident " + where).params(params)
        .query((rs, n) -> new PeriodSummary(rs.getLong(1), byRule, bySeverity, rs.getLong(2), rs.getLong(3),
            (Double) rs.getObject(4, Double.class), (Double) rs.getObject(5, Double.class))).single();
  }

  /** Whether the incident exists and its place lies inside the scope. */
  public boolean isVisible(long id, DataScope scope) {
    if (scope.isCity()) {
      return jdbc.sql("SELECT 1 FROM incident WHERE id = ?").param(id).query(Integer.class).optional().isPresent();
    }
    return jdbc.sql("SELECT 1 FROM incident WHERE id = ? AND " + ScopeFilter.inDistrictSql("geom")).param(id)
        .param(scope.districtCodeOrNull()).query(Integer.class).optional().isPresent();
  }

  /** The incident with its alerts, suppressed alerts, the events behind them and its timeline. */
  public IncidentDetail getDetail(long id) {
    Incident incident = incidents.get(id);
    List<Alert> own = new ArrayList<>();
    List<Alert> suppressed = new ArrayList<>();
    jdbc.sql("SELECT alert_id, suppressed FROM incident_alert ia JOIN alert a ON a.id = ia.alert_id "
            + "WHERE ia.incident_id = ? ORDER BY a.observed_at, a.id").param(id)
        .query((rs, n) -> (rs.getBoolean(2) ? suppressed : own).add(alerts.getAlert(rs.getLong(1)))).list();
    // the alert's observed_at is its event's: the partition key finds the row without a scan of every day
    List<IncidentDetail.EventRow> events = jdbc.sql("SELECT e.event_id, e.source, e.source_id, e.kind, e.severity, "
            + "e.observed_at, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, e.attrs::text AS attrs "
            + "FROM incident_alert ia JOIN alert a ON a.id = ia.alert_id "
            + "JOIN event e ON e.event_id = a.event_id AND e.observed_at = a.observed_at "
            + "WHERE ia.incident_id = ? ORDER BY e.observed_at, e.event_id LIMIT 500").param(id)
        .query((rs, n) -> new IncidentDetail.EventRow(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getInt(5), rs.getObject(6, OffsetDateTime.class), rs.getDouble(7), rs.getDouble(8),
            GeoJsonSql.props(rs.getString(9)))).list();
    List<IncidentDetail.TimelineEntry> timeline = jdbc.sql("SELECT at, actor, action, detail::text FROM incident_timeline "
            + "WHERE incident_id = ? ORDER BY id").param(id)
        .query((rs, n) -> new IncidentDetail.TimelineEntry(rs.getObject(1, OffsetDateTime.class), rs.getString(2),
            rs.getString(3), GeoJsonSql.props(rs.getString(4)))).list();
    return new IncidentDetail(incident, own, suppressed, events, timeline);
  }

  /** Acknowledges an open incident and its open alerts. */
  public Incident acknowledge(long id, Actor actor, String note) {
    checkText(note, "note");
    return tx.execute(status -> {
      String current = lockStatus(id);
      requireStatus(id, current, "ack", List.of("open"));
      jdbc.sql("UPDATE incident SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = clock_timestamp() "
          + "WHERE id = ?").params(actor.username(), id).update();
      actOnAlerts(id, "ack", "UPDATE alert SET status = 'acknowledged', acknowledged_by = :user, "
          + "acknowledged_at = clock_timestamp() WHERE status = 'open' AND id IN (SELECT alert_id FROM incident_alert "
          + "WHERE incident_id = :id) RETURNING id", actor, null);
      return record(id, actor, "acknowledged", detail(current, "note", note));
    });
  }

  /**
   * Assigns an open or acknowledged incident to a named officer; an open one gets a fresh
   * acknowledgement deadline for that officer.
   */
  public Incident assign(long id, Actor actor, String assignee, String note) {
    if (assignee == null || assignee.isBlank()) {
      throw new IllegalArgumentException("assigning an incident needs an assignee");
    }
    if (assignee.length() > 200) {
      throw new IllegalArgumentException("assignee is longer than 200 characters");
    }
    checkText(note, "note");
    return tx.execute(status -> {
      String current = lockStatus(id);
      requireStatus(id, current, "assign", List.of("open", "acknowledged"));
      String severity = jdbc.sql("SELECT severity FROM incident WHERE id = ?").param(id).query(String.class).single();
      jdbc.sql("UPDATE incident SET assigned_to = :who, ack_deadline = CASE WHEN status = 'open' "
              + "THEN clock_timestamp() + make_interval(secs => :secs) ELSE ack_deadline END WHERE id = :id")
          .param("who", assignee.strip()).param("secs", seconds(alertProperties.deadline(AlertSeverity.parse(severity))))
          .param("id", id).update();
      Map<String, Object> d = detail(current, "note", note);
      d.put("assignee", assignee.strip());
      return record(id, actor, "assigned", d);
    });
  }

  /** Resolves an open or acknowledged incident and its open alerts; the reason is required. */
  public Incident resolve(long id, Actor actor, String reason) {
    return close(id, actor, "resolved", "resolve", "resolved", requireReason(reason, "resolving"));
  }

  /** Dismisses an open or acknowledged incident (a false alarm) and its open alerts; the reason is required. */
  public Incident dismiss(long id, Actor actor, String reason) {
    return close(id, actor, "dismissed", "dismiss", "dismissed", requireReason(reason, "dismissing"));
  }

  private Incident close(long id, Actor actor, String newStatus, String alertAction, String change, String reason) {
    return tx.execute(status -> {
      String current = lockStatus(id);
      requireStatus(id, current, alertAction, List.of("open", "acknowledged"));
      closeLocked(id, actor, newStatus, alertAction, reason);
      return record(id, actor, change, detail(current, "reason", reason));
    });
  }

  private void closeLocked(long id, Actor actor, String newStatus, String alertAction, String reason) {
    jdbc.sql("UPDATE incident SET status = ?, closed_by = ?, closed_at = clock_timestamp(), close_reason = ? WHERE id = ?")
        .params(newStatus, actor.username(), reason, id).update();
    actOnAlerts(id, alertAction, "UPDATE alert SET status = '" + newStatus + "', closed_by = :user, "
        + "closed_at = clock_timestamp(), close_reason = :note WHERE status IN ('open', 'acknowledged') "
        + "AND id IN (SELECT alert_id FROM incident_alert WHERE incident_id = :id) RETURNING id", actor,
        "incident " + id + ": " + reason);
  }

  /**
   * Closes (as resolved, by {@code system}) every open or acknowledged incident that no alert joined
   * for its rule's quiet period: judged in event time against the newest observed time of any
   * incident (so an accelerated replay closes as live traffic does), or in wall-clock time since its
   * last alert joined (so a city gone quiet still closes). Returns the closed incidents.
   */
  public List<Incident> closeQuiet(Instant now) {
    Map<String, Duration> quiet = new LinkedHashMap<>();
    for (AlertRule r : alertProperties.rules()) {
      quiet.put(r.id(), r.grouping().quietPeriod());
    }
    Instant eventClock = jdbc.sql("SELECT max(last_observed_at) FROM incident").query(Timestamp.class).optional()
        .map(Timestamp::toInstant).orElse(now);
    record Open(long id, String rule, Instant lastObserved, Instant lastJoined) {
    }
    List<Open> open = jdbc.sql("SELECT id, rule_id, last_observed_at, last_joined_at FROM incident "
            + "WHERE status IN ('open', 'acknowledged') ORDER BY id")
        .query((rs, n) -> new Open(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
            rs.getTimestamp(4).toInstant())).list();
    List<Incident> closed = new ArrayList<>();
    for (Open o : open) {
      Duration q = quiet.getOrDefault(o.rule(), AlertRule.Grouping.DEFAULT.quietPeriod());
      if (o.lastObserved().plus(q).isAfter(eventClock) && o.lastJoined().plus(q).isAfter(now)) {
        continue;
      }
      Incident c = tx.execute(status -> {
        // judged again under the lock: an alert may have joined since the list was read
        String current = lockStatus(o.id());
        boolean stillQuiet = jdbc.sql("SELECT last_observed_at + make_interval(secs => :q) <= :clock "
                + "OR last_joined_at + make_interval(secs => :q) <= :now FROM incident WHERE id = :id")
            .param("q", seconds(q)).param("clock", Timestamp.from(eventClock)).param("now", Timestamp.from(now))
            .param("id", o.id()).query(Boolean.class).single();
        if (!List.of("open", "acknowledged").contains(current) || !stillQuiet) {
          return null;
        }
        String reason = "no alert for " + q.toMinutes() + " min (quiet period)";
        closeLocked(o.id(), Actor.SYSTEM, "resolved", "resolve", reason);
        return record(o.id(), Actor.SYSTEM, "closed", detail(current, "reason", reason));
      });
      if (c != null) {
        closed.add(c);
      }
    }
    return closed;
  }

  /**
   * Escalates every open incident whose acknowledgement deadline lies before {@code now} to the next
   * level (grid → town → district duty desk) and that level's officer from the roster, with a fresh
   * deadline. Returns the escalated incidents.
   */
  public List<Incident> escalateDue(Instant now) {
    List<Long> due = jdbc.sql("SELECT id FROM incident WHERE status = 'open' AND ack_deadline < ? "
        + "AND escalation_level <> 'district' ORDER BY id").param(Timestamp.from(now)).query(Long.class).list();
    List<Incident> escalated = new ArrayList<>();
    for (long id : due) {
      Incident e = tx.execute(status -> {
        Incident i = jdbc.sql("SELECT " + IncidentRepository.COLUMNS + " FROM incident WHERE id = ? AND status = 'open' "
                + "AND ack_deadline < ? AND escalation_level <> 'district' FOR UPDATE SKIP LOCKED")
            .params(id, Timestamp.from(now)).query(IncidentRepository::map).optional().orElse(null);
        if (i == null) {
          return null;
        }
        String next = AlertService.nextLevel(i.escalationLevel());
        String officer = alerts.findOfficer(next, i.cellCode(), i.townCode(), i.districtCode()).orElse(null);
        jdbc.sql("UPDATE incident SET escalation_level = :level, assigned_to = :officer, "
                + "ack_deadline = CAST(:now AS timestamptz) + make_interval(secs => :secs) WHERE id = :id")
            .param("level", next).param("officer", officer).param("now", Timestamp.from(now))
            .param("secs", seconds(alertProperties.deadline(AlertSeverity.parse(i.severity())))).param("id", id).update();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("fromLevel", i.escalationLevel());
        d.put("toLevel", next);
        d.put("fromOfficer", i.assignedTo());
        d.put("toOfficer", officer);
        return record(id, Actor.SYSTEM, "escalated", d);
      });
      if (e != null) {
        escalated.add(e);
      }
    }
    return escalated;
  }

  /** Audit row, timeline step and announcement of one change; inside its transaction. */
  private Incident record(long id, Actor actor, String change, Map<String, Object> detail) {
    auditLog.recordFrom(actor.username(), actor.sourceIp(), "incident." + change, "incident", Long.toString(id),
        AuditLog.Outcome.SUCCESS, detail);
    incidents.addTimeline(id, actor.username(), change, detail);
    return incidents.announce(id, change);
  }

  /** Applies an incident's action to its alerts and writes each changed alert's message. */
  private void actOnAlerts(long id, String action, String update, Actor actor, String note) {
    List<Long> changed = jdbc.sql(update).param("user", actor.username()).param("note", note).param("id", id)
        .query(Long.class).list();
    for (long alertId : changed) {
      alerts.recordChange(alerts.getAlert(alertId), action);
    }
  }

  private String lockStatus(long id) {
    return jdbc.sql("SELECT status FROM incident WHERE id = ? FOR UPDATE").param(id).query(String.class).optional()
        .orElseThrow(() -> new NoSuchElementException("no incident " + id));
  }

  private static void requireStatus(long id, String current, String action, List<String> from) {
    if (!from.contains(current)) {
      throw new IllegalStateException("incident " + id + " is " + current + "; " + action + " needs it "
          + String.join(" or ", from));
    }
  }

  private static String requireReason(String reason, String doing) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException(doing + " an incident needs a reason");
    }
    checkText(reason, "reason");
    return reason.strip();
  }

  private static void checkText(String text, String what) {
    if (text != null && text.length() > MAX_TEXT) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_TEXT + " characters");
    }
  }

  private static Map<String, Object> detail(String from, String key, String text) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("from", from);
    if (text != null) {
      d.put(key, text);
    }
    return d;
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
