package org.safegrid.server.geojson;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * An RFC 7946 FeatureCollection, with optional foreign members (e.g. {@code synthetic}, {@code links}).
 *
 * @param features the features
 * @param meta     foreign members written beside {@code features}; may be empty
 */
@JsonPropertyOrder({"type", "features"})
public record GeoJsonFeatureCollection(List<GeoJsonFeature> features, @JsonIgnore Map<String, Object> meta) {

  public GeoJsonFeatureCollection(List<GeoJsonFeature> features) {
    this(features, Map.of());
  }

  @JsonProperty("type")
  public String type() {
    return "FeatureCollection";
  }

  @JsonAnyGetter
  Map<String, Object> foreignMembers() {
    return meta;
  }
}
