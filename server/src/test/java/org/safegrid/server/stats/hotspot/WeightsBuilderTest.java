package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;

class WeightsBuilderTest {

  @Test
  void distanceBandOnGridGivesRookAtSpacingAndQueenAtDiagonal() {
    double[][] g = GiStarTest.grid(3, 3);
    SpatialWeights rook = WeightsBuilder.distanceBand(g[0], g[1], 100);
    assertThat(rook.neighboursOf(4)).containsExactly(1, 3, 5, 7);
    assertThat(rook.neighboursOf(0)).containsExactly(1, 3);
    SpatialWeights queen = WeightsBuilder.distanceBand(g[0], g[1], 142);
    assertThat(queen.neighboursOf(4)).containsExactly(0, 1, 2, 3, 5, 6, 7, 8);
  }

  @Test
  void minConnectingDistanceIsTheLargestNearestNeighbourGap() {
    double[] x = {0, 100, 200, 900};
    double[] y = {0, 0, 0, 0};
    assertThat(WeightsBuilder.minConnectingDistance(x, y)).isCloseTo(700, within(1e-9));
    SpatialWeights w = WeightsBuilder.distanceBand(x, y, WeightsBuilder.minConnectingDistance(x, y));
    for (int i = 0; i < 4; i++) {
      assertThat(w.isIsolated(i)).isFalse();
    }
  }

  /*
   *  +---+---+
   *  | 0 | 1 |        2 touches 1 at one corner only (queen, not rook)
   *  +---+---+---+
   *          | 2 |    3 is alone
   *          +---+         +---+
   *                        | 3 |
   */
  @Test
  void queenContiguityCountsCornerTouchAndLeavesIslandAlone() throws Exception {
    WKTReader r = new WKTReader();
    List<Geometry> polys = new ArrayList<>();
    polys.add(r.read("POLYGON ((0 1, 1 1, 1 2, 0 2, 0 1))"));
    polys.add(r.read("POLYGON ((1 1, 2 1, 2 2, 1 2, 1 1))"));
    polys.add(r.read("POLYGON ((2 0, 3 0, 3 1, 2 1, 2 0))"));
    polys.add(r.read("POLYGON ((5 -1, 6 -1, 6 0, 5 0, 5 -1))"));
    SpatialWeights w = WeightsBuilder.queen(polys, 0);
    assertThat(w.neighboursOf(0)).containsExactly(1);
    assertThat(w.neighboursOf(1)).containsExactly(0, 2);
    assertThat(w.neighboursOf(2)).containsExactly(1);
    assertThat(w.isIsolated(3)).isTrue();
  }

  /*
   *  +-------+
   *  |   0   |        1 and 2 share no vertex with 0: their corner (1,1) lies on 0's bottom edge
   *  +---+---+
   *  | 1 | 2 |
   *  +---+---+
   */
  @Test
  void queenContiguityFindsAVertexLyingOnANeighboursEdge() throws Exception {
    WKTReader r = new WKTReader();
    List<Geometry> polys = new ArrayList<>();
    polys.add(r.read("POLYGON ((0 1, 2 1, 2 2, 0 2, 0 1))"));
    polys.add(r.read("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"));
    polys.add(r.read("POLYGON ((1 0, 2 0, 2 1, 1 1, 1 0))"));
    SpatialWeights w = WeightsBuilder.queen(polys, 0);
    assertThat(w.neighboursOf(0)).containsExactly(1, 2);
    assertThat(w.neighboursOf(1)).containsExactly(0, 2);
  }

  @Test
  void knnGivesExactlyKNearestAsymmetric() {
    double[] x = {0, 1, 2, 10, 11};
    double[] y = {0, 0, 0, 0, 0};
    SpatialWeights w = WeightsBuilder.knn(x, y, 2);
    assertThat(w.neighboursOf(0)).containsExactly(1, 2);
    assertThat(w.neighboursOf(2)).containsExactly(0, 1);
    assertThat(w.neighboursOf(3)).containsExactly(2, 4);
    assertThat(w.hasLink(3, 2)).isTrue();
    assertThat(w.hasLink(2, 3)).isFalse();
    double[][] g = GiStarTest.grid(5, 5);
    SpatialWeights eight = WeightsBuilder.knn(g[0], g[1], 8);
    assertThat(eight.neighboursOf(12)).containsExactly(6, 7, 8, 11, 13, 16, 17, 18);
  }

  @Test
  void distanceBandWithAMinimumTopsUpShortListsButLeavesAnIslandAlone() {
    double[][] g = GiStarTest.grid(6, 6);
    double[] x = java.util.Arrays.copyOf(g[0], 37);
    double[] y = java.util.Arrays.copyOf(g[1], 37);
    x[36] = 50_000;
    SpatialWeights w = WeightsBuilder.distanceBand(x, y, 100.001, 8);
    assertThat(w.isIsolated(36)).isTrue();
    for (int i = 0; i < 36; i++) {
      assertThat(w.neighbourCount(i)).isGreaterThanOrEqualTo(8);
    }
    SpatialWeights.NeighbourCounts c = w.neighbourCounts();
    assertThat(c.noNeighbours()).isEqualTo(1);
    assertThat(c.min()).isEqualTo(8);
    assertThat(WeightsBuilder.connectingDistanceWithoutOutliers(x, y)).isCloseTo(100, within(1e-9));
  }

  /** Queen contiguity by the definition: every pair of polygons within {@code snap} (all pairs, no index). */
  private static SpatialWeights queenByDefinition(List<? extends Geometry> polys, double snap) {
    int n = polys.size();
    int[][] lists = new int[n][];
    for (int i = 0; i < n; i++) {
      List<Integer> l = new ArrayList<>();
      var pg = org.locationtech.jts.geom.prep.PreparedGeometryFactory.prepare(polys.get(i));
      for (int j = 0; j < n; j++) {
        if (j != i && polys.get(i).getEnvelopeInternal().distance(polys.get(j).getEnvelopeInternal()) <= snap
            && (pg.intersects(polys.get(j)) || polys.get(i).isWithinDistance(polys.get(j), snap))) {
          l.add(j);
        }
      }
      lists[i] = l.stream().mapToInt(Integer::intValue).toArray();
    }
    return SpatialWeights.fromLists(lists);
  }

  @Test
  void onTheReferenceGridContiguityIsAboutEightNeighboursAndNoIslandStretchesIt() {
    List<Geometry> cells = org.safegrid.gisdata.reference.ReferenceCity.huizhou().grid().stream()
        .map(org.safegrid.gisdata.reference.Feature::geometry).map(Geometry.class::cast).toList();
    SpatialWeights w = WeightsBuilder.queen(cells, 1e-7);
    SpatialWeights.NeighbourCounts c = w.neighbourCounts();
    System.out.printf("reference grid (%d cells), queen contiguity: min %d, mean %.2f, max %d, no neighbours %d%n",
        cells.size(), c.min(), c.mean(), c.max(), c.noNeighbours());
    assertThat(c.mean()).isBetween(5.0, 12.0);
    assertThat(c.max()).isLessThanOrEqualTo(24);
    int eight = 0;
    for (int i = 0; i < w.size(); i++) {
      eight += w.neighbourCount(i) == 8 ? 1 : 0;
    }
    assertThat(eight).as("interior cells with exactly 8 neighbours").isGreaterThan(w.size() / 2);
    SpatialWeights slow = queenByDefinition(cells.subList(0, 600), 1e-7);
    SpatialWeights fastSub = WeightsBuilder.queen(cells.subList(0, 600), 1e-7);
    for (int i = 0; i < 600; i++) {
      assertThat(fastSub.neighboursOf(i)).as("cell %d", i).containsExactly(slow.neighboursOf(i));
    }
  }
}
