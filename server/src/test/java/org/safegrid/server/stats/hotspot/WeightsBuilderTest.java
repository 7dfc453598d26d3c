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
}
