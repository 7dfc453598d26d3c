package org.safegrid.gisdata.datum;

/**
 * The GCJ-02 ("Mars coordinates") offset used by Chinese web maps: the forward model from WGS84
 * and an iterative inverse back to WGS84.
 *
 * <p>GCJ-02 is WGS84 plus a deliberate, smooth, non-linear offset of a few hundred metres inside
 * China (none outside). The forward model is the widely published one (Krasovsky 1940 ellipsoid
 * constants). There is no closed-form inverse; {@link #toWgs84} solves {@code forward(w) = g} by
 * fixed-point iteration, which converges to well under a centimetre in a few steps because the
 * offset changes slowly with position.
 *
 * <p>Stateless and thread-safe. Coordinates are longitude, latitude in degrees.
 */
public final class Gcj02 {

  /** Semi-major axis of the Krasovsky 1940 ellipsoid used by the model, metres. */
  private static final double A = 6378245.0;
  /** First eccentricity squared of that ellipsoid. */
  private static final double EE = 0.00669342162296594323;
  private static final int MAX_ITERATIONS = 30;
  private static final double TOLERANCE_DEG = 1e-10;

  private Gcj02() {
  }

  /** True when the point lies in the rough box inside which GCJ-02 applies an offset. */
  public static boolean isShifted(double lon, double lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }

  /** Converts a WGS84 point to GCJ-02; returns {@code {lon, lat}}. */
  public static double[] fromWgs84(double lon, double lat) {
    if (!isShifted(lon, lat)) {
      return new double[] {lon, lat};
    }
    double dLat = transformLat(lon - 105.0, lat - 35.0);
    double dLon = transformLon(lon - 105.0, lat - 35.0);
    double radLat = Math.toRadians(lat);
    double magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    double sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return new double[] {lon + dLon, lat + dLat};
  }

  /**
   * Converts a GCJ-02 point back to WGS84 by iteration; returns {@code {lon, lat}}. The residual
   * {@code fromWgs84(result) - input} is below 1e-10 degrees (about 0.01 mm).
   */
  public static double[] toWgs84(double lon, double lat) {
    if (!isShifted(lon, lat)) {
      return new double[] {lon, lat};
    }
    double wLon = lon;
    double wLat = lat;
    for (int i = 0; i < MAX_ITERATIONS; i++) {
      double[] g = fromWgs84(wLon, wLat);
      double eLon = g[0] - lon;
      double eLat = g[1] - lat;
      wLon -= eLon;
      wLat -= eLat;
      if (Math.abs(eLon) < TOLERANCE_DEG && Math.abs(eLat) < TOLERANCE_DEG) {
        break;
      }
    }
    return new double[] {wLon, wLat};
  }

  private static double transformLat(double x, double y) {
    double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return ret;
  }

  private static double transformLon(double x, double y) {
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return ret;
  }
}
