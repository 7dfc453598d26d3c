package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The compensator's offspring term counts only the offspring the likelihood can show: those born
 * before the period's end, inside the raster and within the parent search's lag and distance; its
 * slopes are its derivatives.
 */
class OffspringWindowTest {

  static final Raster SQUARE = new Raster(0, 0, 250, 40, 40); // 10 km square
  static final double NO_CUT = Double.POSITIVE_INFINITY;

  @Test
  void anEventInTheCornerShowsAQuarterOfItsOffspringAndOneInTheMiddleAllOfThem() {
    double omega = 0.2;
    double sigma = 100;
    double span = 1_000; // long enough that e^(−ω(T − t)) is 0
    double corner = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {0}, new double[] {0},
        span, SQUARE, omega, sigma, NO_CUT, NO_CUT);
    double middle = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {5_000},
        new double[] {5_000}, span, SQUARE, omega, sigma, NO_CUT, NO_CUT);
    double edge = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {5_000},
        new double[] {0}, span, SQUARE, omega, sigma, NO_CUT, NO_CUT);
    assertThat(corner).isCloseTo(0.25, within(1e-6));
    assertThat(edge).isCloseTo(0.5, within(1e-6));
    assertThat(middle).isCloseTo(1, within(1e-6));
  }

  @Test
  void anEventNearTheEndOfThePeriodShowsOnlyTheOffspringBornBeforeIt() {
    double omega = 0.2;
    // one mean delay before the end, in the middle of the raster: 1 − e^(−1) of its offspring
    double got = SelfExcitingModel.expectedOffspringInWindow(new double[] {95}, new double[] {5_000},
        new double[] {5_000}, 100, SQUARE, omega, 100, NO_CUT, NO_CUT);
    assertThat(got).isCloseTo(1 - Math.exp(-1), within(1e-6));
  }

  @Test
  void anEventBeforeThePeriodShowsOnlyTheOffspringBornInsideIt() {
    // a parent of the sample's history, one mean delay before the period: e^(−1) of its offspring come after 0
    double got = SelfExcitingModel.expectedOffspringInWindow(new double[] {-5}, new double[] {5_000},
        new double[] {5_000}, 1_000, SQUARE, 0.2, 100, NO_CUT, NO_CUT);
    assertThat(got).isCloseTo(Math.exp(-1), within(1e-6));
    // and none when the lag cut ends before the period begins
    assertThat(SelfExcitingModel.expectedOffspringInWindow(new double[] {-5}, new double[] {5_000},
        new double[] {5_000}, 1_000, SQUARE, 0.2, 100, 4, NO_CUT)).isZero();
  }

  @Test
  void onlyOffspringWithinTheParentSearchsLagAndDistanceAreCounted() {
    // cut at two mean delays and 2σ: (1 − e^(−2)) (1 − e^(−2))
    double got = SelfExcitingModel.expectedOffspringInWindow(new double[] {0}, new double[] {5_000},
        new double[] {5_000}, 1_000, SQUARE, 0.2, 100, 10, 200);
    assertThat(got).isCloseTo(-Math.expm1(-2) * -Math.expm1(-2), within(1e-6));
  }

  @Test
  void theSlopesAreTheDerivativesInOmegaAndSigma() {
    // events near a corner, an edge and the period's end, with both cuts active
    double[] t = {0, 10, 80, 97};
    double[] x = {30, 5_000, 9_900, 120};
    double[] y = {60, 80, 5_000, 9_950};
    double omega = 0.2;
    double sigma = 100;
    double[] w = SelfExcitingModel.offspringInWindow(t, x, y, 100, SQUARE, omega, sigma, 30, 400);
    double h = 1e-6;
    double dOmega = (SelfExcitingModel.expectedOffspringInWindow(t, x, y, 100, SQUARE, omega + h, sigma, 30, 400)
        - SelfExcitingModel.expectedOffspringInWindow(t, x, y, 100, SQUARE, omega - h, sigma, 30, 400)) / (2 * h);
    double hs = 1e-3;
    double dSigma = (SelfExcitingModel.expectedOffspringInWindow(t, x, y, 100, SQUARE, omega, sigma + hs, 30, 400)
        - SelfExcitingModel.expectedOffspringInWindow(t, x, y, 100, SQUARE, omega, sigma - hs, 30, 400)) / (2 * hs);
    assertThat(w[1]).isCloseTo(dOmega, within(1e-6 * Math.abs(dOmega) + 1e-9));
    // the normal CDF is a polynomial approximation (|error| 1.5e-7): its slope is good to about 1e-5
    assertThat(w[2]).isNotZero().isCloseTo(dSigma, within(1e-3 * Math.abs(dSigma)));
  }
}
