package org.safegrid.gisdata.boundary;

import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * One feature as read from a boundary file: its position in the file, geometry and attributes.
 *
 * @param index      0-based position in the file
 * @param geometry   geometry in the coordinate system of the layer it belongs to; null if the feature has none
 * @param properties attributes, values as read (String, Number, Boolean or null)
 */
public record SourceFeature(int index, Geometry geometry, Map<String, Object> properties) {

  public SourceFeature withGeometry(Geometry g) {
    return new SourceFeature(index, g, properties);
  }
}
