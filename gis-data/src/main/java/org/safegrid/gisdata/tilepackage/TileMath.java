package org.safegrid.gisdata.tilepackage;

/** Web Mercator tile arithmetic and the PMTiles tile id (a Hilbert curve per zoom level). */
final class TileMath {

  private TileMath() {}

  /** The tile column holding longitude {@code lon} at zoom {@code z}. */
  static int column(double lon, int z) {
    int n = 1 << z;
    return clamp((int) Math.floor((lon + 180) / 360 * n), n);
  }

  /** The tile row (XYZ, from the north) holding latitude {@code lat} at zoom {@code z}. */
  static int row(double lat, int z) {
    int n = 1 << z;
    double r = Math.toRadians(lat);
    return clamp((int) Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n), n);
  }

  private static int clamp(int v, int n) {
    return Math.max(0, Math.min(n - 1, v));
  }

  /** Whether tile z/x/y (XYZ) touches the bounds: the tiles a package of these bounds may hold. */
  static boolean within(TilePackage.Bounds b, int z, int x, int y) {
    return x >= column(b.west(), z) && x <= column(b.east(), z) && y >= row(b.north(), z) && y <= row(b.south(), z);
  }

  /** The PMTiles v3 tile id of z/x/y: the tiles of lower zooms first, then the Hilbert index within the zoom. */
  static long tileId(int z, long x, long y) {
    long acc = ((1L << (2 * z)) - 1) / 3;
    long tx = x;
    long ty = y;
    long d = 0;
    for (long s = (1L << z) / 2; s > 0; s /= 2) {
      long rx = (tx & s) > 0 ? 1 : 0;
      long ry = (ty & s) > 0 ? 1 : 0;
      d += s * s * ((3 * rx) ^ ry);
      if (ry == 0) {
        if (rx == 1) {
          tx = s - 1 - tx;
          ty = s - 1 - ty;
        }
        long t = tx;
        tx = ty;
        ty = t;
      }
    }
    return acc + d;
  }

  /** The z, x, y of a PMTiles tile id; ids beyond zoom 31 are refused. */
  static int[] zxy(long id) {
    long acc = 0;
    for (int z = 0; z < 32; z++) {
      long count = 1L << (2 * z);
      if (id < acc + count) {
        long t = id - acc;
        long n = 1L << z;
        long x = 0;
        long y = 0;
        for (long s = 1; s < n; s *= 2) {
          long rx = 1 & (t / 2);
          long ry = 1 & (t ^ rx);
          if (ry == 0) {
            if (rx == 1) {
              x = s - 1 - x;
              y = s - 1 - y;
            }
            long tmp = x;
            x = y;
            y = tmp;
          }
          x += s * rx;
          y += s * ry;
          t /= 4;
        }
        return new int[] {z, (int) x, (int) y};
      }
      acc += count;
    }
    throw new IllegalArgumentException("tile id " + id + " is beyond zoom 31");
  }
}
