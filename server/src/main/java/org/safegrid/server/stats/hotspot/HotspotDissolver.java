package org.safegrid.server.stats.hotspot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.locationtech.jts.algorithm.InteriorPointArea;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * Dissolves contiguous significant units into hotspot polygons (JTS unary union of each connected
 * group): every hot unit at or above the requested level joins the hot units it touches, whatever
 * their level, so a 99 % core with a 90 % ring is one hotspot whose class is its peak level and
 * which reports the share of its units at each level (likewise for cold units).
 *
 * <p>"Contiguous" is given by a {@link SpatialWeights} graph: for grid cells use queen
 * contiguity ({@link WeightsBuilder#queen}), so that two hot cells touching at a corner form one
 * hotspot; for points any graph (the analysis endpoint uses its own weights) and the hotspot
 * geometry is the convex hull of the group. Units of class {@code none} or {@code no_neighbours}
 * never dissolve.
 */
public final class HotspotDissolver {

  private HotspotDissolver() {}

  /** Per-unit facts a hotspot sums up; any may be absent. */
  public record UnitFacts(double areaM2, String district, Map<String, Long> eventsByKind) {
    public static final UnitFacts NONE = new UnitFacts(0, null, Map.of());
  }

  /**
   * Groups the units significant at 90 % or more by sign and contiguity and dissolves each group.
   */
  public static List<Hotspot> dissolve(List<? extends Geometry> geometries, HotspotClass[] classes, double[] z,
                                       SpatialWeights contiguity, IntFunction<UnitFacts> facts) {
    return dissolve(geometries, classes, z, contiguity, facts, 90);
  }

  /**
   * Groups the units significant at {@code minConfidence} or more by sign and contiguity and
   * dissolves each group, ranked by significance.
   *
   * @param geometries  unit geometries (index = unit)
   * @param classes     class per unit
   * @param z           Gi* z per unit
   * @param contiguity  which units touch
   * @param facts       facts per unit (area, district, event counts)
   * @param minConfidence the lowest level (90, 95 or 99) a unit needs to take part
   */
  public static List<Hotspot> dissolve(List<? extends Geometry> geometries, HotspotClass[] classes, double[] z,
                                       SpatialWeights contiguity, IntFunction<UnitFacts> facts, int minConfidence) {
    int n = classes.length;
    boolean[] in = new boolean[n];
    for (int i = 0; i < n; i++) {
      in[i] = classes[i].atLeast(minConfidence);
    }
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (int i = 0; i < n; i++) {
      if (!in[i]) {
        continue;
      }
      for (int j : contiguity.neighboursOf(i)) {
        if (in[j] && classes[j].isHot() == classes[i].isHot()) {
          union(parent, i, j);
        }
      }
    }
    Map<Integer, List<Integer>> groups = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (in[i]) {
        groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
      }
    }
    List<Hotspot> out = new ArrayList<>();
    for (List<Integer> g : groups.values()) {
      List<Geometry> parts = new ArrayList<>(g.size());
      double area = 0;
      double zSum = 0;
      double peak = 0;
      Map<String, Long> kinds = new TreeMap<>();
      Map<String, Integer> districts = new HashMap<>();
      Map<HotspotClass, Integer> byClass = new EnumMap<>(HotspotClass.class);
      HotspotClass peakClass = classes[g.get(0)];
      int withEvents = 0;
      for (int i : g) {
        byClass.merge(classes[i], 1, Integer::sum);
        if (classes[i].confidence() > peakClass.confidence()) {
          peakClass = classes[i];
        }
        parts.add(geometries.get(i));
        UnitFacts f = facts == null ? UnitFacts.NONE : facts.apply(i);
        area += f.areaM2();
        f.eventsByKind().forEach((k, v) -> kinds.merge(k, v, Long::sum));
        if (f.eventsByKind().values().stream().anyMatch(v -> v > 0)) {
          withEvents++;
        }
        if (f.district() != null) {
          districts.merge(f.district(), 1, Integer::sum);
        }
        zSum += z[i];
        if (Math.abs(z[i]) > Math.abs(peak)) {
          peak = z[i];
        }
      }
      Geometry geom = UnaryUnionOp.union(parts);
      if (geom.getDimension() < 2) {
        geom = geom.convexHull();
      }
      Point c = geom.getCentroid();
      // the centroid of a crescent or ring lies outside it; a label or a patrol goes inside
      Coordinate label = InteriorPointArea.getInteriorPoint(geom);
      if (label == null) {
        label = geom.getCoordinate();
      }
      String district = districts.entrySet().stream()
          .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .map(Map.Entry::getKey).orElse(null);
      int[] cells = g.stream().mapToInt(Integer::intValue).sorted().toArray();
      out.add(new Hotspot(0, peakClass, cells, area, kinds, zSum / g.size(), peak,
          c.isEmpty() ? Double.NaN : c.getX(), c.isEmpty() ? Double.NaN : c.getY(),
          label == null ? Double.NaN : label.x, label == null ? Double.NaN : label.y, byClass, withEvents, district, geom));
    }
    // ties are broken by place (centroid, south-west first), never by cell index: the same cells and
    // values must rank the same whatever order the grid's rows were read in. z is compared to 1e-9,
    // since sums over neighbours taken in another order differ in the last bits
    out.sort(Comparator.comparingLong((Hotspot h) -> -Math.round(Math.abs(h.meanZ()) * 1e9))
        .thenComparing(h -> -h.cellCount())
        .thenComparingDouble(Hotspot::centroidLat)
        .thenComparingDouble(Hotspot::centroidLon)
        .thenComparingInt(h -> h.cells()[0]));
    List<Hotspot> ranked = new ArrayList<>(out.size());
    for (int r = 0; r < out.size(); r++) {
      ranked.add(out.get(r).withRank(r + 1));
    }
    return ranked;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
}
