package org.safegrid.server.security;

import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;

/**
 * The part of the city one request or stream may see: the whole city, or one district with its
 * area (the district's polygon from the live {@code districts} overlay layer, prepared for fast
 * point-in-polygon). Made by {@link ScopeFilter}; immutable and thread-safe.
 *
 * <p>The rules: a point (event, alert, patrol unit, device) is in the district when it intersects
 * the polygon; a grid cell (and so risk, hotspots, emerging hot spots, exports) by its
 * {@code district_code}; any other geometry (coast segments) when it intersects the polygon. A
 * district without a polygon in the live layer contains nothing: the scope fails closed.
 */
public final class DataScope {

  /** The whole city: everything is allowed. */
  public static final DataScope CITY = new DataScope(null, null);

  private static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);

  private final String districtCode;
  private final PreparedGeometry area;

  private DataScope(String districtCode, PreparedGeometry area) {
    this.districtCode = districtCode;
    this.area = area;
  }

  /** The scope of one district; {@code area} null when the district has no polygon (then nothing is inside). */
  static DataScope district(String districtCode, Geometry area) {
    if (districtCode == null) {
      throw new IllegalArgumentException("a district scope needs a district code");
    }
    return new DataScope(districtCode, area == null || area.isEmpty() ? null : PreparedGeometryFactory.prepare(area));
  }

  /** Whether this is the whole city. */
  public boolean isCity() {
    return districtCode == null;
  }

  /** The district code, or null for the whole city. */
  public String districtCodeOrNull() {
    return districtCode;
  }

  /** Whether rows of a grid cell / feature with this district code are visible. */
  public boolean allowsDistrict(String code) {
    return districtCode == null || districtCode.equals(code);
  }

  /** Whether a point (WGS84) is visible. */
  public boolean contains(double lon, double lat) {
    if (districtCode == null) {
      return true;
    }
    return area != null && area.intersects(WGS84.createPoint(new Coordinate(lon, lat)));
  }

  /** Whether a geometry (WGS84) is visible: it intersects the district. */
  public boolean intersects(Geometry g) {
    if (districtCode == null) {
      return true;
    }
    return g != null && area != null && area.intersects(g);
  }

  /** Whether a GeoJSON geometry text is visible; a feature without geometry is visible only city-wide. */
  public boolean allowsGeoJson(String geometryText) {
    if (districtCode == null) {
      return true;
    }
    if (geometryText == null || area == null) {
      return false;
    }
    try {
      return area.intersects(new GeoJsonReader(WGS84).read(geometryText));
    } catch (ParseException e) {
      throw new IllegalStateException("a feature's GeoJSON geometry did not parse", e);
    }
  }

  /** The features of a collection whose geometry is visible (the collection itself when city-wide). */
  public GeoJsonFeatureCollection filter(GeoJsonFeatureCollection fc) {
    if (districtCode == null) {
      return fc;
    }
    List<GeoJsonFeature> kept = fc.features().stream().filter(f -> allowsGeoJson(f.geometry())).toList();
    return new GeoJsonFeatureCollection(kept, fc.meta());
  }

  /** The district's bounding box, or null when city-wide or the district has no polygon. */
  public Envelope envelopeOrNull() {
    return area == null ? null : area.getGeometry().getEnvelopeInternal();
  }

  @Override
  public String toString() {
    return districtCode == null ? "city" : "district " + districtCode;
  }
}
