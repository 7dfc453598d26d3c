package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The EM looks for parents only a few mean delays back and a few σ away; the M step of ω and σ
 * ({@link SelfExcitingModel#triggeringStep}) must correct for the delays and offsets it could not
 * see. Its fixed point, for one parent far from the raster's edge and the period's end, is the
 * maximum-likelihood rate of an exponential observed only below the cut.
 */
class TriggeringStepTest {

  static final Raster RASTER = new Raster(0, 0, 250, 40, 40); // 10 km square

  @Test
  void theStepsFixedPointRecoversDelaysAndOffsetsSeenOnlyBelowTheCutWhereTheirPlainMeansAreBiased() {
    double rate = 0.25;
    double sigma = 100;
    double maxLag = 3 / rate; // e^-3 = 5 % of the delays are never seen
    double maxDist = 1.5 * sigma; // e^-1.125 = 32 % of the offsets are never seen
    Random rnd = new Random(20261202);
    double sumDt = 0;
    int nDt = 0;
    while (nDt < 200_000) {
      double d = -Math.log(1 - rnd.nextDouble()) / rate;
      if (d < maxLag) {
        sumDt += d;
        nDt++;
      }
    }
    double sumD2 = 0;
    int nD2 = 0;
    while (nD2 < 200_000) {
      double dx = rnd.nextGaussian() * sigma;
      double dy = rnd.nextGaussian() * sigma;
      if (dx * dx + dy * dy <= maxDist * maxDist) {
        sumD2 += dx * dx + dy * dy;
        nD2++;
      }
    }
    // the plain estimates are biased: 1/mean by about 19 % upwards, sqrt(mean d²/2) by 27 % downwards
    assertThat(nDt / sumDt).isGreaterThan(rate * 1.15);
    assertThat(Math.sqrt(sumD2 / (2 * nD2))).isLessThan(sigma * 0.8);
    // one parent in the middle of the raster, at the start of a long period: W = (1 − e^(−ωL)) (1 − e^(−R²/2σ²));
    // delays and offsets come from separate samples of the same size, so rescale the offsets' sum
    double s = nDt;
    double d2 = sumD2 * s / nD2;
    double[] est = {1, 0.5, 50};
    for (int it = 0; it < 2_000; it++) {
      double[] w = SelfExcitingModel.offspringInWindow(new double[] {0}, new double[] {5_000}, new double[] {5_000},
          1e6, RASTER, est[1], est[2], maxLag, maxDist);
      for (int k = 0; k < 3; k++) {
        w[k] *= 2 * s; // the same parent 2s times over: half the offspring expected were seen
      }
      est = SelfExcitingModel.triggeringStep(s, sumDt, d2, est[2], w, SelfExcitingModel.Bounds.defaults());
    }
    // standard errors ≈ rate / sqrt(n) ≈ 0.00056 and (for σ, with a third of the offsets cut) below 0.3 m
    assertThat(est[1]).isCloseTo(rate, within(4 * rate / Math.sqrt(nDt)));
    assertThat(est[2]).isCloseTo(sigma, within(1.2));
    // θ = S / W, with W counting only the offspring inside both cuts
    double inside = -Math.expm1(-est[1] * maxLag) * -Math.expm1(-maxDist * maxDist / (2 * est[2] * est[2]));
    assertThat(est[0]).isCloseTo(1 / (2 * inside), within(1e-9));
  }
}
