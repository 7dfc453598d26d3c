package org.safegrid.server.geojson;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.Map;

/**
 * One RFC 7946 Feature as it leaves the server. The geometry is GeoJSON text produced by PostGIS
 * ({@link GeoJsonSql#GEOMETRY}), so no JTS type reaches the API.
 *
 * @param id         feature id
 * @param geometry   GeoJSON geometry text (WGS84, right-hand rule), or null
 * @param properties feature properties
 */
@JsonPropertyOrder({"type", "id", "geometry", "properties"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GeoJsonFeature(Object id, @JsonRawValue String geometry, Map<String, Object> properties) {

  @JsonProperty("type")
  public String type() {
    return "Feature";
  }
}
