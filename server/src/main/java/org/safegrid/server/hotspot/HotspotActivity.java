package org.safegrid.server.hotspot;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.io.WKTWriter;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * What a planner asks of a hotspot beside its statistics: did its events rise or fall against the
 * window before, and when did a patrol last pass through it. Counted in PostGIS over the hotspot's
 * polygon; patrol position pings are coverage, not events.
 */
@Service
public class HotspotActivity {

  /** Hotspots looked up per answer: the list shows the top ones, a long tail is not worth the queries. */
  static final int MAX_HOTSPOTS = 50;
  /** How far back a last patrol is looked for. */
  static final Duration PATROL_LOOKBACK = Duration.ofDays(7);

  /** Events in the window and in the window of equal length before it, the newest patrol ping inside. */
  public record Activity(long events, long eventsBefore, Instant lastPatrolAt) {

    /** {@code up}, {@code down} or {@code flat}: a change of at least a quarter and at least 3 events. */
    public String trend() {
      long diff = events - eventsBefore;
      if (Math.abs(diff) < 3 || Math.abs(diff) < 0.25 * Math.max(events, eventsBefore)) {
        return "flat";
      }
      return diff > 0 ? "up" : "down";
    }
  }

  private static final String SQL = """
      WITH h AS (SELECT ST_GeomFromText(?, 4326) AS g)
      SELECT (SELECT count(*) FROM event e WHERE e.geom && h.g AND ST_Intersects(e.geom, h.g)
                AND e.observed_at >= ? AND e.observed_at < ? AND NOT (e.source = 'patrol' AND e.kind = 'position')),
             (SELECT count(*) FROM event e WHERE e.geom && h.g AND ST_Intersects(e.geom, h.g)
                AND e.observed_at >= ? AND e.observed_at < ? AND NOT (e.source = 'patrol' AND e.kind = 'position')),
             (SELECT max(e.observed_at) FROM event e WHERE e.source = 'patrol' AND e.kind = 'position'
                AND e.geom && h.g AND ST_Intersects(e.geom, h.g) AND e.observed_at >= ? AND e.observed_at <= ?)
      FROM h
      """;

  private final JdbcTemplate jdbc;

  HotspotActivity(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Activity of the first {@link #MAX_HOTSPOTS} hotspots by rank, for the window {@code [from, to)}. */
  public Map<Integer, Activity> find(List<Hotspot> hotspots, Instant from, Instant to) {
    Duration len = Duration.between(from, to);
    Timestamp f = Timestamp.from(from);
    Timestamp t = Timestamp.from(to);
    Timestamp before = Timestamp.from(from.minus(len));
    Timestamp lookback = Timestamp.from(to.minus(PATROL_LOOKBACK));
    WKTWriter wkt = new WKTWriter();
    Map<Integer, Activity> out = new LinkedHashMap<>();
    hotspots.stream().limit(MAX_HOTSPOTS).forEach(h -> out.put(h.rank(), jdbc.queryForObject(SQL, (rs, i) -> {
      Timestamp last = rs.getTimestamp(3);
      return new Activity(rs.getLong(1), rs.getLong(2), last == null ? null : last.toInstant());
    }, wkt.write(h.geometry()), f, t, before, f, lookback, t)));
    return out;
  }
}
