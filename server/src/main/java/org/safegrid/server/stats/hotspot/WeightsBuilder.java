package org.safegrid.server.stats.hotspot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateFilter;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * Builds binary {@link SpatialWeights}: queen contiguity between polygons (as spdep
 * {@code poly2nb} with {@code queen = TRUE}), the k nearest neighbours (spdep {@code knn2nb}), a
 * fixed distance band between unit centres (spdep {@code dnearneigh(coords, 0, d)}), optionally
 * with a minimum neighbour count, and the automatic band of ArcGIS's Optimized Hot Spot Analysis.
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
    double worst = 0;
    for (double d : nearestDistances(x, y)) {
      worst = Math.max(worst, d);
    }
    return worst;
  }

  /** Each unit's distance to its nearest other unit (empty for fewer than two units). */
  private static double[] nearestDistances(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) {
      return new double[0];
    }
    Buckets b = new Buckets(x, y, bucketSizeFor(x, y));
    double[] nn = new double[n];
    for (int i = 0; i < n; i++) {
      int j = nearest(b, x, y, i, 1)[0];
      nn[i] = Math.hypot(x[i] - x[j], y[i] - y[j]);
    }
    return nn;
  }

  /**
   * Queen contiguity: polygons sharing at least one boundary point (within {@code snap}, in the
   * units of the geometries) are neighbours, as spdep {@code poly2nb(queen = TRUE, snap = snap)}.
   *
   * <p>Two passes: polygons sharing a vertex (snapped to half of {@code snap}) are neighbours at
   * once, from the sorted keys of every vertex; only the pairs whose envelopes overlap (a uniform
   * grid of envelopes) but that share no vertex (a vertex lying on the other's edge, a near miss
   * within {@code snap}) get the exact intersects/distance test. A management grid's cells share
   * their corners, so nearly every pair is settled by the keys: 100,000 cells take a fraction of a
   * second where an index query and a touches test per candidate pair take several times longer.
   */
  public static SpatialWeights queen(List<? extends Geometry> polygons, double snap) {
    int n = polygons.size();
    int[][] lists = new int[n][];
    int[] counts = new int[n];
    for (int i = 0; i < n; i++) {
      lists[i] = new int[8];
    }
    if (!linkSharedVerticesSorted(polygons, snap, lists, counts)) {
      linkSharedVerticesHashed(polygons, snap, lists, counts);
    }
    linkTouchingWithoutSharedVertex(polygons, snap, lists, counts);
    for (int i = 0; i < n; i++) {
      lists[i] = Arrays.copyOf(lists[i], counts[i]);
    }
    return SpatialWeights.fromLists(lists);
  }

  /**
   * Links polygons sharing a vertex (snapped to half-snap cells, so a shared key means less than
   * snap apart) by sorting packed vertex keys; false when the keys do not pack into 64 bits (snap 0,
   * or an extent too large for the snap), and nothing is linked.
   */
  private static boolean linkSharedVerticesSorted(List<? extends Geometry> polygons, double snap, int[][] lists,
                                                  int[] counts) {
    if (!(snap > 0)) {
      return false;
    }
    double cell = snap / 2;
    int n = polygons.size();
    long[][] kx = {new long[n * 6]};
    long[][] ky = {new long[n * 6]};
    int[][] owner = {new int[n * 6]};
    int[] m = {0};
    for (int i = 0; i < n; i++) {
      final int id = i;
      polygons.get(i).apply((CoordinateFilter) c -> {
        if (m[0] == owner[0].length) {
          kx[0] = Arrays.copyOf(kx[0], m[0] * 2);
          ky[0] = Arrays.copyOf(ky[0], m[0] * 2);
          owner[0] = Arrays.copyOf(owner[0], m[0] * 2);
        }
        kx[0][m[0]] = Math.round(c.x / cell);
        ky[0][m[0]] = Math.round(c.y / cell);
        owner[0][m[0]++] = id;
      });
    }
    int total = m[0];
    long minX = Long.MAX_VALUE, maxX = Long.MIN_VALUE, minY = Long.MAX_VALUE, maxY = Long.MIN_VALUE;
    for (int v = 0; v < total; v++) {
      minX = Math.min(minX, kx[0][v]);
      maxX = Math.max(maxX, kx[0][v]);
      minY = Math.min(minY, ky[0][v]);
      maxY = Math.max(maxY, ky[0][v]);
    }
    if (total == 0) {
      return true;
    }
    if (maxX - minX >= (1L << 31) || maxY - minY >= (1L << 31)) {
      return false;
    }
    long[] key = new long[total];
    for (int v = 0; v < total; v++) {
      key[v] = (kx[0][v] - minX) << 32 | (ky[0][v] - minY);
    }
    long[] unique = key.clone();
    Arrays.sort(unique);
    int u = 0;
    for (int v = 0; v < total; v++) {
      if (v == 0 || unique[v] != unique[u - 1]) {
        unique[u++] = unique[v];
      }
    }
    // counting sort of the vertices' owners by key
    int[] group = new int[total];
    int[] start = new int[u + 1];
    for (int v = 0; v < total; v++) {
      group[v] = Arrays.binarySearch(unique, 0, u, key[v]);
      start[group[v] + 1]++;
    }
    for (int g = 0; g < u; g++) {
      start[g + 1] += start[g];
    }
    int[] members = new int[total];
    int[] fill = Arrays.copyOf(start, u);
    for (int v = 0; v < total; v++) {
      members[fill[group[v]]++] = owner[0][v];
    }
    for (int g = 0; g < u; g++) {
      for (int a = start[g]; a < start[g + 1]; a++) {
        for (int b = a + 1; b < start[g + 1]; b++) {
          int i = members[a];
          int j = members[b];
          if (i != j) {
            add(lists, counts, i, j);
            add(lists, counts, j, i);
          }
        }
      }
    }
    return true;
  }

  /** The same with a hash of exact (snap 0) or snapped vertex keys, for what does not pack. */
  private static void linkSharedVerticesHashed(List<? extends Geometry> polygons, double snap, int[][] lists,
                                               int[] counts) {
    int n = polygons.size();
    double cellSize = snap / 2;
    Map<VertexKey, int[]> byVertex = new HashMap<>(n * 4);
    for (int i = 0; i < n; i++) {
      for (Coordinate c : polygons.get(i).getCoordinates()) {
        VertexKey key = snap > 0 ? new VertexKey(Math.round(c.x / cellSize), Math.round(c.y / cellSize))
            : new VertexKey(Double.doubleToLongBits(c.x + 0.0), Double.doubleToLongBits(c.y + 0.0));
        int[] owners = byVertex.get(key);
        if (owners == null) {
          byVertex.put(key, new int[] {1, i});
          continue;
        }
        if (contains(owners, owners[0] + 1, i)) {
          continue;
        }
        for (int k = 1; k <= owners[0]; k++) {
          add(lists, counts, i, owners[k]);
          add(lists, counts, owners[k], i);
        }
        if (owners[0] + 1 == owners.length) {
          owners = Arrays.copyOf(owners, owners.length * 2);
          byVertex.put(key, owners);
        }
        owners[++owners[0]] = i;
      }
    }
  }

  /**
   * The exact test (intersects, or within snap) for the pairs whose expanded envelopes overlap but
   * that share no vertex: a vertex on the other's edge, a near miss. Candidates come from a uniform
   * grid of envelopes (cells twice the mean envelope size); a pair is tested once, in the bucket
   * holding the lower-left corner of its envelopes' overlap.
   */
  private static void linkTouchingWithoutSharedVertex(List<? extends Geometry> polygons, double snap, int[][] lists,
                                                      int[] counts) {
    int n = polygons.size();
    if (n < 2) {
      return;
    }
    Envelope[] env = new Envelope[n];
    double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
    double sumW = 0, sumH = 0;
    for (int i = 0; i < n; i++) {
      Envelope e = new Envelope(polygons.get(i).getEnvelopeInternal());
      e.expandBy(snap);
      env[i] = e;
      minX = Math.min(minX, e.getMinX());
      minY = Math.min(minY, e.getMinY());
      maxX = Math.max(maxX, e.getMaxX());
      maxY = Math.max(maxY, e.getMaxY());
      sumW += e.getWidth();
      sumH += e.getHeight();
    }
    double size = Math.max(2 * Math.max(sumW, sumH) / n, 1e-12);
    while (((maxX - minX) / size + 1) * ((maxY - minY) / size + 1) > 4.0 * n + 1024) {
      size *= 1.5;
    }
    int nx = (int) ((maxX - minX) / size) + 1;
    int ny = (int) ((maxY - minY) / size) + 1;
    int[] fillCount = new int[nx * ny + 1];
    int[] bucketStart = new int[nx * ny + 1];
    for (Envelope e : env) {
      for (int bx = bucket(e.getMinX(), minX, size, nx); bx <= bucket(e.getMaxX(), minX, size, nx); bx++) {
        for (int by = bucket(e.getMinY(), minY, size, ny); by <= bucket(e.getMaxY(), minY, size, ny); by++) {
          bucketStart[bx * ny + by + 1]++;
        }
      }
    }
    for (int b = 0; b < nx * ny; b++) {
      bucketStart[b + 1] += bucketStart[b];
    }
    int[] members = new int[bucketStart[nx * ny]];
    System.arraycopy(bucketStart, 0, fillCount, 0, nx * ny);
    for (int i = 0; i < n; i++) {
      Envelope e = env[i];
      for (int bx = bucket(e.getMinX(), minX, size, nx); bx <= bucket(e.getMaxX(), minX, size, nx); bx++) {
        for (int by = bucket(e.getMinY(), minY, size, ny); by <= bucket(e.getMaxY(), minY, size, ny); by++) {
          members[fillCount[bx * ny + by]++] = i;
        }
      }
    }
    PreparedGeometry[] prepared = new PreparedGeometry[n];
    for (int bx = 0; bx < nx; bx++) {
      for (int by = 0; by < ny; by++) {
        int b = bx * ny + by;
        for (int a = bucketStart[b]; a < bucketStart[b + 1]; a++) {
          for (int c = a + 1; c < bucketStart[b + 1]; c++) {
            int i = Math.min(members[a], members[c]);
            int j = Math.max(members[a], members[c]);
            Envelope ei = env[i];
            Envelope ej = env[j];
            if (!ei.intersects(ej)) {
              continue;
            }
            double cornerX = Math.max(ei.getMinX(), ej.getMinX());
            double cornerY = Math.max(ei.getMinY(), ej.getMinY());
            if (bucket(cornerX, minX, size, nx) != bx || bucket(cornerY, minY, size, ny) != by
                || contains(lists[i], counts[i], j)) {
              continue;
            }
            if (prepared[i] == null) {
              prepared[i] = PreparedGeometryFactory.prepare(polygons.get(i));
            }
            Geometry gj = polygons.get(j);
            if (prepared[i].intersects(gj) || (snap > 0 && polygons.get(i).isWithinDistance(gj, snap))) {
              add(lists, counts, i, j);
              add(lists, counts, j, i);
            }
          }
        }
      }
    }
  }

  private static int bucket(double v, double min, double size, int count) {
    return Math.min(count - 1, Math.max(0, (int) ((v - min) / size)));
  }

  /**
   * The {@code k} nearest neighbours of each unit (as spdep {@code knn2nb(knearneigh(coords, k))}):
   * asymmetric, a unit's list holds exactly {@code min(k, n − 1)} others. Ties at the k-th distance
   * go to the lower index.
   */
  public static SpatialWeights knn(double[] x, double[] y, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    int n = x.length;
    int kk = Math.min(k, n - 1);
    int[][] lists = new int[n][];
    if (kk <= 0) {
      for (int i = 0; i < n; i++) {
        lists[i] = new int[0];
      }
      return SpatialWeights.fromLists(lists);
    }
    Buckets b = new Buckets(x, y, bucketSizeFor(x, y));
    for (int i = 0; i < n; i++) {
      lists[i] = nearest(b, x, y, i, kk);
    }
    return SpatialWeights.fromLists(lists);
  }

  /**
   * A distance band with a floor on the neighbour count, as ArcGIS's fixed distance band with
   * "Number of Neighbors": units within {@code thresholdMeters} are neighbours, and a unit with at
   * least one but fewer than {@code minNeighbours} neighbours in the band gets its nearest units
   * up to that count (asymmetric). A unit with no neighbour in the band stays without: it is
   * reported as {@code no_neighbours} instead of reaching across the sea.
   */
  public static SpatialWeights distanceBand(double[] x, double[] y, double thresholdMeters, int minNeighbours) {
    SpatialWeights band = distanceBand(x, y, thresholdMeters);
    int n = x.length;
    int want = Math.min(minNeighbours, n - 1);
    boolean anyShort = false;
    for (int i = 0; i < n && !anyShort; i++) {
      int c = band.neighbourCount(i);
      anyShort = c > 0 && c < want;
    }
    if (!anyShort) {
      return band;
    }
    Buckets b = new Buckets(x, y, bucketSizeFor(x, y));
    int[][] lists = new int[n][];
    for (int i = 0; i < n; i++) {
      int c = band.neighbourCount(i);
      lists[i] = c > 0 && c < want ? nearest(b, x, y, i, want) : band.neighboursOf(i);
    }
    return SpatialWeights.fromLists(lists);
  }

  /** The band that ArcGIS's Optimized Hot Spot Analysis would choose, with the curve that chose it. */
  public record BandChoice(double bandMeters, boolean peak, double[] distances, double[] moranZ) {}

  /**
   * The analysis distance as ArcGIS's Optimized Hot Spot Analysis finds it (Incremental Spatial
   * Autocorrelation): Global Moran's I z-score (normality assumption, binary weights) of
   * {@code values} at ten increasing distance bands, the first peak wins; without a peak the band
   * with the largest z. The bands start at the distance that gives every unit a neighbour once
   * locational outliers are set aside (nearest-neighbour distance above the third quartile plus
   * three interquartile ranges: an offshore island), and grow by the mean nearest-neighbour
   * distance of the others; every band keeps the floor of {@code minNeighbours}.
   */
  public static BandChoice autoBand(double[] x, double[] y, double[] values, int minNeighbours) {
    int n = x.length;
    if (n < 3) {
      throw new IllegalArgumentException("an automatic band needs at least 3 units");
    }
    double[] startStep = robustStartAndStep(x, y);
    double start = startStep[0];
    double step = startStep[1];
    double[] dist = new double[10];
    double[] z = new double[10];
    for (int k = 0; k < 10; k++) {
      dist[k] = start + k * step;
      z[k] = MoranI.zNormal(values, distanceBand(x, y, dist[k] * (1 + 1e-9), minNeighbours));
    }
    for (int k = 1; k < 9; k++) {
      if (z[k] > z[k - 1] && z[k] >= z[k + 1]) {
        return new BandChoice(dist[k], true, dist, z);
      }
    }
    int best = 0;
    for (int k = 1; k < 10; k++) {
      if (z[k] > z[best]) {
        best = k;
      }
    }
    return new BandChoice(dist[best], false, dist, z);
  }

  /**
   * The smallest band that gives every unit a neighbour once locational outliers are set aside (a
   * unit whose nearest neighbour is further than the third quartile plus three interquartile ranges
   * of all nearest-neighbour distances: an offshore island); those outliers stay without neighbours.
   */
  public static double connectingDistanceWithoutOutliers(double[] x, double[] y) {
    return robustStartAndStep(x, y)[0];
  }

  /** {start, step}: the outlier-free connecting distance and the mean nearest-neighbour distance of the others. */
  private static double[] robustStartAndStep(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) {
      return new double[] {0, 0};
    }
    double[] nn = nearestDistances(x, y);
    double[] sorted = nn.clone();
    Arrays.sort(sorted);
    double q1 = sorted[(int) Math.floor(0.25 * (n - 1))];
    double q3 = sorted[(int) Math.floor(0.75 * (n - 1))];
    double fence = q3 + 3 * (q3 - q1);
    double start = 0;
    double sum = 0;
    int kept = 0;
    for (double d : nn) {
      if (d <= fence) {
        start = Math.max(start, d);
        sum += d;
        kept++;
      }
    }
    return new double[] {start, Math.max(sum / kept, start * 1e-3)};
  }

  /** The {@code k} nearest other units of unit i (ties: lower index first), searching rings of buckets. */
  private static int[] nearest(Buckets b, double[] x, double[] y, int i, int k) {
    int n = x.length;
    long bx = b.bx(x[i]);
    long by = b.by(y[i]);
    double size = b.size();
    long maxRing = Math.max(b.nx(), b.ny()) + 1L;
    int[] cand = new int[64];
    double[] cd = new double[64];
    int c = 0;
    for (long ring = 0; ; ring++) {
      for (long dx = -ring; dx <= ring; dx++) {
        boolean edge = Math.abs(dx) == ring;
        for (long dy = -ring; dy <= ring; dy += edge || ring == 0 ? 1 : 2L * ring) {
          int[] all = b.indices();
          int hi = b.to(bx + dx, by + dy);
          for (int m = b.from(bx + dx, by + dy); m < hi; m++) {
            int j = all[m];
            if (j == i) {
              continue;
            }
            if (c == cand.length) {
              cand = Arrays.copyOf(cand, c * 2);
              cd = Arrays.copyOf(cd, c * 2);
            }
            double ddx = x[i] - x[j];
            double ddy = y[i] - y[j];
            cand[c] = j;
            cd[c++] = ddx * ddx + ddy * ddy;
          }
        }
      }
      // every unit not yet seen is at least ring * size away
      if (c >= k) {
        double kth = kthSmallest(cd, c, k);
        double reach = ring * size;
        if (kth <= reach * reach || ring > maxRing) {
          break;
        }
      } else if (ring > maxRing || c >= n - 1) {
        break;
      }
    }
    Integer[] order = new Integer[c];
    for (int m = 0; m < c; m++) {
      order[m] = m;
    }
    final int[] cj = cand;
    final double[] cdd = cd;
    Arrays.sort(order, (p, q) -> cdd[p] != cdd[q] ? Double.compare(cdd[p], cdd[q]) : Integer.compare(cj[p], cj[q]));
    int take = Math.min(k, c);
    int[] out = new int[take];
    for (int m = 0; m < take; m++) {
      out[m] = cand[order[m]];
    }
    return out;
  }

  private static double kthSmallest(double[] d, int c, int k) {
    double[] s = Arrays.copyOf(d, c);
    Arrays.sort(s);
    return s[k - 1];
  }

  /** About two points per bucket on an even spread. */
  private static double bucketSizeFor(double[] x, double[] y) {
    int n = x.length;
    double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      minX = Math.min(minX, x[i]);
      maxX = Math.max(maxX, x[i]);
      minY = Math.min(minY, y[i]);
      maxY = Math.max(maxY, y[i]);
    }
    double extent = Math.max(maxX - minX, maxY - minY);
    double area = (maxX - minX) * (maxY - minY);
    return Math.max(Math.max(Math.sqrt(area / Math.max(n, 1)) * 1.5, extent / Math.max(n, 1) * 2), 1e-3);
  }

  private record VertexKey(long ix, long iy) {}

  private static void add(int[][] lists, int[] counts, int i, int j) {
    if (contains(lists[i], counts[i], j)) {
      return;
    }
    if (counts[i] == lists[i].length) {
      lists[i] = Arrays.copyOf(lists[i], counts[i] * 2);
    }
    lists[i][counts[i]++] = j;
  }

  private static boolean contains(int[] l, int c, int v) {
    for (int k = 0; k < c; k++) {
      if (l[k] == v) {
        return true;
      }
    }
    return false;
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

    int nx() {
      return nx;
    }

    int ny() {
      return ny;
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
