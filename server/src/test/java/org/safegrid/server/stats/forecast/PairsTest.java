package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The parent search's bucket grid finds exactly the pairs a comparison of every pair finds. */
class PairsTest {

  @Test
  void theBucketGridFindsEveryPairWithinTheLimitsAndNoOther() {
    Random rnd = new Random(7);
    int n = 3_000;
    double[] t = new double[n];
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = rnd.nextDouble() * 200;
      // clustered and spread, negative coordinates included, some on bucket borders exactly
      x[i] = i % 10 == 0 ? 300 * rnd.nextInt(20) - 3_000 : rnd.nextGaussian() * 2_000 - 500;
      y[i] = i % 7 == 0 ? -4_000 + rnd.nextDouble() * 50 : rnd.nextGaussian() * 1_500 + 200;
    }
    Arrays.sort(t);
    for (int firstChild : new int[] {0, 1_000}) {
      List<String> expected = bruteForce(t, x, y, firstChild, 10, 300);
      assertThat(expected).hasSizeGreaterThan(1_000);
      for (int maxBuckets : new int[] {SelfExcitingModel.Pairs.MAX_BUCKETS, 16, 1}) {
        List<String> found = new ArrayList<>();
        SelfExcitingModel.Pairs.visit(t, x, y, firstChild, 10, 300, maxBuckets,
            (child, lag, d2) -> found.add(child + ":" + (float) lag + ":" + (float) d2));
        assertThat(found).as("at most %d buckets, children from %d", maxBuckets, firstChild)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  @Test
  void findKeepsThePairsInTheOrderOfTheirChild() {
    Random rnd = new Random(3);
    int n = 2_000;
    double[] t = new double[n];
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = i * 0.05 + rnd.nextDouble() * 0.01; // no lag exactly at the limit, where rounding decides
      x[i] = rnd.nextDouble() * 2_000;
      y[i] = rnd.nextDouble() * 2_000;
    }
    SelfExcitingModel.Pairs p = SelfExcitingModel.Pairs.find(t, x, y, 0, 5, 200);
    assertThat(p.size).isEqualTo(bruteForce(t, x, y, 0, 5, 200).size());
    for (int k = 1; k < p.size; k++) {
      assertThat(p.child[k]).isGreaterThanOrEqualTo(p.child[k - 1]);
    }
  }

  private static List<String> bruteForce(double[] t, double[] x, double[] y, int firstChild, double maxLag, double maxDist) {
    List<String> out = new ArrayList<>();
    for (int i = firstChild; i < t.length; i++) {
      for (int j = 0; j < t.length; j++) {
        double lag = t[i] - t[j];
        double dx = x[i] - x[j];
        double dy = y[i] - y[j];
        double d2 = dx * dx + dy * dy;
        if (t[j] < t[i] && lag <= maxLag && d2 <= maxDist * maxDist) {
          out.add(i + ":" + (float) lag + ":" + (float) d2);
        }
      }
    }
    return out;
  }
}
