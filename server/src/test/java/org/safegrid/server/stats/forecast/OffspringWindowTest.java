package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The compensator's offspring term counts only the offspring the window can show: those born
 * before its end and inside the raster.
 */
class OffspringWindowTest {

  static final Raster SQUARE = new Raster(0, 0, 250, 40, 40); // 10 km square

  @Test
  void anEventInTheCornerShowsAQuarterOfItsOffspringAndOneInTheMiddleAllOfThem() {
    double omega = 0.2;
    double sigma = 100;
    double span = 1_000; // long enough that e^(−ω(T − t)) is 0
    double corner = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {0}, new double[] {0},
        span, SQUARE, omega, sigma);
    double middle = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {5_000},
        new double[] {5_000}, span, SQUARE, omega, sigma);
    double edge = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {5_000},
        new double[] {0}, span, SQUARE, omega, sigma);
    assertThat(corner).isCloseTo(0.25, within(1e-6));
    assertThat(edge).isCloseTo(0.5, within(1e-6));
    assertThat(middle).isCloseTo(1, within(1e-6));
  }

  @Test
  void anEventNearTheEndOfThePeriodShowsOnlyTheOffspringBornBeforeIt() {
    double omega = 0.2;
    // one mean delay before the end, in the middle of the raster: 1 − e^(−1) of its offspring
    double got = SelfExcitingModel.expectedOffspringInWindow(new double[] {95}, new double[] {5_000},
        new double[] {5_000}, 100, SQUARE, omega, 100);
    assertThat(got).isCloseTo(1 - Math.exp(-1), within(1e-6));
  }
}
