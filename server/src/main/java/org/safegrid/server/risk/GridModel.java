package org.safegrid.server.risk;

import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;
import org.safegrid.server.hotspot.LocalMetricProjection;

/**
 * The cells of one grid set in memory: attributes, WGS84 geometries, metric centroids and a
 * point-in-cell index (STRtree of envelopes, then a {@link PreparedGeometry} covers test).
 *
 * <p>Cell index i (0..n-1) is the position in {@link #cells()}; every per-cell array of the
 * engine uses it. Immutable after construction; {@link #locate} is thread-safe.
 */
public final class GridModel {

  /** One cell of the grid set. */
  public record Cell(int cellId, String code, String name, String districtCode, String townCode, String townName,
                     double areaM2, Geometry geometry) {}

  private static final GeometryFactory GF = new GeometryFactory(new PrecisionModel(), 4326);

  private final long gridSetId;
  private final List<Cell> cells;
  private final PreparedGeometry[] prepared;
  private final STRtree index = new STRtree();
  private final double[] centroidLon;
  private final double[] centroidLat;
  private final double[] x;
  private final double[] y;
  private final double totalAreaM2;

  public GridModel(long gridSetId, List<Cell> cells) {
    this.gridSetId = gridSetId;
    this.cells = List.copyOf(cells);
    int n = cells.size();
    prepared = new PreparedGeometry[n];
    centroidLon = new double[n];
    centroidLat = new double[n];
    double area = 0;
    for (int i = 0; i < n; i++) {
      Geometry g = cells.get(i).geometry();
      prepared[i] = PreparedGeometryFactory.prepare(g);
      index.insert(g.getEnvelopeInternal(), i);
      Point c = g.getInteriorPoint();
      Point cen = g.getCentroid();
      // centroid unless it falls outside an odd-shaped cell
      Point use = g.covers(cen) ? cen : c;
      centroidLon[i] = use.getX();
      centroidLat[i] = use.getY();
      area += cells.get(i).areaM2();
    }
    index.build();
    LocalMetricProjection proj = LocalMetricProjection.around(centroidLat);
    double[][] xy = proj.project(centroidLon, centroidLat);
    x = xy[0];
    y = xy[1];
    totalAreaM2 = area;
  }

  public long gridSetId() {
    return gridSetId;
  }

  public int size() {
    return cells.size();
  }

  public List<Cell> cells() {
    return cells;
  }

  public Cell cell(int i) {
    return cells.get(i);
  }

  public double totalAreaM2() {
    return totalAreaM2;
  }

  /** Metric x of cell centres (local equirectangular projection). */
  public double[] centreX() {
    return x;
  }

  /** Metric y of cell centres. */
  public double[] centreY() {
    return y;
  }

  public double centroidLon(int i) {
    return centroidLon[i];
  }

  public double centroidLat(int i) {
    return centroidLat[i];
  }

  /** The index of the cell covering the point, or −1 if none does (lowest index wins on a shared border). */
  public int locate(double lon, double lat) {
    List<?> hits = index.query(new Envelope(lon, lon, lat, lat));
    if (hits.isEmpty()) {
      return -1;
    }
    Point p = GF.createPoint(new Coordinate(lon, lat));
    int best = -1;
    for (Object o : hits) {
      int i = (Integer) o;
      if ((best < 0 || i < best) && prepared[i].covers(p)) {
        best = i;
      }
    }
    return best;
  }

  /** The cell geometries in index order. */
  public List<Geometry> geometries() {
    return cells.stream().map(Cell::geometry).toList();
  }
}
