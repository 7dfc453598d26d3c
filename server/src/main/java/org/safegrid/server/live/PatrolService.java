package org.safegrid.server.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Answers where the patrol units are: the latest position per unit from {@code patrol_position},
 * with a trail built from the unit's recent {@code position} events.
 */
@Service
public class PatrolService {

  private static final String SQL = """
      WITH trail AS (
        SELECT unit_id, ST_MakeLine(geom ORDER BY observed_at) AS line, count(*) AS n
        FROM (SELECT coalesce(attrs->>'unitId', source_id) AS unit_id, observed_at, geom,
                     row_number() OVER (PARTITION BY coalesce(attrs->>'unitId', source_id) ORDER BY observed_at DESC) AS rn
              FROM event
              WHERE source = 'patrol' AND kind = 'position' AND observed_at > now() - make_interval(secs => ?)) r
        WHERE rn <= ?
        GROUP BY unit_id)
      SELECT p.unit_id AS id, ST_AsGeoJSON(p.geom, 6) AS geojson, p.observed_at, p.speed_kmh, p.heading_deg, p.status,
             CASE WHEN t.n > 1 THEN ST_AsGeoJSON(t.line, 6) END AS trail
      FROM patrol_position p LEFT JOIN trail t ON t.unit_id = p.unit_id
      WHERE %s
      ORDER BY p.unit_id""";

  private final JdbcTemplate jdbc;
  private final LiveProperties properties;

  public PatrolService(JdbcTemplate jdbc, LiveProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /** Every unit's latest position; property {@code trail} is a GeoJSON LineString or absent. */
  public GeoJsonFeatureCollection listPositions() {
    return listPositions(DataScope.CITY);
  }

  /** The units whose latest position lies inside the scope. */
  public GeoJsonFeatureCollection listPositions(DataScope scope) {
    List<Object> args = new ArrayList<>(List.of(properties.trailWindow().toSeconds(), properties.trailLength()));
    if (!scope.isCity()) {
      args.add(scope.districtCodeOrNull());
    }
    String sql = SQL.formatted(scope.isCity() ? "true" : ScopeFilter.inDistrictSql("p.geom"));
    List<GeoJsonFeature> features = jdbc.query(sql, (rs, n) -> {
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("unitId", rs.getString("id"));
      props.put("observedAt", rs.getTimestamp("observed_at").toInstant().toString());
      props.put("speedKmh", rs.getObject("speed_kmh"));
      props.put("headingDeg", rs.getObject("heading_deg"));
      props.put("status", rs.getString("status"));
      String trail = rs.getString("trail");
      if (trail != null) {
        props.put("trail", GeoJsonSql.props(trail));
      }
      return new GeoJsonFeature(rs.getString("id"), rs.getString("geojson"), props);
    }, args.toArray());
    return new GeoJsonFeatureCollection(features);
  }
}
