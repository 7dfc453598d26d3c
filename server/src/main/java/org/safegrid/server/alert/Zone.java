package org.safegrid.server.alert;

import org.locationtech.jts.operation.distance.IndexedFacetDistance;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * A geofence area in WGS84 (e.g. the coastal zone, the districts), prepared for fast
 * point-in-polygon tests and for the distance of a point to its boundary. Immutable and
 * thread-safe once built.
 */
public final class Zone {

  private static final GeometryFactory GEOMETRY = new GeometryFactory(new PrecisionModel(), 4326);
  private static final double METERS_PER_DEGREE = 111_320.0;

  private final String name;
  private final PreparedGeometry area;
  private final IndexedFacetDistance boundary;

  public Zone(String name, Geometry area) {
    this.name = name;
    this.area = PreparedGeometryFactory.prepare(area);
    this.boundary = new IndexedFacetDistance(area.getBoundary());
  }

  public String name() {
    return name;
  }

  /** Whether the point lies inside (or on the edge of) the area. */
  public boolean contains(double lon, double lat) {
    return area.intersects(point(lon, lat));
  }

  /**
   * Distance in metres from the point to the area's boundary, approximated locally (degrees scaled
   * by the cosine of the latitude); accurate to well under a metre at the tens-of-metres scale of
   * hysteresis bands.
   */
  public double boundaryDistanceMeters(double lon, double lat) {
    double[] dxdy = new double[2];
    Coordinate[] nearest = boundary.nearestPoints(point(lon, lat));
    dxdy[0] = (nearest[0].x - lon) * Math.cos(Math.toRadians(lat));
    dxdy[1] = nearest[0].y - lat;
    return Math.hypot(dxdy[0], dxdy[1]) * METERS_PER_DEGREE;
  }

  private static Point point(double lon, double lat) {
    return GEOMETRY.createPoint(new Coordinate(lon, lat));
  }
}
