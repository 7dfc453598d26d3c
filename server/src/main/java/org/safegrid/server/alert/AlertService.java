package org.safegrid.server.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.outbox.Outbox;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores alerts and carries them through their lifecycle: raise (de-duplicated by the database),
 * acknowledge, resolve, dismiss, escalate; answers queries. Every change writes its audit row in the
 * same transaction, and its message for the {@code safegrid.alerts} topic into the {@link Outbox};
 * a raise also runs the {@link AlertRaiseHook}s (incident grouping) in that transaction. Thread-safe
 * (stateless over the database).
 */
@Service
public class AlertService {

  /** Who acted: a signed-in user and the address they came from, or the system. */
  public record Actor(String username, String sourceIp) {

    public static final Actor SYSTEM = new Actor("system", null);
  }

  /**
   * A patrol unit offered for an alert.
   *
   * @param unitId         unit
   * @param status         its reported status
   * @param distanceMeters straight-line distance
   * @param etaMinutes     minutes to get there at the configured speed
   */
  public record NearbyUnit(String unitId, String status, double distanceMeters, double etaMinutes) {
  }

  private static final String COLUMNS = "id, rule_id, title, severity, status, ST_X(geom) AS lon, ST_Y(geom) AS lat, "
      + "event_id, observed_at, raised_at, cell_code, town_code, district_code, escalation_level, assigned_to, "
      + "ack_deadline, acknowledged_by, acknowledged_at, closed_by, closed_at, close_reason, detail::text AS detail";
  private static final com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>> PROPS =
      new com.fasterxml.jackson.core.type.TypeReference<>() { };
  private static final List<String> LEVELS = List.of("grid", "town", "district");

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final AlertProperties properties;
  private final ObjectMapper json;
  private final AuditLog auditLog;
  private final Outbox outbox;
  private final List<AlertRaiseHook> raiseHooks;

  public AlertService(JdbcClient jdbc, TransactionTemplate tx, AlertProperties properties, ObjectMapper json,
      AuditLog auditLog, Outbox outbox, List<AlertRaiseHook> raiseHooks) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.properties = properties;
    this.json = json;
    this.auditLog = auditLog;
    this.outbox = outbox;
    this.raiseHooks = List.copyOf(raiseHooks);
  }

  /**
   * Stores a candidate as a new open alert, assigned from the roster, unless an alert with the same
   * rule and cause is already open or acknowledged; returns the new alert or empty for a duplicate.
   */
  public Optional<Alert> raise(AlertCandidate c) {
    Map<String, Object> detail = new LinkedHashMap<>(c.detail());
    if (c.rule().nearestUnits() && c.hasPlace()) {
      detail.put("nearestUnits", listNearbyUnits(c.lon(), c.lat()));
    }
    return tx.execute(status -> {
      Map<String, Object> cell = c.hasPlace() ? findCell(c.lon(), c.lat()) : Map.of();
      String level = "grid";
      String officer = null;
      for (String l : LEVELS) {
        officer = findOfficer(l, cell);
        if (officer != null) {
          level = l;
          break;
        }
      }
      if (officer == null) {
        level = "grid";
      }
      Duration deadline = properties.deadline(c.rule().severity());
      Optional<Long> id = jdbc.sql("INSERT INTO alert (rule_id, dedupe_key, severity, title, detail, geom, event_id, "
              + "observed_at, grid_set_id, cell_id, cell_code, town_code, district_code, escalation_level, assigned_to, "
              + "ack_deadline) VALUES (:rule, :key, :severity, :title, CAST(:detail AS jsonb), "
              + "CASE WHEN :hasPlace THEN ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END, :eventId, :observedAt, "
              + ":gridSetId, :cellId, :cellCode, :townCode, :districtCode, :level, :officer, "
              + "clock_timestamp() + make_interval(secs => :deadlineSeconds)) "
              + "ON CONFLICT (rule_id, dedupe_key) WHERE status IN ('open', 'acknowledged') DO NOTHING RETURNING id")
          .param("rule", c.rule().id()).param("key", c.dedupeKey()).param("severity", c.rule().severity().wireName())
          .param("title", c.rule().title()).param("detail", toJson(detail)).param("hasPlace", c.hasPlace())
          .param("lon", c.hasPlace() ? c.lon() : 0.0).param("lat", c.hasPlace() ? c.lat() : 0.0)
          .param("eventId", c.eventId()).param("observedAt", Timestamp.from(c.observedAt()))
          .param("gridSetId", cell.get("gridSetId")).param("cellId", cell.get("cellId"))
          .param("cellCode", cell.get("code")).param("townCode", cell.get("townCode"))
          .param("districtCode", cell.get("districtCode")).param("level", level).param("officer", officer)
          .param("deadlineSeconds", deadline.toMillis() / 1000.0)
          .query(Long.class).optional();
      if (id.isEmpty()) {
        return Optional.<Alert>empty();
      }
      audit(Actor.SYSTEM, "alert.raise", id.get(), Map.of("rule", c.rule().id(), "dedupeKey", c.dedupeKey(),
          "severity", c.rule().severity().wireName(), "assignedTo", officer == null ? "" : officer));
      Alert raised = getAlert(id.get());
      recordChange(raised, "raised");
      for (AlertRaiseHook hook : raiseHooks) {
        hook.raised(raised, c);
      }
      return Optional.of(raised);
    });
  }

  /** Resolves the open or acknowledged alert of a cause, if any (e.g. a silent feed that came back). */
  public Optional<Alert> resolveCause(String ruleId, String dedupeKey, Actor actor, String note) {
    Optional<Long> id = jdbc.sql("SELECT id FROM alert WHERE rule_id = ? AND dedupe_key = ? "
        + "AND status IN ('open', 'acknowledged')").params(ruleId, dedupeKey).query(Long.class).optional();
    return id.map(i -> resolve(i, actor, note));
  }

  /** Acknowledges an open alert. */
  public Alert acknowledge(long id, Actor actor, String note) {
    return act(id, actor, "ack", List.of("open"), "UPDATE alert SET status = 'acknowledged', acknowledged_by = :user, "
        + "acknowledged_at = clock_timestamp() WHERE id = :id", note);
  }

  /** Resolves an open or acknowledged alert. */
  public Alert resolve(long id, Actor actor, String note) {
    return act(id, actor, "resolve", List.of("open", "acknowledged"), "UPDATE alert SET status = 'resolved', "
        + "closed_by = :user, closed_at = clock_timestamp(), close_reason = :note WHERE id = :id", note);
  }

  /** Dismisses an open or acknowledged alert; the reason is required. */
  public Alert dismiss(long id, Actor actor, String reason) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("dismissing an alert needs a reason");
    }
    return act(id, actor, "dismiss", List.of("open", "acknowledged"), "UPDATE alert SET status = 'dismissed', "
        + "closed_by = :user, closed_at = clock_timestamp(), close_reason = :note WHERE id = :id", reason);
  }

  private Alert act(long id, Actor actor, String action, List<String> from, String update, String note) {
    if (note != null && note.length() > 2000) {
      throw new IllegalArgumentException("note or reason is longer than 2000 characters");
    }
    return tx.execute(status -> {
      String current = jdbc.sql("SELECT status FROM alert WHERE id = ? FOR UPDATE").param(id).query(String.class)
          .optional().orElseThrow(() -> new NoSuchElementException("no alert " + id));
      if (!from.contains(current)) {
        throw new IllegalStateException("alert " + id + " is " + current + "; " + action + " needs it " + String.join(" or ", from));
      }
      jdbc.sql(update).param("id", id).param("user", actor.username()).param("note", note).update();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("from", current);
      if (note != null) {
        d.put("note", note);
      }
      audit(actor, "alert." + action, id, d);
      Alert changed = getAlert(id);
      recordChange(changed, action);
      return changed;
    });
  }

  /**
   * Writes the message of an alert's change ({@code raised}, {@code ack}, {@code resolve}, {@code dismiss},
   * {@code escalate}) for the alerts topic into the outbox; inside the transaction of the change.
   */
  public void recordChange(Alert alert, String type) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    message.put("alert", alert);
    outbox.add(properties.kafkaTopic(), Long.toString(alert.id()), message);
  }

  /**
   * Escalates every open alert whose acknowledgement deadline lies before {@code now} to the next
   * level (grid → town → district duty desk), with a fresh deadline; returns the escalated alerts.
   * An alert that belongs to an incident is not escalated on its own: its incident is.
   */
  public List<Alert> escalateDue(Instant now) {
    List<Long> due = jdbc.sql("SELECT id FROM alert WHERE status = 'open' AND ack_deadline < ? "
        + "AND escalation_level <> 'district' AND NOT EXISTS (SELECT 1 FROM incident_alert ia WHERE ia.alert_id = alert.id) "
        + "ORDER BY id").param(Timestamp.from(now)).query(Long.class).list();
    List<Alert> escalated = new ArrayList<>();
    for (long id : due) {
      Alert a = tx.execute(status -> {
        var row = jdbc.sql("SELECT escalation_level, severity, cell_code, town_code, district_code, assigned_to "
                + "FROM alert WHERE id = ? AND status = 'open' AND ack_deadline < ? AND escalation_level <> 'district' "
                + "FOR UPDATE SKIP LOCKED")
            .params(id, Timestamp.from(now))
            .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6)})
            .optional();
        if (row.isEmpty()) {
          return null;
        }
        String[] r = row.get();
        String next = nextLevel(r[0]);
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("code", r[2]);
        cell.put("townCode", r[3]);
        cell.put("districtCode", r[4]);
        String officer = findOfficer(next, cell);
        Duration deadline = properties.deadline(AlertSeverity.parse(r[1]));
        jdbc.sql("UPDATE alert SET escalation_level = :level, assigned_to = :officer, "
                + "ack_deadline = CAST(:now AS timestamptz) + make_interval(secs => :secs) WHERE id = :id")
            .param("level", next).param("officer", officer).param("now", Timestamp.from(now))
            .param("secs", deadline.toMillis() / 1000.0).param("id", id).update();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("fromLevel", r[0]);
        d.put("toLevel", next);
        d.put("fromOfficer", r[5]);
        d.put("toOfficer", officer);
        audit(Actor.SYSTEM, "alert.escalate", id, d);
        Alert changed = getAlert(id);
        recordChange(changed, "escalate");
        return changed;
      });
      if (a != null) {
        escalated.add(a);
      }
    }
    return escalated;
  }

  /** One alert; throws NoSuchElementException when there is none. */
  public Alert getAlert(long id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM alert WHERE id = ?").param(id).query(this::map).optional()
        .orElseThrow(() -> new NoSuchElementException("no alert " + id));
  }

  /** Alerts, newest first, filtered by status, severity and raised time. */
  public List<Alert> listAlerts(String status, String severity, Instant since, int limit) {
    return listAlerts(status, severity, since, limit, DataScope.CITY);
  }

  /**
   * Alerts as above, only those whose place lies inside the scope (an alert without a place is
   * city-wide and not shown to district-scoped users).
   */
  public List<Alert> listAlerts(String status, String severity, Instant since, int limit, DataScope scope) {
    if (status != null && !List.of("open", "acknowledged", "resolved", "dismissed").contains(status)) {
      throw new IllegalArgumentException("status '" + status + "' is not one of open, acknowledged, resolved, dismissed");
    }
    String sev = severity == null ? null : AlertSeverity.parse(severity).wireName();
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1..10000");
    }
    return jdbc.sql("SELECT " + COLUMNS + " FROM alert WHERE (CAST(:status AS text) IS NULL OR status = :status) "
            + "AND (CAST(:severity AS text) IS NULL OR severity = :severity) "
            + "AND (CAST(:since AS timestamptz) IS NULL OR raised_at >= :since) "
            + (scope.isCity() ? "" : "AND " + ScopeFilter.inDistrictSql("geom", "district") + " ")
            + "ORDER BY raised_at DESC, id DESC LIMIT :limit")
        .params(scope.isCity() ? Map.of() : Map.of("district", scope.districtCodeOrNull()))
        .param("status", status).param("severity", sev)
        .param("since", since == null ? null : Timestamp.from(since)).param("limit", limit)
        .query(this::map).list();
  }

  /** Whether the alert exists and its place lies inside the scope. */
  public boolean isVisible(long id, DataScope scope) {
    if (scope.isCity()) {
      return jdbc.sql("SELECT 1 FROM alert WHERE id = ?").param(id).query(Integer.class).optional().isPresent();
    }
    return jdbc.sql("SELECT 1 FROM alert WHERE id = ? AND " + ScopeFilter.inDistrictSql("geom")).param(id)
        .param(scope.districtCodeOrNull()).query(Integer.class).optional().isPresent();
  }

  /** The same alerts as GeoJSON point features (alerts without a place have a null geometry). */
  public GeoJsonFeatureCollection toGeoJson(List<Alert> alerts) {
    List<GeoJsonFeature> features = new ArrayList<>();
    for (Alert a : alerts) {
      String geometry = a.lon() == null ? null
          : "{\"type\":\"Point\",\"coordinates\":[" + a.lon() + "," + a.lat() + "]}";
      Map<String, Object> props = json.convertValue(a, PROPS);
      props.remove("lon");
      props.remove("lat");
      props.remove("id");
      features.add(new GeoJsonFeature(a.id(), geometry, props));
    }
    return new GeoJsonFeatureCollection(features, Map.of("layer", "alerts"));
  }

  /** Available patrol units nearest to a place, with distance and time at the configured speed. */
  public List<NearbyUnit> listNearbyUnits(double lon, double lat) {
    List<NearbyUnit> units = jdbc.sql("SELECT unit_id, status, ST_Distance(geom::geography, "
            + "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS d FROM patrol_position "
            + "WHERE status IN (:statuses) AND observed_at > :fresh "
            + "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT :k")
        .param("lon", lon).param("lat", lat).param("statuses", properties.availableStatuses())
        .param("fresh", Timestamp.from(Instant.now().minus(properties.positionMaxAge())))
        .param("k", properties.nearestUnits() * 4)
        .query((rs, n) -> {
          double d = rs.getDouble("d");
          return new NearbyUnit(rs.getString(1), rs.getString(2), Math.round(d),
              Math.round(d / 1000.0 / properties.unitSpeedKmh() * 60 * 10) / 10.0);
        }).list();
    // <-> orders by degrees; re-rank by metres
    return units.stream().sorted(Comparator.comparingDouble(NearbyUnit::distanceMeters))
        .limit(properties.nearestUnits()).toList();
  }

  /** Replaces the whole officer roster from CSV ({@code level,area_code,officer,contact}); returns the row count. */
  public int replaceRoster(String csv, Actor actor) {
    List<String[]> rows = RosterCsv.parse(csv);
    return tx.execute(status -> {
      jdbc.sql("DELETE FROM alert_roster").update();
      for (String[] r : rows) {
        jdbc.sql("INSERT INTO alert_roster (level, area_code, officer, contact) VALUES (?, ?, ?, ?)")
            .params(r[0], r[1], r[2], r[3]).update();
      }
      audit(actor, "alert.roster.replace", null, Map.of("rows", rows.size()));
      return rows.size();
    });
  }

  /** The roster as rows of level, area code, officer, contact. */
  public List<Map<String, Object>> listRoster() {
    return listRoster(DataScope.CITY);
  }

  /**
   * The roster rows of the scope's areas: the district's desk, and the towns and grid cells that
   * lie in it (by the active grid set's district codes).
   */
  public List<Map<String, Object>> listRoster(DataScope scope) {
    if (scope.isCity()) {
      return jdbc.sql("SELECT level, area_code AS \"areaCode\", officer, contact FROM alert_roster ORDER BY level, area_code")
          .query().listOfRows();
    }
    return jdbc.sql("SELECT level, area_code AS \"areaCode\", officer, contact FROM alert_roster r "
            + "WHERE (r.level = 'district' AND r.area_code = :district) OR EXISTS (SELECT 1 FROM grid_cell c "
            + "JOIN grid_set s ON s.id = c.grid_set_id AND s.status = 'active' WHERE c.district_code = :district "
            + "AND ((r.level = 'town' AND c.town_code = r.area_code) OR (r.level = 'grid' AND c.code = r.area_code))) "
            + "ORDER BY level, area_code")
        .param("district", scope.districtCodeOrNull()).query().listOfRows();
  }

  /** The code of the active grid cell at a point, or null outside the grid. */
  public String findCellCode(double lon, double lat) {
    Object code = findCell(lon, lat).get("code");
    return code == null ? null : code.toString();
  }

  private Map<String, Object> findCell(double lon, double lat) {
    // through the cells' subdivided pieces (grid_cell_part): a huge cell is not read whole for one point; the
    // pieces at the point come from the GiST index alone (MATERIALIZED), not from a scan of the active set
    return jdbc.sql("WITH hit AS MATERIALIZED (SELECT grid_set_id, cell_id FROM grid_cell_part "
            + "WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(?, ?), 4326))) "
            + "SELECT c.grid_set_id, c.cell_id, c.code, c.town_code, c.district_code FROM hit p "
            + "JOIN grid_set s ON s.id = p.grid_set_id AND s.status = 'active' "
            + "JOIN grid_cell c ON c.grid_set_id = p.grid_set_id AND c.cell_id = p.cell_id ORDER BY c.cell_id LIMIT 1")
        .params(lon, lat)
        .query((rs, n) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("gridSetId", rs.getLong(1));
          m.put("cellId", rs.getInt(2));
          m.put("code", rs.getString(3));
          m.put("townCode", rs.getString(4));
          m.put("districtCode", rs.getString(5));
          return m;
        }).optional().orElse(Map.of());
  }

  /**
   * The roster's officer for an area at a level (grid: the cell code, town: the town code, district:
   * the district code), if the roster names one.
   */
  public Optional<String> findOfficer(String level, String cellCode, String townCode, String districtCode) {
    Map<String, Object> cell = new LinkedHashMap<>();
    cell.put("code", cellCode);
    cell.put("townCode", townCode);
    cell.put("districtCode", districtCode);
    return Optional.ofNullable(findOfficer(level, cell));
  }

  /** The level after {@code level} in the escalation order grid → town → district; district stays district. */
  public static String nextLevel(String level) {
    int i = LEVELS.indexOf(level);
    return LEVELS.get(Math.min(LEVELS.size() - 1, i + 1));
  }

  private String findOfficer(String level, Map<String, Object> cell) {
    Object code = switch (level) {
      case "grid" -> cell.get("code");
      case "town" -> cell.get("townCode");
      default -> cell.get("districtCode");
    };
    if (code == null) {
      return null;
    }
    return jdbc.sql("SELECT officer FROM alert_roster WHERE level = ? AND area_code = ?").params(level, code)
        .query(String.class).optional().orElse(null);
  }

  private void audit(Actor actor, String action, Long alertId, Map<String, Object> detail) {
    // MANDATORY propagation: every caller is inside the transaction of the change it records
    auditLog.recordFrom(actor.username(), actor.sourceIp(), action, "alert", alertId == null ? null : alertId.toString(),
        AuditLog.Outcome.SUCCESS, detail);
  }

  private String toJson(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write alert detail as JSON", e);
    }
  }

  private Alert map(ResultSet rs, int n) throws SQLException {
    Object lon = rs.getObject("lon");
    return new Alert(rs.getLong("id"), rs.getString("rule_id"), rs.getString("title"), rs.getString("severity"),
        rs.getString("status"), lon == null ? null : rs.getDouble("lon"), lon == null ? null : rs.getDouble("lat"),
        rs.getString("event_id"), rs.getObject("observed_at", OffsetDateTime.class),
        rs.getObject("raised_at", OffsetDateTime.class), rs.getString("cell_code"), rs.getString("town_code"),
        rs.getString("district_code"), rs.getString("escalation_level"), rs.getString("assigned_to"),
        rs.getObject("ack_deadline", OffsetDateTime.class), rs.getString("acknowledged_by"),
        rs.getObject("acknowledged_at", OffsetDateTime.class), rs.getString("closed_by"),
        rs.getObject("closed_at", OffsetDateTime.class), rs.getString("close_reason"),
        GeoJsonSql.props(rs.getString("detail")));
  }
}
