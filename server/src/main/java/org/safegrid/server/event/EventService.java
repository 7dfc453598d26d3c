package org.safegrid.server.event;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads stored events back as GeoJSON features. */
@Service
class EventService {

  /**
   * One page of events, newest first.
   *
   * @param features the events
   * @param next     cursor of the next page, or null on the last page
   */
  record Page(List<GeoJsonFeature> features, EventQuery.Cursor next) {
  }

  private static final String COLUMNS = "event_id, source, source_id, kind, severity, observed_at, received_at, "
      + "ST_AsGeoJSON(geom, 7) AS geojson, attrs";

  private final JdbcTemplate jdbc;
  private final StatementTimeouts timeouts;

  EventService(JdbcTemplate jdbc, StatementTimeouts timeouts) {
    this.jdbc = jdbc;
    this.timeouts = timeouts;
  }

  /** The event with this id; NoSuchElementException (404) when there is none in the scope. */
  @Transactional(readOnly = true)
  GeoJsonFeature getEvent(String id, DataScope scope) {
    return getEvent(id, null, null, scope);
  }

  /**
   * The event with this id, from the given device when {@code source} and/or {@code sourceId} are given.
   * Keys are namespaced by source: several devices may have sent the same id; without a device, the
   * one stored first is shown, and its {@code sameIdEvents} property says how many events (visible in
   * the scope) carry the id, so a client can ask for the others by device.
   */
  @Transactional(readOnly = true)
  GeoJsonFeature getEvent(String id, String source, String sourceId, DataScope scope) {
    timeouts.apply(QueryClass.INTERACTIVE);
    // event_key gives observed_at, so only those daily partitions are searched
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + ", count(*) OVER () AS same_id FROM event e "
        + "WHERE e.event_id = ? AND (e.source, e.source_id, e.observed_at) IN "
        + "(SELECT k.source, k.source_id, k.observed_at FROM event_key k WHERE k.event_id = ?)");
    List<Object> args = new ArrayList<>(List.of(id, id));
    if (!scope.isCity()) {
      sql.append(" AND ").append(ScopeFilter.inDistrictSql("e.geom"));
      args.add(scope.districtCodeOrNull());
    }
    if (source != null) {
      sql.append(" AND e.source = ?");
      args.add(source);
    }
    if (sourceId != null) {
      sql.append(" AND e.source_id = ?");
      args.add(sourceId);
    }
    sql.append(" ORDER BY e.received_at, e.source, e.source_id LIMIT 1");
    List<GeoJsonFeature> found = jdbc.query(sql.toString(), (rs, i) -> {
      GeoJsonFeature f = feature(rs);
      f.properties().put("sameIdEvents", rs.getLong("same_id"));
      return f;
    }, args.toArray());
    if (found.isEmpty()) {
      throw new NoSuchElementException("no event with id " + id
          + (source == null && sourceId == null ? "" : " from " + (source == null ? "any source" : source)
          + (sourceId == null ? "" : "/" + sourceId)));
    }
    return found.get(0);
  }

  /**
   * A page of events matching the query within the scope, newest first (keyset paging on observedAt, id).
   * A page never ends between events that share the observedAt and id of its last one (the same id sent
   * by several devices at one instant), since the cursor could not stand between them: such a page holds
   * more than the limit.
   */
  @Transactional(readOnly = true)
  Page listEvents(EventQuery q, DataScope scope) {
    timeouts.apply(QueryClass.INTERACTIVE);
    StringBuilder where = new StringBuilder(" FROM event WHERE true");
    List<Object> args = new ArrayList<>();
    if (!scope.isCity()) {
      where.append(" AND ").append(ScopeFilter.inDistrictSql("geom"));
      args.add(scope.districtCodeOrNull());
    }
    if (q.bbox() != null) {
      where.append(" AND geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)");
      args.add(q.bbox().minLon());
      args.add(q.bbox().minLat());
      args.add(q.bbox().maxLon());
      args.add(q.bbox().maxLat());
    }
    if (q.from() != null) {
      where.append(" AND observed_at >= ?");
      args.add(Timestamp.from(q.from()));
    }
    if (q.to() != null) {
      where.append(" AND observed_at < ?");
      args.add(Timestamp.from(q.to()));
    }
    if (q.source() != null) {
      where.append(" AND source = ?");
      args.add(q.source().wireName());
    }
    if (q.kind() != null) {
      where.append(" AND kind = ?");
      args.add(q.kind());
    }
    if (q.after() != null) {
      where.append(" AND (observed_at, event_id) < (?, ?)");
      args.add(Timestamp.from(q.after().observedAt()));
      args.add(q.after().eventId());
    }
    // one row past the limit tells whether there is a next page; WITH TIES brings every row that shares
    // the key of the last one fetched, and within one key the order is by device
    String sql = "SELECT * FROM (SELECT " + COLUMNS + where + " ORDER BY observed_at DESC, event_id DESC"
        + " FETCH FIRST ? ROWS WITH TIES) e ORDER BY observed_at DESC, event_id DESC, source, source_id";
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(q.limit() + 1);
    List<EventQuery.Cursor> keys = new ArrayList<>();
    List<GeoJsonFeature> features = jdbc.query(sql, (rs, i) -> {
      keys.add(new EventQuery.Cursor(rs.getTimestamp("observed_at").toInstant(), rs.getString("event_id")));
      return feature(rs);
    }, pageArgs.toArray());
    EventQuery.Cursor next = null;
    if (features.size() > q.limit()) {
      EventQuery.Cursor last = keys.get(q.limit() - 1);
      int end = q.limit();
      while (end < keys.size() && keys.get(end).equals(last)) {
        end++;
      }
      boolean more = end < keys.size();
      if (!more) {
        // the rows past the limit all share the last key: whether any come after them is asked apart
        List<Object> afterArgs = new ArrayList<>(args);
        afterArgs.add(Timestamp.from(last.observedAt()));
        afterArgs.add(last.eventId());
        more = Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1" + where
            + " AND (observed_at, event_id) < (?, ?))", Boolean.class, afterArgs.toArray()));
      }
      features = features.subList(0, end);
      next = more ? last : null;
    }
    return new Page(features, next);
  }

  private static GeoJsonFeature feature(ResultSet rs) throws SQLException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("source", rs.getString("source"));
    p.put("sourceId", rs.getString("source_id"));
    p.put("kind", rs.getString("kind"));
    p.put("severity", rs.getInt("severity"));
    p.put("observedAt", rs.getTimestamp("observed_at").toInstant().toString());
    p.put("receivedAt", rs.getTimestamp("received_at").toInstant().toString());
    p.put("attrs", GeoJsonSql.props(rs.getString("attrs")));
    return new GeoJsonFeature(rs.getString("event_id"), rs.getString("geojson"), p);
  }
}
