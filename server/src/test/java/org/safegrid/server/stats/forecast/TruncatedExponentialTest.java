package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The EM looks for parents only a few mean delays back; the rate it estimates from the delays it saw
 * must correct for the ones it could not see.
 */
class TruncatedExponentialTest {

  @Test
  void theRateOfDelaysSeenOnlyBelowALimitIsRecoveredWhereTheirPlainMeanIsBiased() {
    double rate = 0.25;
    double limit = 3 / rate; // e^-3 = 5 % of the delays are never seen
    Random rnd = new Random(20261202);
    double sum = 0;
    int n = 0;
    while (n < 200_000) {
      double d = -Math.log(1 - rnd.nextDouble()) / rate;
      if (d < limit) {
        sum += d;
        n++;
      }
    }
    double mean = sum / n;
    // the plain estimate 1/mean is biased upwards by about 19 % at this cut ...
    assertThat(1 / mean).isGreaterThan(rate * 1.15);
    // ... the truncated maximum-likelihood rate is not (standard error ≈ rate / sqrt(n) ≈ 0.00056)
    assertThat(SelfExcitingModel.truncatedExponentialRate(mean, limit)).isCloseTo(rate, within(4 * rate / Math.sqrt(n)));
    // no limit: the plain estimate
    assertThat(SelfExcitingModel.truncatedExponentialRate(mean, Double.POSITIVE_INFINITY)).isEqualTo(1 / mean);
  }
}
