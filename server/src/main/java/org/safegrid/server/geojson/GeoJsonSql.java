package org.safegrid.server.geojson;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where geometry becomes GeoJSON: SQL fragments for PostGIS and the row mapping
 * into {@link GeoJsonFeature}.
 */
public final class GeoJsonSql {

  /**
   * SQL expression turning column {@code geom} into RFC 7946 geometry text: exterior rings
   * counter-clockwise (right-hand rule), 7 decimals (~1 cm).
   */
  public static final String GEOMETRY = "ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7)";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

  private GeoJsonSql() {
  }

  /**
   * Maps a row with columns {@code id}, {@code geojson} (from {@link #GEOMETRY}) and {@code props}
   * (a jsonb object) to a feature.
   */
  public static GeoJsonFeature feature(ResultSet rs) throws SQLException {
    return new GeoJsonFeature(rs.getObject("id"), rs.getString("geojson"), props(rs.getString("props")));
  }

  /** Parses a JSON object column; null gives an empty map. */
  public static Map<String, Object> props(String json) {
    if (json == null) {
      return new LinkedHashMap<>();
    }
    try {
      return JSON.readValue(json, MAP);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("bad jsonb from database", e);
    }
  }
}
