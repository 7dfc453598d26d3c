package org.safegrid.server.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PredictiveAccuracyTest {

  @Test
  void handComputedHitRatePaiAndPeiStar() {
    // 10 cells, 10 % coverage = 1 cell; forecast picks cell 2 (3 test events), the best cell has 5
    double[] score = {0, 1, 9, 0, 0, 0, 0, 0, 0, 0};
    long[] test = {5, 0, 3, 1, 1, 0, 0, 0, 0, 0};
    PredictiveAccuracy p = PredictiveAccuracy.measure(score, test, 0.10);
    assertThat(p.cells()).isEqualTo(1);
    assertThat(p.hits()).isEqualTo(3);
    assertThat(p.hitRate()).isCloseTo(0.3, within(1e-12));
    assertThat(p.pai()).isCloseTo(3.0, within(1e-12));
    assertThat(p.peiStar()).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void quarticKernelIntegratesToOne() {
    double h = 300;
    double sum = 0;
    double step = 5;
    for (double x = -h; x <= h; x += step) {
      for (double y = -h; y <= h; y += step) {
        sum += HotspotForecast.quartic(x * x + y * y, h) * step * step;
      }
    }
    assertThat(sum).isCloseTo(1.0, within(0.01));
  }
}
