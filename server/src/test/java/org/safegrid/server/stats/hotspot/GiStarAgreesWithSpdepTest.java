package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.stats.Sampling;

/**
 * Gi* against R spdep::localG on the same weights: the z-scores must agree to 1e-9. Needs
 * {@code Rscript} with spdep; without it the test fails and says what to install.
 */
class GiStarAgreesWithSpdepTest {

  @Test
  void zScoresEqualSpdepLocalGOnIrregularPointsWithIslands() {
    Random rnd = new Random(2026);
    int n = 600;
    double[] x = new double[n];
    double[] y = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextDouble() * 5000;
      y[i] = rnd.nextDouble() * 5000;
      v[i] = Sampling.poisson(rnd, x[i] < 1500 && y[i] < 1500 ? 9 : 3);
    }
    // two far islands without neighbours
    x[0] = 50_000;
    x[1] = -50_000;
    SpatialWeights w = WeightsBuilder.distanceBand(x, y, 350);
    assertThat(w.isIsolated(0)).isTrue();
    GiStarResult ours = GiStar.compute(v, w);
    RLocalG.Result peer = RLocalG.run(v, w);
    assertThat(peer.z()).hasSize(n);
    int compared = 0;
    int isolated = 0;
    for (int i = 0; i < n; i++) {
      if (ours.isolated(i)) {
        isolated++;
        continue;
      }
      assertThat(Math.abs(ours.z(i) - peer.z()[i])).as("unit %d: ours %s, spdep %s", i, ours.z(i), peer.z()[i])
          .isLessThanOrEqualTo(1e-9);
      compared++;
    }
    assertThat(compared).isEqualTo(n - isolated).isGreaterThan(n - 20);
  }

  @Test
  void zScoresEqualSpdepOnQueenGrid() {
    int nx = 15;
    double[][] g = GiStarTest.grid(nx, nx);
    Random rnd = new Random(5);
    double[] v = new double[nx * nx];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextDouble() * 10 + (i % nx < 4 ? 6 : 0);
    }
    SpatialWeights w = WeightsBuilder.distanceBand(g[0], g[1], 142);
    GiStarResult ours = GiStar.compute(v, w);
    double[] peer = RLocalG.run(v, w).z();
    for (int i = 0; i < v.length; i++) {
      assertThat(Math.abs(ours.z(i) - peer[i])).isLessThanOrEqualTo(1e-9);
    }
  }
}
