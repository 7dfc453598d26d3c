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
import org.safegrid.server.hotspot.LocalMetricProjection;

/**
 * The cells of one grid set in memory: attributes, WGS84 geometries, metric centroids and a
 * point-in-cell index: a uniform bucket grid of cell envelopes (about one bucket per cell), then an
 * envelope test, exact for axis-aligned rectangular cells, else a {@link PreparedGeometry} covers
 * test. Measured against a JTS STRtree query + covers: see {@code EngineBenchmark}.
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
  private final double[] eMinX;
  private final double[] eMinY;
  private final double[] eMaxX;
  private final double[] eMaxY;
  private final boolean[] rectangle;
  private final double bMinX;
  private final double bMinY;
  private final double bSize;
  private final int bNx;
  private final int bNy;
  private final int[] bStart;
  private final int[] bCells;
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
    eMinX = new double[n];
    eMinY = new double[n];
    eMaxX = new double[n];
    eMaxY = new double[n];
    rectangle = new boolean[n];
    Envelope all = new Envelope();
    double area = 0;
    for (int i = 0; i < n; i++) {
      Geometry g = cells.get(i).geometry();
      prepared[i] = PreparedGeometryFactory.prepare(g);
      Envelope e = g.getEnvelopeInternal();
      eMinX[i] = e.getMinX();
      eMinY[i] = e.getMinY();
      eMaxX[i] = e.getMaxX();
      eMaxY[i] = e.getMaxY();
      all.expandToInclude(e);
      // an axis-aligned rectangle covers exactly its envelope: no polygon test needed
      rectangle[i] = g.getNumGeometries() == 1 && g.getGeometryN(0).isRectangle();
      Point c = g.getInteriorPoint();
      Point cen = g.getCentroid();
      // centroid unless it falls outside an odd-shaped cell
      Point use = g.covers(cen) ? cen : c;
      centroidLon[i] = use.getX();
      centroidLat[i] = use.getY();
      area += cells.get(i).areaM2();
    }
    // uniform bucket index over the grid's extent, about one bucket per cell
    double size = n == 0 ? 1 : Math.sqrt(Math.max(all.getArea(), 1e-18) / n);
    if (!(size > 0)) {
      size = 1e-6;
    }
    bMinX = n == 0 ? 0 : all.getMinX();
    bMinY = n == 0 ? 0 : all.getMinY();
    double w = n == 0 ? 0 : all.getWidth();
    double h = n == 0 ? 0 : all.getHeight();
    bSize = Math.max(size, Math.max(w, h) / 4096);
    bNx = (int) Math.floor(w / bSize) + 1;
    bNy = (int) Math.floor(h / bSize) + 1;
    int buckets = bNx * bNy;
    bStart = new int[buckets + 1];
    for (int i = 0; i < n; i++) {
      for (int bx = bx(eMinX[i]); bx <= bx(eMaxX[i]); bx++) {
        for (int by = by(eMinY[i]); by <= by(eMaxY[i]); by++) {
          bStart[bx * bNy + by + 1]++;
        }
      }
    }
    for (int b = 0; b < buckets; b++) {
      bStart[b + 1] += bStart[b];
    }
    bCells = new int[bStart[buckets]];
    int[] fill = java.util.Arrays.copyOf(bStart, buckets);
    for (int i = 0; i < n; i++) {
      for (int bx = bx(eMinX[i]); bx <= bx(eMaxX[i]); bx++) {
        for (int by = by(eMinY[i]); by <= by(eMaxY[i]); by++) {
          bCells[fill[bx * bNy + by]++] = i;
        }
      }
    }
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
    if (lon < bMinX || lat < bMinY) {
      return -1;
    }
    int bx = (int) ((lon - bMinX) / bSize);
    int by = (int) ((lat - bMinY) / bSize);
    if (bx >= bNx || by >= bNy) {
      return -1;
    }
    int b = bx * bNy + by;
    Point p = null;
    // candidates are in ascending cell index, so the first hit is the lowest index
    for (int k = bStart[b]; k < bStart[b + 1]; k++) {
      int i = bCells[k];
      if (lon < eMinX[i] || lon > eMaxX[i] || lat < eMinY[i] || lat > eMaxY[i]) {
        continue;
      }
      if (rectangle[i]) {
        return i;
      }
      if (p == null) {
        p = GF.createPoint(new Coordinate(lon, lat));
      }
      if (prepared[i].covers(p)) {
        return i;
      }
    }
    return -1;
  }

  private int bx(double lon) {
    return Math.min(bNx - 1, Math.max(0, (int) ((lon - bMinX) / bSize)));
  }

  private int by(double lat) {
    return Math.min(bNy - 1, Math.max(0, (int) ((lat - bMinY) / bSize)));
  }

  /** The cell geometries in index order. */
  public List<Geometry> geometries() {
    return cells.stream().map(Cell::geometry).toList();
  }
}
