package org.safegrid.server.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.outbox.Outbox;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The incident rows: reads one, appends to its timeline and announces a change (the Kafka message
 * into the outbox in the caller's transaction, the Spring event after its commit). Every writing
 * method must run inside the transaction of the change. Thread-safe.
 */
@Component
class IncidentRepository {

  static final String COLUMNS = "id, rule_id, group_key, title, severity, status, opened_at, first_observed_at, "
      + "last_observed_at, closed_at, closed_by, close_reason, alert_count, suppressed_count, "
      + "ST_X(ST_Centroid(geom)) AS lon, ST_Y(ST_Centroid(geom)) AS lat, ST_AsGeoJSON(geom, 7) AS extent, cell_code, "
      + "town_code, district_code, escalation_level, assigned_to, ack_deadline, acknowledged_by, acknowledged_at";

  private final JdbcClient jdbc;
  private final ObjectMapper json;
  private final Outbox outbox;
  private final IncidentProperties properties;
  private final ApplicationEventPublisher publisher;

  IncidentRepository(JdbcClient jdbc, ObjectMapper json, Outbox outbox, IncidentProperties properties,
                     ApplicationEventPublisher publisher) {
    this.jdbc = jdbc;
    this.json = json;
    this.outbox = outbox;
    this.properties = properties;
    this.publisher = publisher;
  }

  /** One incident; throws NoSuchElementException when there is none. */
  Incident get(long id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM incident WHERE id = ?").param(id).query(IncidentRepository::map)
        .optional().orElseThrow(() -> new NoSuchElementException("no incident " + id));
  }

  /** Appends a step to the incident's timeline. */
  void addTimeline(long incidentId, String actor, String action, Map<String, Object> detail) {
    jdbc.sql("INSERT INTO incident_timeline (incident_id, actor, action, detail) VALUES (?, ?, ?, CAST(? AS jsonb))")
        .params(incidentId, actor, action, toJson(detail)).update();
  }

  /**
   * Announces a change: writes {@code {"change": ..., "incident": {...}}} for the incidents topic into
   * the outbox now, and publishes {@link IncidentChanged} once the transaction has committed.
   */
  Incident announce(long id, String change) {
    Incident incident = get(id);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("change", change);
    message.put("incident", incident);
    outbox.add(properties.kafkaTopic(), Long.toString(id), message);
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        publisher.publishEvent(new IncidentChanged(incident, change));
      }
    });
    return incident;
  }

  String toJson(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write incident detail as JSON", e);
    }
  }

  static Incident map(ResultSet rs, int n) throws SQLException {
    Object lon = rs.getObject("lon");
    String extent = rs.getString("extent");
    return new Incident(rs.getLong("id"), rs.getString("rule_id"), rs.getString("group_key"), rs.getString("title"),
        rs.getString("severity"), rs.getString("status"), rs.getObject("opened_at", OffsetDateTime.class),
        rs.getObject("first_observed_at", OffsetDateTime.class), rs.getObject("last_observed_at", OffsetDateTime.class),
        rs.getObject("closed_at", OffsetDateTime.class), rs.getString("closed_by"), rs.getString("close_reason"),
        rs.getInt("alert_count"), rs.getInt("suppressed_count"), lon == null ? null : rs.getDouble("lon"),
        lon == null ? null : rs.getDouble("lat"), extent == null ? null : GeoJsonSql.props(extent),
        rs.getString("cell_code"), rs.getString("town_code"), rs.getString("district_code"),
        rs.getString("escalation_level"), rs.getString("assigned_to"),
        rs.getObject("ack_deadline", OffsetDateTime.class), rs.getString("acknowledged_by"),
        rs.getObject("acknowledged_at", OffsetDateTime.class));
  }
}
