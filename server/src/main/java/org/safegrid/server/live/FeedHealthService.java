package org.safegrid.server.live;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Finds silent feeds: cameras and checkpoints of the overlay layers with no event within
 * {@code safegrid.live.silent-after}, and patrol units whose latest position is older than that.
 */
@Service
public class FeedHealthService {

  private static final String SQL = """
      WITH recent AS (
        SELECT source_id, max(observed_at) AS last_seen FROM event
        WHERE observed_at > now() - make_interval(secs => ?) AND source IN ('camera', 'checkpoint')
        GROUP BY source_id),
      ever AS (
        SELECT source_id, max(observed_at) AS last_seen FROM event
        WHERE observed_at > now() - interval '7 days' AND source IN ('camera', 'checkpoint')
        GROUP BY source_id)
      SELECT f.code AS id, CASE f.layer WHEN 'cameras' THEN 'camera' ELSE 'checkpoint' END AS source,
             f.name, ST_AsGeoJSON(ST_PointOnSurface(f.geom), 6) AS geojson, e.last_seen
      FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version
      LEFT JOIN recent r ON r.source_id = f.code
      LEFT JOIN ever e ON e.source_id = f.code
      WHERE f.layer IN ('cameras', 'checkpoints') AND r.source_id IS NULL
      UNION ALL
      SELECT unit_id, 'patrol', NULL, ST_AsGeoJSON(geom, 6), observed_at FROM patrol_position
      WHERE observed_at <= now() - make_interval(secs => ?)
      ORDER BY 2, 1""";

  private final JdbcTemplate jdbc;
  private final LiveProperties properties;

  public FeedHealthService(JdbcTemplate jdbc, LiveProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /** Silent feeds as points with {@code source}, {@code lastSeen} (absent if not seen for a week). */
  public GeoJsonFeatureCollection listSilent() {
    long secs = properties.silentAfter().toSeconds();
    List<GeoJsonFeature> features = jdbc.query(SQL, (rs, n) -> {
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("code", rs.getString("id"));
      props.put("source", rs.getString("source"));
      props.put("name", rs.getString("name"));
      java.sql.Timestamp last = rs.getTimestamp("last_seen");
      props.put("lastSeen", last == null ? null : last.toInstant().toString());
      return new GeoJsonFeature(rs.getString("source") + ":" + rs.getString("id"), rs.getString("geojson"), props);
    }, secs, secs);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("silentAfterSeconds", secs);
    return new GeoJsonFeatureCollection(features, meta);
  }
}
