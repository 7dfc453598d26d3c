package org.safegrid.server.stats.forecast;

/**
 * A regular square raster in a local metric projection: cell {@code (i, j)} covers
 * {@code [x0 + i·size, x0 + (i+1)·size) × [y0 + j·size, y0 + (j+1)·size)} and has index
 * {@code j·nx + i}. The forecast's cells.
 *
 * @param x0          west edge, metres
 * @param y0          south edge, metres
 * @param cellMeters  side of a cell, metres
 * @param nx          columns
 * @param ny          rows
 */
public record Raster(double x0, double y0, double cellMeters, int nx, int ny) {

  public Raster {
    if (!(cellMeters > 0) || nx <= 0 || ny <= 0) {
      throw new IllegalArgumentException("a raster needs a positive cell size and at least one cell");
    }
  }

  /** The raster of square cells covering the given extent plus a margin on every side. */
  public static Raster covering(double minX, double minY, double maxX, double maxY, double cellMeters,
                                double marginMeters) {
    double x0 = Math.floor((minX - marginMeters) / cellMeters) * cellMeters;
    double y0 = Math.floor((minY - marginMeters) / cellMeters) * cellMeters;
    int nx = (int) Math.ceil((maxX + marginMeters - x0) / cellMeters) + 1;
    int ny = (int) Math.ceil((maxY + marginMeters - y0) / cellMeters) + 1;
    return new Raster(x0, y0, cellMeters, nx, ny);
  }

  public int size() {
    return nx * ny;
  }

  public double cellAreaM2() {
    return cellMeters * cellMeters;
  }

  /** Index of the cell holding (x, y), or −1 outside the raster. */
  public int index(double x, double y) {
    int i = (int) Math.floor((x - x0) / cellMeters);
    int j = (int) Math.floor((y - y0) / cellMeters);
    return i < 0 || j < 0 || i >= nx || j >= ny ? -1 : j * nx + i;
  }

  /**
   * The cells within {@code distanceMeters} of any of the points, the distance measured from the
   * point to the cell's square (so a point's own cell is always in). The backtest's study area and
   * the self-exciting background's support are both this set.
   */
  public boolean[] cellsNear(Iterable<EventPoint> points, double distanceMeters) {
    boolean[] in = new boolean[size()];
    int rad = (int) Math.ceil(distanceMeters / cellMeters) + 1;
    double d2max = distanceMeters * distanceMeters;
    for (EventPoint p : points) {
      int ci = (int) Math.floor((p.x() - x0) / cellMeters);
      int cj = (int) Math.floor((p.y() - y0) / cellMeters);
      for (int j = Math.max(0, cj - rad); j <= Math.min(ny - 1, cj + rad); j++) {
        for (int i = Math.max(0, ci - rad); i <= Math.min(nx - 1, ci + rad); i++) {
          double cx0 = x0 + i * cellMeters;
          double cy0 = y0 + j * cellMeters;
          double dx = Math.max(0, Math.max(cx0 - p.x(), p.x() - (cx0 + cellMeters)));
          double dy = Math.max(0, Math.max(cy0 - p.y(), p.y() - (cy0 + cellMeters)));
          if (dx * dx + dy * dy <= d2max) {
            in[j * nx + i] = true;
          }
        }
      }
    }
    return in;
  }

  public double centreX(int cell) {
    return x0 + (cell % nx + 0.5) * cellMeters;
  }

  public double centreY(int cell) {
    return y0 + (cell / nx + 0.5) * cellMeters;
  }
}
