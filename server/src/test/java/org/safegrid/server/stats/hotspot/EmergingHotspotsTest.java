package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.server.stats.hotspot.EmergingCategory.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** One synthetic series of 12 bins built for each category. */
class EmergingHotspotsTest {

  static final int N = 12;

  static EmergingCategory run(double[] gs, boolean[] sigs) {
    return EmergingHotspots.classify(gs, sigs, 0.05);
  }

  static boolean[] sigWhere(double[] gs, double abs) {
    boolean[] s = new boolean[gs.length];
    for (int i = 0; i < gs.length; i++) {
      s[i] = Math.abs(gs[i]) >= abs;
    }
    return s;
  }

  static double[] series(double... v) {
    return v;
  }

  static double[] ramp(double from, double to) {
    double[] v = new double[N];
    for (int i = 0; i < N; i++) {
      v[i] = from + (to - from) * i / (N - 1);
    }
    return v;
  }

  static double[] negate(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }

  @Test
  void newHotAndColdSpots() {
    double[] g = series(0.1, -0.2, 0.3, 0.1, 0, 0.2, -0.1, 0.4, 0.2, 0.1, 0.3, 3.5);
    assertThat(run(g, sigWhere(g, 2))).isEqualTo(NEW_HOTSPOT);
    assertThat(run(negate(g), sigWhere(g, 2))).isEqualTo(NEW_COLDSPOT);
  }

  @Test
  void consecutiveHotAndColdSpots() {
    double[] g = series(0.1, -0.2, 0.3, 0.1, 0, 0.2, -0.1, 0.4, 0.2, 3.1, 3.3, 3.5);
    assertThat(run(g, sigWhere(g, 2))).isEqualTo(CONSECUTIVE_HOTSPOT);
    assertThat(run(negate(g), sigWhere(g, 2))).isEqualTo(CONSECUTIVE_COLDSPOT);
  }

  @Test
  void intensifyingPersistentDiminishing() {
    double[] up = ramp(2.5, 9);
    assertThat(run(up, sigWhere(up, 2))).isEqualTo(INTENSIFYING_HOTSPOT);
    assertThat(run(negate(up), sigWhere(up, 2))).isEqualTo(INTENSIFYING_COLDSPOT);
    double[] flat = series(3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4);
    assertThat(run(flat, sigWhere(flat, 2))).isEqualTo(PERSISTENT_HOTSPOT);
    assertThat(run(negate(flat), sigWhere(flat, 2))).isEqualTo(PERSISTENT_COLDSPOT);
    double[] down = ramp(9, 2.5);
    assertThat(run(down, sigWhere(down, 2))).isEqualTo(DIMINISHING_HOTSPOT);
    assertThat(run(negate(down), sigWhere(down, 2))).isEqualTo(DIMINISHING_COLDSPOT);
  }

  @Test
  void oscillatingHotAndColdSpots() {
    double[] g = series(-3, -2.8, 0.2, 0.1, 0, 2.9, -0.1, 0.4, 0.2, 0.1, 0.3, 3.5);
    assertThat(run(g, sigWhere(g, 2))).isEqualTo(OSCILLATING_HOTSPOT);
    assertThat(run(negate(g), sigWhere(g, 2))).isEqualTo(OSCILLATING_COLDSPOT);
  }

  @Test
  void historicalHotAndColdSpots() {
    double[] g = ramp(13, 3);
    g[N - 1] = -0.5;
    assertThat(run(g, sigWhere(g, 2))).isEqualTo(HISTORICAL_HOTSPOT);
    assertThat(run(negate(g), sigWhere(g, 2))).isEqualTo(HISTORICAL_COLDSPOT);
  }

  @Test
  void sporadicHotAndColdSpotsAndNoPattern() {
    double[] g = series(0.1, -0.2, 3.3, 0.1, 0, 2.2, -0.1, 0.4, 2.9, 0.1, 0.3, 0.5);
    assertThat(run(g, sigWhere(g, 2))).isEqualTo(SPORADIC_HOTSPOT);
    assertThat(run(negate(g), sigWhere(g, 2))).isEqualTo(SPORADIC_COLDSPOT);
    double[] quiet = series(0.1, -0.2, 0.3, 0.1, 0, 0.2, -0.1, 0.4, 0.2, 0.1, 0.3, 0.5);
    assertThat(run(quiet, sigWhere(quiet, 2))).isEqualTo(NO_PATTERN);
  }

  @Test
  void mannKendallOnHandSeries() {
    MannKendall mk = MannKendall.test(new double[] {1, 2, 3, 4, 5});
    assertThat(mk.s()).isEqualTo(10);
    assertThat(mk.tau()).isEqualTo(1.0);
    // var = 5*4*15/18 = 16.667, z = 9/4.082 = 2.205, p = 0.0275
    assertThat(mk.p()).isBetween(0.027, 0.028);
  }

  @Test
  void growingClusterOnAGridEmergesAndAnIslandIsReportedAsSuch() {
    int nx = 15;
    double[][] g = GiStarTest.grid(nx, nx);
    double[] x = java.util.Arrays.copyOf(g[0], nx * nx + 1);
    double[] y = java.util.Arrays.copyOf(g[1], nx * nx + 1);
    x[nx * nx] = 90_000; // an offshore island
    SpatialWeights w = WeightsBuilder.distanceBand(x, y, 150);
    Random rnd = new Random(4);
    int bins = 12;
    double[][] v = new double[bins][nx * nx + 1];
    for (int b = 0; b < bins; b++) {
      for (int i = 0; i < nx * nx + 1; i++) {
        v[b][i] = GiStarTest.poisson(rnd, 2);
      }
      // from bin 8 on, a 3x3 block gets busy
      if (b >= 8) {
        for (int r = 6; r <= 8; r++) {
          for (int c = 6; c <= 8; c++) {
            v[b][r * nx + c] = 15 + b;
          }
        }
      }
    }
    EmergingCategory[] cat = EmergingHotspots.classifyAll(v, w, 95, 0.05);
    assertThat(cat[7 * nx + 7]).isIn(CONSECUTIVE_HOTSPOT, NEW_HOTSPOT);
    assertThat(cat[nx * nx]).isEqualTo(NO_NEIGHBOURS);
    assertThat(cat[0]).isNotIn(CONSECUTIVE_HOTSPOT, INTENSIFYING_HOTSPOT, PERSISTENT_HOTSPOT);
  }
}
