package org.safegrid.server.hotspot;

/**
 * An equirectangular projection of WGS84 longitude/latitude to metres around a reference latitude.
 *
 * <p>Used for neighbour distances inside one city: over 100 km north-south the scale error stays
 * below 0.3 %, far under the spacing of management grids, and it costs two multiplications per
 * point where a full Gauss-Krüger transform would cost hundreds.
 */
public record LocalMetricProjection(double refLatDeg) {

  private static final double EARTH_RADIUS_M = 6_371_008.8;

  /** A projection centred on the mean latitude of the given points. */
  public static LocalMetricProjection around(double[] latDeg) {
    double s = 0;
    for (double v : latDeg) {
      s += v;
    }
    return new LocalMetricProjection(latDeg.length == 0 ? 0 : s / latDeg.length);
  }

  public double x(double lonDeg) {
    return Math.toRadians(lonDeg) * EARTH_RADIUS_M * Math.cos(Math.toRadians(refLatDeg));
  }

  public double y(double latDeg) {
    return Math.toRadians(latDeg) * EARTH_RADIUS_M;
  }

  /** Projects arrays of lon/lat into new arrays {x[], y[]}. */
  public double[][] project(double[] lonDeg, double[] latDeg) {
    double[] x = new double[lonDeg.length];
    double[] y = new double[latDeg.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = x(lonDeg[i]);
      y[i] = y(latDeg[i]);
    }
    return new double[][] {x, y};
  }
}
