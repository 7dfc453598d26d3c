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
public class CoastSegmentService {

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
             ST_Length(s.g::geography) AS len,
             (SELECT count(*) FROM event e
              WHERE e.observed_at > now() - interval '24 hours' AND e.kind <> 'position'
                AND e.geom && ST_Expand(s.g, 0.006)
                AND ST_DWithin(e.geom::geography, s.g::geography, 500)) AS n
      FROM seg s ORDER BY 1""";

  private final JdbcTemplate jdbc;

  public CoastSegmentService(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The coastline's 1 km segments with {@code events24h}, {@code perKm} and {@code lengthM}. */
  public GeoJsonFeatureCollection listSegments() {
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
