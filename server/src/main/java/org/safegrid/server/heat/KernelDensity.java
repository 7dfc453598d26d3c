package org.safegrid.server.heat;

import org.safegrid.server.backtest.HotspotForecast;

/**
 * Quartic-kernel density of weighted points on a regular raster, with the bandwidth rule ArcGIS
 * documents as the default search radius of its Kernel Density tool (a spatial variant of
 * Silverman's rule of thumb):
 *
 * <pre>
 *   h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2)
 * </pre>
 *
 * where SD is the standard distance of the points from their (weighted) mean centre, Dm the median
 * distance to that centre and n the number of points. Plain class, metric coordinates.
 */
public final class KernelDensity {

  private KernelDensity() {}

  /**
   * A density raster: {@code values[row * nx + col]}, row 0 at {@code minY} (south), density in
   * weight per km² at cell centres.
   */
  public record Raster(double minX, double minY, double cellSize, int nx, int ny, double bandwidth, double[] values) {

    public double centreX(int col) {
      return minX + (col + 0.5) * cellSize;
    }

    public double centreY(int row) {
      return minY + (row + 0.5) * cellSize;
    }
  }

  /** The default bandwidth for these points (metres); 0 when fewer than two distinct points. */
  public static double bandwidth(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) {
      return 0;
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double[] d = new double[n];
    double ss = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx;
      double dy = y[i] - my;
      ss += dx * dx + dy * dy;
      d[i] = Math.sqrt(dx * dx + dy * dy);
    }
    java.util.Arrays.sort(d);
    double dm = n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    double sd = Math.sqrt(ss / n);
    return 0.9 * Math.min(sd, Math.sqrt(1 / Math.log(2)) * dm) * Math.pow(n, -0.2);
  }

  /**
   * Computes the raster over the points' extent grown by the bandwidth.
   *
   * @param maxCells the raster never has more cells than this: the cell size grows instead
   */
  public static Raster compute(double[] x, double[] y, double[] w, double cellSize, double bandwidth, int maxCells) {
    if (!(bandwidth > 0) || !(cellSize > 0)) {
      throw new IllegalArgumentException("bandwidth and cell size must be positive");
    }
    double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
    for (int i = 0; i < x.length; i++) {
      x0 = Math.min(x0, x[i]);
      x1 = Math.max(x1, x[i]);
      y0 = Math.min(y0, y[i]);
      y1 = Math.max(y1, y[i]);
    }
    if (x.length == 0) {
      return new Raster(0, 0, cellSize, 0, 0, bandwidth, new double[0]);
    }
    x0 -= bandwidth;
    y0 -= bandwidth;
    x1 += bandwidth;
    y1 += bandwidth;
    double s = cellSize;
    while (Math.ceil((x1 - x0) / s) * Math.ceil((y1 - y0) / s) > maxCells) {
      s *= 1.25;
    }
    int nx = (int) Math.ceil((x1 - x0) / s);
    int ny = (int) Math.ceil((y1 - y0) / s);
    double[] v = new double[nx * ny];
    int reach = (int) Math.ceil(bandwidth / s);
    for (int i = 0; i < x.length; i++) {
      int ci = (int) ((x[i] - x0) / s);
      int cj = (int) ((y[i] - y0) / s);
      for (int r = Math.max(0, cj - reach); r <= Math.min(ny - 1, cj + reach); r++) {
        double dy = y0 + (r + 0.5) * s - y[i];
        for (int c = Math.max(0, ci - reach); c <= Math.min(nx - 1, ci + reach); c++) {
          double dx = x0 + (c + 0.5) * s - x[i];
          double k = HotspotForecast.quartic(dx * dx + dy * dy, bandwidth);
          if (k > 0) {
            v[r * nx + c] += w[i] * k * 1e6;
          }
        }
      }
    }
    return new Raster(x0, y0, s, nx, ny, bandwidth, v);
  }
}
