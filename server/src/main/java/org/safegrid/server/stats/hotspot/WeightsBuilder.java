package org.safegrid.server.stats.hotspot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Builds binary {@link SpatialWeights}: a fixed distance band between unit centres (as spdep
 * {@code dnearneigh(coords, 0, d)}) or queen contiguity between polygons (as spdep {@code poly2nb}
 * with {@code queen = TRUE}).
 *
 * <p>The distance band uses a uniform hash grid with buckets the size of the band, so a regular
 * grid of 100,000 cells takes tens of milliseconds rather than the minutes of an all-pairs test.
 */
public final class WeightsBuilder {

  private WeightsBuilder() {}

  /** Units whose centres are at most {@code thresholdMeters} apart (inclusive) are neighbours. */
  public static SpatialWeights distanceBand(double[] x, double[] y, double thresholdMeters) {
    if (!(thresholdMeters > 0) || Double.isInfinite(thresholdMeters)) {
      throw new IllegalArgumentException("distance band threshold must be a positive number of metres, got " + thresholdMeters);
    }
    int n = x.length;
    Buckets b = new Buckets(x, y, thresholdMeters);
    double t2 = thresholdMeters * thresholdMeters;
    int[] offsets = new int[n + 1];
    int[] buf = new int[Math.max(16, n * 8)];
    int used = 0;
    int[] tmp = new int[64];
    for (int i = 0; i < n; i++) {
      int cnt = 0;
      long bx = b.bx(x[i]);
      long by = b.by(y[i]);
      for (long dx = -1; dx <= 1; dx++) {
        for (long dy = -1; dy <= 1; dy++) {
          int[] all = b.indices();
          int hi = b.to(bx + dx, by + dy);
          for (int k = b.from(bx + dx, by + dy); k < hi; k++) {
            int j = all[k];
            if (j == i) {
              continue;
            }
            double ddx = x[i] - x[j];
            double ddy = y[i] - y[j];
            if (ddx * ddx + ddy * ddy <= t2) {
              if (cnt == tmp.length) {
                tmp = Arrays.copyOf(tmp, cnt * 2);
              }
              tmp[cnt++] = j;
            }
          }
        }
      }
      Arrays.sort(tmp, 0, cnt);
      if (used + cnt > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, used + cnt));
      }
      System.arraycopy(tmp, 0, buf, used, cnt);
      used += cnt;
      offsets[i + 1] = used;
    }
    return SpatialWeights.ofCsr(offsets, Arrays.copyOf(buf, used));
  }

  /**
   * The smallest distance band at which every unit has at least one neighbour: the largest
   * nearest-neighbour distance (ArcGIS's default band). Returns 0 for fewer than two units.
   */
  public static double minConnectingDistance(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) {
      return 0;
    }
    double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      minX = Math.min(minX, x[i]);
      maxX = Math.max(maxX, x[i]);
      minY = Math.min(minY, y[i]);
      maxY = Math.max(maxY, y[i]);
    }
    double extent = Math.max(maxX - minX, maxY - minY);
    double area = (maxX - minX) * (maxY - minY);
    // about two points per bucket on an even spread; the extent term keeps thin strips coarse
    double size = Math.max(Math.max(Math.sqrt(area / n) * 2, extent / n * 2), 1e-3);
    long maxRing = (long) Math.ceil(extent / size) + 1;
    Buckets b = new Buckets(x, y, size);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      long bx = b.bx(x[i]);
      long by = b.by(y[i]);
      double best2 = Double.MAX_VALUE;
      for (int ring = 0; ; ring++) {
        for (long dx = -ring; dx <= ring; dx++) {
          boolean edge = Math.abs(dx) == ring;
          for (long dy = -ring; dy <= ring; dy += edge || ring == 0 ? 1 : 2L * ring) {
            int[] all = b.indices();
            int hi = b.to(bx + dx, by + dy);
            for (int k = b.from(bx + dx, by + dy); k < hi; k++) {
              int j = all[k];
              if (j != i) {
                double ddx = x[i] - x[j];
                double ddy = y[i] - y[j];
                best2 = Math.min(best2, ddx * ddx + ddy * ddy);
              }
            }
          }
        }
        // every point not yet seen lies at least ring*size away
        double eff = b.size();
        if (best2 <= (ring * eff) * (ring * eff) || ring > maxRing) {
          break;
        }
      }
      worst = Math.max(worst, best2);
    }
    return Math.sqrt(worst);
  }

  /**
   * Queen contiguity: polygons sharing at least one boundary point (within {@code snap}, in the
   * units of the geometries) are neighbours.
   */
  public static SpatialWeights queen(List<? extends Geometry> polygons, double snap) {
    int n = polygons.size();
    STRtree tree = new STRtree();
    for (int i = 0; i < n; i++) {
      Envelope e = new Envelope(polygons.get(i).getEnvelopeInternal());
      e.expandBy(snap);
      tree.insert(e, i);
    }
    tree.build();
    int[][] lists = new int[n][];
    for (int i = 0; i < n; i++) {
      Geometry gi = polygons.get(i);
      PreparedGeometry pg = PreparedGeometryFactory.prepare(gi);
      Envelope e = new Envelope(gi.getEnvelopeInternal());
      e.expandBy(snap);
      List<?> hits = tree.query(e);
      List<Integer> out = new ArrayList<>();
      for (Object o : hits) {
        int j = (Integer) o;
        if (j == i) {
          continue;
        }
        Geometry gj = polygons.get(j);
        if (pg.intersects(gj) || (snap > 0 && gi.isWithinDistance(gj, snap))) {
          out.add(j);
        }
      }
      lists[i] = out.stream().mapToInt(Integer::intValue).toArray();
    }
    return SpatialWeights.fromLists(lists);
  }

  /**
   * A uniform grid of point indices in CSR form (counting sort): bucket (bx, by) holds
   * {@code idx[start[b] .. start[b+1])}. The bucket size is raised when the extent would need far
   * more buckets than points (a few far-away islands), which only adds candidates, never misses one.
   */
  private static final class Buckets {
    private final double size;
    private final double minX;
    private final double minY;
    private final int nx;
    private final int ny;
    private final int[] start;
    private final int[] idx;

    Buckets(double[] x, double[] y, double requestedSize) {
      int n = x.length;
      double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        x0 = Math.min(x0, x[i]);
        x1 = Math.max(x1, x[i]);
        y0 = Math.min(y0, y[i]);
        y1 = Math.max(y1, y[i]);
      }
      if (n == 0) {
        x0 = y0 = x1 = y1 = 0;
      }
      double s = requestedSize;
      double maxBuckets = 8.0 * n + 1024;
      while (((x1 - x0) / s + 1) * ((y1 - y0) / s + 1) > maxBuckets) {
        s *= 1.5;
      }
      size = s;
      minX = x0;
      minY = y0;
      nx = (int) Math.floor((x1 - x0) / s) + 1;
      ny = (int) Math.floor((y1 - y0) / s) + 1;
      start = new int[nx * ny + 1];
      int[] bucketOf = new int[n];
      for (int i = 0; i < n; i++) {
        bucketOf[i] = (int) bx(x[i]) * ny + (int) by(y[i]);
        start[bucketOf[i] + 1]++;
      }
      for (int b = 0; b < nx * ny; b++) {
        start[b + 1] += start[b];
      }
      idx = new int[n];
      int[] fill = Arrays.copyOf(start, nx * ny);
      for (int i = 0; i < n; i++) {
        idx[fill[bucketOf[i]]++] = i;
      }
    }

    long bx(double v) {
      return (long) Math.floor((v - minX) / size);
    }

    long by(double v) {
      return (long) Math.floor((v - minY) / size);
    }

    double size() {
      return size;
    }

    /** Indices in bucket (bx, by), or null when it is outside the grid or empty. */
    int[] get(long bx, long by) {
      if (bx < 0 || by < 0 || bx >= nx || by >= ny) {
        return null;
      }
      int b = (int) bx * ny + (int) by;
      if (start[b] == start[b + 1]) {
        return null;
      }
      return Arrays.copyOfRange(idx, start[b], start[b + 1]);
    }

    /** Calls back each index in bucket (bx, by). */
    void forEach(long bx, long by, java.util.function.IntConsumer c) {
      if (bx < 0 || by < 0 || bx >= nx || by >= ny) {
        return;
      }
      int b = (int) bx * ny + (int) by;
      for (int k = start[b]; k < start[b + 1]; k++) {
        c.accept(idx[k]);
      }
    }

    int[] indices() {
      return idx;
    }

    int from(long bx, long by) {
      return bx < 0 || by < 0 || bx >= nx || by >= ny ? 0 : start[(int) bx * ny + (int) by];
    }

    int to(long bx, long by) {
      return bx < 0 || by < 0 || bx >= nx || by >= ny ? 0 : start[(int) bx * ny + (int) by + 1];
    }
  }
}
