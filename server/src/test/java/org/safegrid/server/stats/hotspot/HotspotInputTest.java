package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HotspotInputTest {

  @Test
  void refusesFewerThanThirtyFeaturesAllZerosAndMoreThanNinetyFivePercentZeros() {
    assertThat(HotspotInput.check(new double[29], null)).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("too_few_features"));
    assertThat(HotspotInput.check(new double[100], null)).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("all_zero"));
    double[] sparse = new double[100];
    sparse[0] = 3;
    sparse[1] = 1;
    sparse[2] = 1;
    sparse[3] = 1;
    assertThat(HotspotInput.check(sparse, null)).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("mostly_zero"));
    sparse[4] = 2; // exactly 95 % zeros is accepted
    assertThat(HotspotInput.check(sparse, null)).isEmpty();
  }

  @Test
  void onlyIncludedFeaturesCount() {
    double[] v = new double[40];
    java.util.Arrays.fill(v, 1);
    boolean[] in = new boolean[40];
    for (int i = 0; i < 29; i++) {
      in[i] = true;
    }
    assertThat(HotspotInput.check(v, in)).hasValueSatisfying(p -> assertThat(p.code()).isEqualTo("too_few_features"));
  }
}
