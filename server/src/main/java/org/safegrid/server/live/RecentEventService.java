package org.safegrid.server.live;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Reads stored events for the map: the recent history on first load, what a reconnecting stream
 * missed (by commit time) and a past time window for replay (by observation time).
 */
@Service
public class RecentEventService {

  /** Which timestamp a time range applies to. */
  public enum TimeField { RECEIVED, OBSERVED }

  private static final String COLUMNS = "SELECT event_id, source, source_id, kind, severity, observed_at, received_at, "
      + "ST_X(geom), ST_Y(geom) FROM event ";

  private final JdbcTemplate jdbc;

  public RecentEventService(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Events whose {@code field} lies in {@code (from, to]}, oldest first, at most {@code limit}; when
   * more match, the newest {@code limit} are kept for observation-time windows (what a map shows
   * last) and the oldest for commit-time catch-up (so a client can page on from the watermark).
   */
  public EventColumns findEvents(TimeField field, Instant from, Instant to, int limit) {
    return findEvents(field, from, to, limit, DataScope.CITY);
  }

  /** The same, only events inside the scope. */
  public EventColumns findEvents(TimeField field, Instant from, Instant to, int limit, DataScope scope) {
    return findEvents(field, from, to, limit, scope, true);
  }

  /**
   * The same; without patrol position pings when {@code positions} is false (the map draws events
   * from this answer and moves its patrol units from {@code /api/patrol/positions}: an hour of pings
   * is most of the answer's bytes and none of what it draws).
   */
  public EventColumns findEvents(TimeField field, Instant from, Instant to, int limit, DataScope scope,
                                 boolean positions) {
    String column = field == TimeField.RECEIVED ? "received_at" : "observed_at";
    String order = field == TimeField.RECEIVED ? "ASC" : "DESC";
    // observed_at is the partition key: a range on it prunes partitions; received_at ranges also
    // bound observed_at loosely (events are not stored more than a day late) for the same reason
    String sql = COLUMNS + "WHERE " + column + " > ? AND " + column + " <= ?"
        + (field == TimeField.RECEIVED ? " AND observed_at > ?::timestamptz - interval '1 day'" : "")
        + (scope.isCity() ? "" : " AND " + ScopeFilter.inDistrictSql("geom"))
        + (positions ? "" : " AND NOT (source = 'patrol' AND kind = 'position')")
        + " ORDER BY " + column + " " + order + " LIMIT ?";
    List<LiveEvent> rows = new ArrayList<>();
    List<Object> argList = new ArrayList<>(List.of(Timestamp.from(from), Timestamp.from(to)));
    if (field == TimeField.RECEIVED) {
      argList.add(Timestamp.from(from));
    }
    if (!scope.isCity()) {
      argList.add(scope.districtCodeOrNull());
    }
    argList.add(limit + 1);
    Object[] args = argList.toArray();
    jdbc.query(sql, rs -> {
      rows.add(new LiveEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
          rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant(), rs.getDouble(8), rs.getDouble(9), null));
    }, args);
    boolean truncated = rows.size() > limit;
    if (truncated) {
      rows.remove(rows.size() - 1);
    }
    if (field == TimeField.OBSERVED) {
      java.util.Collections.reverse(rows);
    }
    return EventColumns.of(rows, field == TimeField.RECEIVED ? from.toEpochMilli() : 0L, truncated);
  }

  /** How many events each source sent since {@code from}, by observation time. */
  public java.util.Map<String, Long> countBySource(Instant from) {
    return countBySource(from, DataScope.CITY);
  }

  /** How many events each source sent since {@code from} inside the scope, by observation time. */
  public java.util.Map<String, Long> countBySource(Instant from, DataScope scope) {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    out.put("camera", 0L);
    out.put("checkpoint", 0L);
    out.put("patrol", 0L);
    out.put("incident", 0L);
    String sql = "SELECT source, count(*) FROM event WHERE observed_at > ? AND observed_at <= now() + interval '1 minute' "
        + (scope.isCity() ? "" : "AND " + ScopeFilter.inDistrictSql("geom") + " ") + "GROUP BY source";
    Object[] args = scope.isCity() ? new Object[] {Timestamp.from(from)}
        : new Object[] {Timestamp.from(from), scope.districtCodeOrNull()};
    jdbc.query(sql, rs -> {
          out.put(rs.getString(1), rs.getLong(2));
        }, args);
    return out;
  }

  /**
   * Hourly event counts per source inside one cell of the active grid set over the last
   * {@code hours} hours, position pings left out (they say where patrols are, not what happened).
   *
   * @return hour starts (epoch ms) and, per source, one count per hour
   */
  public CellHistory cellHistory(String cellCode, int hours) {
    return cellHistory(cellCode, hours, DataScope.CITY);
  }

  /** The same; a cell of another district than the scope's is "not found". */
  public CellHistory cellHistory(String cellCode, int hours, DataScope scope) {
    Instant end = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(java.time.Duration.ofHours(1));
    Instant start = end.minus(java.time.Duration.ofHours(hours));
    long[] hourStarts = new long[hours];
    for (int i = 0; i < hours; i++) {
      hourStarts[i] = start.plus(java.time.Duration.ofHours(i)).toEpochMilli();
    }
    java.util.Map<String, long[]> counts = new java.util.LinkedHashMap<>();
    for (String s : new String[] {"camera", "checkpoint", "patrol", "incident"}) {
      counts.put(s, new long[hours]);
    }
    String district = jdbc.query("SELECT coalesce(c.district_code, '') FROM grid_cell c "
        + "JOIN grid_set s ON s.id = c.grid_set_id AND s.status = 'active' "
        + "WHERE c.code = ?", rs -> rs.next() ? rs.getString(1) : null, cellCode);
    if (district == null || !scope.allowsDistrict(district)) {
      throw new java.util.NoSuchElementException("no cell '" + cellCode + "' in the active grid set");
    }
    jdbc.query("""
        SELECT e.source, floor(extract(epoch FROM e.observed_at - ?) / 3600)::int AS h, count(*)
        FROM event e JOIN grid_cell c ON ST_Intersects(c.geom, e.geom)
        JOIN grid_set s ON s.id = c.grid_set_id AND s.status = 'active'
        WHERE c.code = ? AND e.observed_at >= ? AND e.observed_at < ? AND e.kind <> 'position'
        GROUP BY 1, 2""", rs -> {
          long[] row = counts.get(rs.getString(1));
          int h = rs.getInt(2);
          if (row != null && h >= 0 && h < hours) {
            row[h] = rs.getLong(3);
          }
        }, Timestamp.from(start), cellCode, Timestamp.from(start), Timestamp.from(end));
    return new CellHistory(cellCode, hourStarts, counts);
  }

  /**
   * Hourly counts for one cell.
   *
   * @param code       cell code
   * @param hourStarts start of each hour (epoch ms)
   * @param counts     per source, one count per hour
   */
  public record CellHistory(String code, long[] hourStarts, java.util.Map<String, long[]> counts) {
  }
}
