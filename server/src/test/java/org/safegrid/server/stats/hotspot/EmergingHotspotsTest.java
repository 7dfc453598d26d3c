package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.safegrid.server.stats.hotspot.EmergingCategory.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.stats.Sampling;

/**
 * Each category of ArcGIS Pro's "How Emerging Hot Spot Analysis works", from hand-made series of
 * 12 bins (oldest first) written as letters: H = significantly hot, C = significantly cold,
 * . = not significant. The z-values behind them are chosen so that the Mann–Kendall trend is what
 * the case needs. Every hot case is run mirrored (z negated) for its cold counterpart.
 */
class EmergingHotspotsTest {

  private static final double ALPHA = 0.05;

  /** z per bin: the given magnitudes for H/C bins, a small wobble for '.', signs from the letters. */
  private static double[] z(String pattern, double... hotMagnitudes) {
    double[] z = new double[pattern.length()];
    int k = 0;
    for (int t = 0; t < z.length; t++) {
      char c = pattern.charAt(t);
      double m = hotMagnitudes.length == 0 ? 3 : hotMagnitudes[Math.min(k, hotMagnitudes.length - 1)];
      z[t] = switch (c) {
        case 'H' -> { k++; yield m; }
        case 'C' -> { k++; yield -m; }
        default -> (t % 2 == 0 ? 0.3 : -0.2);
      };
    }
    return z;
  }

  private static boolean[] sig(String pattern) {
    boolean[] s = new boolean[pattern.length()];
    for (int t = 0; t < s.length; t++) {
      s[t] = pattern.charAt(t) != '.';
    }
    return s;
  }

  private static double[] negate(double[] v) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = -out[i];
    }
    return out;
  }

  /** The category of a hot pattern, and asserts its mirror is the cold counterpart. */
  private static EmergingCategory both(String pattern, double[] z, EmergingCategory hot, EmergingCategory cold) {
    EmergingCategory h = EmergingHotspots.classify(z, sig(pattern), ALPHA);
    assertThat(h).as("%s", pattern).isEqualTo(hot);
    assertThat(EmergingHotspots.classify(negate(z), sig(pattern), ALPHA)).as("mirror of %s", pattern).isEqualTo(cold);
    return h;
  }

  private static double[] ramp(double from, double to, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = from + (to - from) * i / (n - 1);
    }
    return v;
  }

  @Test
  void newIsHotOnlyInTheFinalBin() {
    String p = "...........H";
    both(p, z(p), NEW_HOTSPOT, NEW_COLDSPOT);
  }

  @Test
  void consecutiveIsOneFinalRunOfAtLeastTwoNeverHotBefore() {
    String p = ".........HHH";
    both(p, z(p), CONSECUTIVE_HOTSPOT, CONSECUTIVE_COLDSPOT);
  }

  @Test
  void aColdRunBeforeTheFinalHotRunIsOscillatingNotConsecutive() {
    // sfdep counts a run of either sign; a cold spot turning hot has oscillated
    String p = "......CCCHHH";
    both(p, z(p), OSCILLATING_HOTSPOT, OSCILLATING_COLDSPOT);
  }

  @Test
  void intensifyingIsHotInNinetyPercentIncludingTheLastWithAnUpwardTrend() {
    String p = "HHHHHHHHHHHH";
    both(p, ramp(2.5, 9, 12), INTENSIFYING_HOTSPOT, INTENSIFYING_COLDSPOT);
  }

  @Test
  void diminishingIsHotInNinetyPercentIncludingTheLastWithADownwardTrend() {
    String p = "HHHHHHHHHHHH";
    both(p, ramp(9, 2.5, 12), DIMINISHING_HOTSPOT, DIMINISHING_COLDSPOT);
  }

  @Test
  void persistentIsHotInNinetyPercentWithoutTrend() {
    String p = "HHHHHHHHHHHH";
    both(p, z(p, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4), PERSISTENT_HOTSPOT, PERSISTENT_COLDSPOT);
  }

  @Test
  void exactlyNinetyPercentCounts() {
    // 9 of 10 bins hot, the last one too: "at least 90 %"
    String p = ".HHHHHHHHH";
    both(p, z(p, 3, 4, 3, 4, 3, 4, 3, 4, 3), PERSISTENT_HOTSPOT, PERSISTENT_COLDSPOT);
    // 10 of 12 (83 %) is not enough: a run of ten ending now, never hot before, is consecutive
    String q = "..HHHHHHHHHH";
    both(q, z(q, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4), CONSECUTIVE_HOTSPOT, CONSECUTIVE_COLDSPOT);
  }

  @Test
  void sporadicIsHotNowAndOnAndOffBeforeNeverCold() {
    String p = "..H...H..H.H";
    both(p, z(p), SPORADIC_HOTSPOT, SPORADIC_COLDSPOT);
  }

  @Test
  void onAndOffHotBinsEndingQuietAreNoPatternNotSporadic() {
    // sfdep calls this sporadic; ArcGIS's sporadic hot spot is hot in the final bin
    String p = "..H...H..H..";
    both(p, z(p), NO_PATTERN, NO_PATTERN);
  }

  @Test
  void oscillatingIsHotNowWithAnEarlierColdBin() {
    String p = "CC...H.....H";
    both(p, z(p), OSCILLATING_HOTSPOT, OSCILLATING_COLDSPOT);
  }

  @Test
  void historicalIsHotInNinetyPercentButNotNowWhateverTheSignOfTheLastZ() {
    // sfdep requires the last z < 0; ArcGIS only says the most recent bin is not hot
    String p = "HHHHHHHHHHH.";
    double[] positiveLast = z(p, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3);
    positiveLast[11] = 1.2;
    both(p, positiveLast, HISTORICAL_HOTSPOT, HISTORICAL_COLDSPOT);
    double[] negativeLast = positiveLast.clone();
    negativeLast[11] = -0.4;
    both(p, negativeLast, HISTORICAL_HOTSPOT, HISTORICAL_COLDSPOT);
  }

  @Test
  void coldInNinetyPercentButHotNowIsOscillatingHot() {
    // both "historical cold spot" and "oscillating hot spot" fit the text; the final bin decides
    String p = "CCCCCCCCCCCH";
    both(p, z(p), OSCILLATING_HOTSPOT, OSCILLATING_COLDSPOT);
  }

  @Test
  void noPattern() {
    String p = "............";
    both(p, z(p), NO_PATTERN, NO_PATTERN);
  }

  @Test
  void fewerThanTenBinsAreRefused() {
    double[][] v = new double[9][4];
    SpatialWeights w = SpatialWeights.fromLists(new int[][] {{1}, {0}, {3}, {2}});
    assertThatThrownBy(() -> EmergingHotspots.classifyAll(v, w, 1, 95, ALPHA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 10");
  }

  @Test
  void mannKendallOnHandSeries() {
    MannKendall mk = MannKendall.test(new double[] {1, 2, 3, 4, 5});
    assertThat(mk.s()).isEqualTo(10);
    assertThat(mk.tau()).isEqualTo(1.0);
    // var = 5*4*15/18 = 16.667, z = 9/4.082 = 2.205, p = 0.0275
    assertThat(mk.p()).isBetween(0.027, 0.028);
  }

  /**
   * Space-time Gi* is Gi* on the explicit space-time graph: unit (bin b, cell i) neighbours the cell
   * and its neighbours in bins b − lag .. b. Built here by hand and compared with {@link GiStar}.
   */
  @Test
  void spaceTimeGiStarIsGiStarOnTheSpaceTimeGraph() {
    int nx = 6;
    double[][] g = GiStarTest.grid(nx, nx);
    SpatialWeights w = WeightsBuilder.distanceBand(g[0], g[1], 142);
    int bins = 10;
    int n = nx * nx;
    Random rnd = new Random(11);
    double[][] v = new double[bins][n];
    double[] flat = new double[bins * n];
    for (int b = 0; b < bins; b++) {
      for (int i = 0; i < n; i++) {
        v[b][i] = Sampling.poisson(rnd, 3);
        flat[b * n + i] = v[b][i];
      }
    }
    int[][] lists = new int[bins * n][];
    for (int b = 0; b < bins; b++) {
      for (int i = 0; i < n; i++) {
        java.util.List<Integer> l = new java.util.ArrayList<>();
        for (int t = Math.max(0, b - 1); t <= b; t++) {
          l.add(t * n + i);
          for (int j : w.neighboursOf(i)) {
            l.add(t * n + j);
          }
        }
        lists[b * n + i] = l.stream().mapToInt(Integer::intValue).toArray();
      }
    }
    GiStarResult explicit = GiStar.compute(flat, SpatialWeights.fromLists(lists));
    double[][] st = SpaceTimeGiStar.compute(v, w, 1);
    for (int b = 0; b < bins; b++) {
      for (int i = 0; i < n; i++) {
        assertThat(st[b][i]).isCloseTo(explicit.z(b * n + i), within(1e-10));
      }
    }
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
        v[b][i] = Sampling.poisson(rnd, 2);
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
    EmergingCategory[] cat = EmergingHotspots.classifyAll(v, w, 1, 95, ALPHA);
    assertThat(cat[7 * nx + 7]).isEqualTo(CONSECUTIVE_HOTSPOT);
    assertThat(cat[nx * nx]).isEqualTo(NO_NEIGHBOURS);
    assertThat(cat[0]).isNotIn(CONSECUTIVE_HOTSPOT, INTENSIFYING_HOTSPOT, PERSISTENT_HOTSPOT);
  }
}
