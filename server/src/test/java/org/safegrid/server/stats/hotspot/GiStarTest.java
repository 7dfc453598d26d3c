package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.stats.Sampling;

class GiStarTest {

  /** Centres of an nx × ny grid with 100 m spacing, row-major. */
  static double[][] grid(int nx, int ny) {
    double[] x = new double[nx * ny];
    double[] y = new double[nx * ny];
    for (int r = 0; r < ny; r++) {
      for (int c = 0; c < nx; c++) {
        x[r * nx + c] = c * 100.0;
        y[r * nx + c] = r * 100.0;
      }
    }
    return new double[][] {x, y};
  }

  @Test
  void handComputedChainOfFour() {
    // chain a-b-c-d with rook neighbours, values 1,2,6,3: n=4, mean=3, s2=(4+1+9+0)/4=3.5
    SpatialWeights w = SpatialWeights.fromLists(new int[][] {{1}, {0, 2}, {1, 3}, {2}});
    GiStarResult r = GiStar.compute(new double[] {1, 2, 6, 3}, w);
    // b: lag=1+2+6=9, W=3 -> 9-9 = 0
    assertThat(r.z(1)).isCloseTo(0, within(1e-12));
    // c: lag=2+6+3=11, W=3 -> (11-9)/sqrt(3.5*(4*3-9)/3)
    assertThat(r.z(2)).isCloseTo(2 / Math.sqrt(3.5), within(1e-12));
    // a: lag=3, W=2 -> (3-6)/sqrt(3.5*(4*2-4)/3)
    assertThat(r.z(0)).isCloseTo(-3 / Math.sqrt(3.5 * 4 / 3), within(1e-12));
  }

  @Test
  void plantedHotClusterIsFoundAndDissolvedIntoOnePolygon() {
    int nx = 20;
    double[][] g = grid(nx, nx);
    Random rnd = new Random(7);
    double[] v = new double[nx * nx];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextInt(3);
    }
    // 3x3 block around (10,10) gets 12 events per cell
    for (int r = 9; r <= 11; r++) {
      for (int c = 9; c <= 11; c++) {
        v[r * nx + c] = 12;
      }
    }
    SpatialWeights w = WeightsBuilder.distanceBand(g[0], g[1], 150);
    HotspotClass[] cls = FalseDiscoveryRate.classify(GiStar.compute(v, w));
    assertThat(cls[10 * nx + 10]).isEqualTo(HotspotClass.HOT99);
    long hotOutside = 0;
    for (int r = 0; r < nx; r++) {
      for (int c = 0; c < nx; c++) {
        boolean near = r >= 7 && r <= 13 && c >= 7 && c <= 13;
        if (!near && cls[r * nx + c].isHot()) {
          hotOutside++;
        }
      }
    }
    assertThat(hotOutside).isZero();
  }

  @Test
  void uniformFieldYieldsNoHotspotAfterFdr() {
    int nx = 30;
    double[][] g = grid(nx, nx);
    Random rnd = new Random(11);
    double[] v = new double[nx * nx];
    for (int i = 0; i < v.length; i++) {
      v[i] = Sampling.poisson(rnd, 5);
    }
    SpatialWeights w = WeightsBuilder.distanceBand(g[0], g[1], 150);
    HotspotClass[] cls = FalseDiscoveryRate.classify(GiStar.compute(v, w));
    assertThat(Arrays.stream(cls).filter(HotspotClass::isSignificant).count()).isZero();
  }

  @Test
  void constantFieldHasNoDefinedZAndNoHotspot() {
    double[][] g = grid(5, 5);
    double[] v = new double[25];
    Arrays.fill(v, 3);
    GiStarResult r = GiStar.compute(v, WeightsBuilder.distanceBand(g[0], g[1], 150));
    assertThat(r.z(12)).isNaN();
    assertThat(FalseDiscoveryRate.classify(r)).containsOnly(HotspotClass.NONE);
  }

  @Test
  void coldSpotIsClassedCold() {
    int nx = 20;
    double[][] g = grid(nx, nx);
    Random rnd = new Random(3);
    double[] v = new double[nx * nx];
    for (int i = 0; i < v.length; i++) {
      v[i] = 10 + rnd.nextInt(3);
    }
    for (int r = 4; r <= 7; r++) {
      for (int c = 4; c <= 7; c++) {
        v[r * nx + c] = 0;
      }
    }
    HotspotClass[] cls = FalseDiscoveryRate.classify(GiStar.compute(v, WeightsBuilder.distanceBand(g[0], g[1], 150)));
    assertThat(cls[5 * nx + 5].isCold()).isTrue();
    assertThat(cls[5 * nx + 5].confidence()).isGreaterThanOrEqualTo(95);
    assertThat(Arrays.stream(cls).filter(HotspotClass::isHot).count()).isZero();
  }

  @Test
  void islandWithoutNeighboursIsReportedNotZero() {
    // three cells in a row and one far away
    double[] x = {0, 100, 200, 5000};
    double[] y = {0, 0, 0, 0};
    SpatialWeights w = WeightsBuilder.distanceBand(x, y, 150);
    GiStarResult r = GiStar.compute(new double[] {1, 5, 2, 9}, w);
    assertThat(r.isolated(3)).isTrue();
    assertThat(r.z(3)).isNaN();
    assertThat(FalseDiscoveryRate.classify(r)[3]).isEqualTo(HotspotClass.NO_NEIGHBOURS);
  }

  @Test
  void fdrKeepsFalseHotspotShareOnRandomFieldsNearOrBelowQ() {
    // Independent N(0,1) z-values would be the strict test of BH; with Gi* on an i.i.d. field the
    // tests are correlated, BH still controls the FDR. Under the global null every discovery is
    // false, so the FDR equals P(any discovery): it must stay near or below q = 0.10.
    int nx = 25;
    double[][] g = grid(nx, nx);
    SpatialWeights w = WeightsBuilder.distanceBand(g[0], g[1], 150);
    Random rnd = new Random(42);
    int fields = 200;
    int withAny = 0;
    long unadjustedHits = 0;
    for (int f = 0; f < fields; f++) {
      double[] v = new double[nx * nx];
      for (int i = 0; i < v.length; i++) {
        v[i] = rnd.nextGaussian();
      }
      GiStarResult r = GiStar.compute(v, w);
      if (Arrays.stream(FalseDiscoveryRate.classify(r)).anyMatch(HotspotClass::isSignificant)) {
        withAny++;
      }
      unadjustedHits += Arrays.stream(FalseDiscoveryRate.classify(r, false)).filter(HotspotClass::isSignificant).count();
    }
    double fdr = withAny / (double) fields;
    assertThat(fdr).isLessThan(0.16);
    // without the correction about 10 % of the cells come out "significant" at 90 %
    double rawShare = unadjustedHits / (double) (fields * nx * nx);
    assertThat(rawShare).isBetween(0.06, 0.14);
  }

  @Test
  void bhAdjustMatchesHandComputation() {
    double[] adj = FalseDiscoveryRate.adjust(new double[] {0.01, 0.04, 0.03, 0.5});
    // sorted 0.01,0.03,0.04,0.5 -> 0.04, 0.0533, 0.0533, 0.5
    assertThat(adj[0]).isCloseTo(0.04, within(1e-12));
    assertThat(adj[1]).isCloseTo(0.04 * 4 / 3, within(1e-12));
    assertThat(adj[2]).isCloseTo(0.04 * 4 / 3, within(1e-12));
    assertThat(adj[3]).isCloseTo(0.5, within(1e-12));
  }
}
