package org.safegrid.server.live;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Cuts the live coastline into 1 km segments and counts the events of the last 24 hours within
 * 500 m of each (position pings left out): the coastal zone's segment risk as the map shows it.
 */
@Service
public class CoastEventDensityService {

  private static final String SQL = """
      WITH parts AS (
        SELECT f.id, (ST_Dump(ST_LineMerge(f.geom))).geom AS g
        FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version
        WHERE f.layer = 'coastline' AND ST_Dimension(f.geom) = 1),
      measured AS (SELECT id, row_number() OVER () AS part, g, ST_Length(g::geography) AS len FROM parts
                   WHERE GeometryType(g) = 'LINESTRING'),
      seg AS (
        SELECT id, part, n, ST_LineSubstring(g, n * 1000.0 / len, least(1.0, (n + 1) * 1000.0 / len)) AS g
        FROM measured, generate_series(0, ceil(len / 1000.0)::int - 1) AS n WHERE len > 0)
      SELECT s.id || '-' || s.part || '-' || s.n AS segment, ST_AsGeoJSON(s.g, 6) AS geojson,
             ST_Length(s.g::geography) AS len, count(e.event_id) AS n
      FROM seg s LEFT JOIN event e
        ON e.geom && ST_Expand(s.g, 0.006) AND ST_DWithin(e.geom::geography, s.g::geography, 500)
       AND e.observed_at > now() - interval '24 hours' AND e.kind <> 'position'
      GROUP BY s.id, s.part, s.n, s.g ORDER BY 1""";

  /** Segment counts change slowly; one computation serves every map for this long. */
  private static final long CACHE_MILLIS = 60_000;

  private final JdbcTemplate jdbc;
  private volatile GeoJsonFeatureCollection cached;
  private volatile long cachedAt;

  public CoastEventDensityService(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The coastline's 1 km segments with {@code events24h}, {@code perKm} and {@code lengthM}, at
   * most a minute old.
   */
  public GeoJsonFeatureCollection listSegments() {
    GeoJsonFeatureCollection c = cached;
    if (c != null && System.currentTimeMillis() - cachedAt < CACHE_MILLIS) {
      return c;
    }
    synchronized (this) {
      if (cached != null && System.currentTimeMillis() - cachedAt < CACHE_MILLIS) {
        return cached;
      }
      cached = compute();
      cachedAt = System.currentTimeMillis();
      return cached;
    }
  }

  private GeoJsonFeatureCollection compute() {
    List<GeoJsonFeature> features = jdbc.query(SQL, (rs, i) -> {
      Map<String, Object> props = new LinkedHashMap<>();
      double len = rs.getDouble("len");
      long n = rs.getLong("n");
      props.put("segment", rs.getString("segment"));
      props.put("events24h", n);
      props.put("lengthM", Math.round(len));
      props.put("perKm", len > 0 ? Math.round(n / (len / 1000.0) * 100) / 100.0 : 0.0);
      return new GeoJsonFeature(rs.getString("segment"), rs.getString("geojson"), props);
    });
    return new GeoJsonFeatureCollection(features);
  }
}
