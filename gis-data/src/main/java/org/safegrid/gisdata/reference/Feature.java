package org.safegrid.gisdata.reference;

import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * One feature of a reference layer: a geometry in WGS84 (lon/lat) with its identity.
 *
 * @param code         stable code (district adcode, campus id, grid code ...)
 * @param name         display name, may be null
 * @param kind         sub-type within the layer (e.g. {@code primary} for a campus), may be null
 * @param districtCode adcode of the district it lies in, may be null
 * @param geometry     WGS84 geometry, x = longitude, y = latitude
 * @param props        further properties (immutable)
 */
public record Feature(String code, String name, String kind, String districtCode, Geometry geometry,
                      Map<String, Object> props) {

  public Feature {
    props = props == null ? Map.of() : Map.copyOf(props);
  }
}
