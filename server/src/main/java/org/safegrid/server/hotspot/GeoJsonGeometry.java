package org.safegrid.server.hotspot;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.geojson.GeoJsonWriter;

/** Writes JTS geometries as RFC 7946 GeoJSON geometry text (no CRS member, 7 decimals). */
public final class GeoJsonGeometry {

  private GeoJsonGeometry() {}

  public static String write(Geometry g) {
    if (g == null) {
      return null;
    }
    GeoJsonWriter w = new GeoJsonWriter(7);
    w.setEncodeCRS(false);
    w.setForceCCW(true);
    return w.write(g);
  }
}
