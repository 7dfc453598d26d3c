package org.safegrid.server.live;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Finds silent feeds: cameras and checkpoints of the overlay layers with no event within
 * {@code safegrid.live.silent-after}, and patrol units whose latest position is older than that.
 *
 * <p>Keeps the last time each device was heard in memory, fed by the {@link EventTail} and seeded
 * once from the last {@code silent-after} of events, so a request never scans the event history.
 * Thread-safe.
 */
@Service
public class FeedHealthService implements LiveEventListener {

  private static final String DEVICES = """
      SELECT f.code, CASE f.layer WHEN 'cameras' THEN 'camera' ELSE 'checkpoint' END AS source, f.name,
             ST_AsGeoJSON(ST_PointOnSurface(f.geom), 6) AS geojson
      FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version
      WHERE f.layer IN ('cameras', 'checkpoints') ORDER BY 2, 1""";

  private static final String STALE_UNITS = """
      SELECT unit_id, ST_AsGeoJSON(geom, 6) AS geojson, observed_at FROM patrol_position
      WHERE observed_at <= now() - make_interval(secs => ?) ORDER BY unit_id""";

  private final JdbcTemplate jdbc;
  private final LiveProperties properties;
  private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
  private volatile boolean seeded;

  public FeedHealthService(JdbcTemplate jdbc, LiveProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  @Override
  public void onEvents(List<LiveEvent> batch) {
    for (LiveEvent e : batch) {
      if (!"patrol".equals(e.source())) {
        lastSeen.merge(e.sourceId(), e.observedAt(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
  }

  private void seed() {
    if (seeded) {
      return;
    }
    synchronized (this) {
      if (!seeded) {
        jdbc.query("SELECT source_id, max(observed_at) FROM event WHERE observed_at > now() - make_interval(secs => ?) "
            + "AND source IN ('camera', 'checkpoint') GROUP BY source_id", rs -> {
              lastSeen.merge(rs.getString(1), rs.getTimestamp(2).toInstant(), (a, b) -> a.isAfter(b) ? a : b);
            }, properties.silentAfter().toSeconds());
        seeded = true;
      }
    }
  }

  /** Silent feeds as points with {@code source}, {@code code} and {@code lastSeen} when known. */
  public GeoJsonFeatureCollection listSilent() {
    seed();
    Instant horizon = Instant.now().minus(properties.silentAfter());
    List<GeoJsonFeature> features = new java.util.ArrayList<>();
    jdbc.query(DEVICES, rs -> {
      String code = rs.getString(1);
      Instant seen = lastSeen.get(code);
      if (seen == null || seen.isBefore(horizon)) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("code", code);
        props.put("source", rs.getString(2));
        props.put("name", rs.getString(3));
        props.put("lastSeen", seen == null ? null : seen.toString());
        features.add(new GeoJsonFeature(rs.getString(2) + ":" + code, rs.getString(4), props));
      }
    });
    jdbc.query(STALE_UNITS, rs -> {
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("code", rs.getString(1));
      props.put("source", "patrol");
      Timestamp t = rs.getTimestamp(3);
      props.put("lastSeen", t.toInstant().toString());
      features.add(new GeoJsonFeature("patrol:" + rs.getString(1), rs.getString(2), props));
    }, properties.silentAfter().toSeconds());
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("silentAfterSeconds", properties.silentAfter().toSeconds());
    return new GeoJsonFeatureCollection(features, meta);
  }
}
