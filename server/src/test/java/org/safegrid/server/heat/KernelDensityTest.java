package org.safegrid.server.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KernelDensityTest {

  @Test
  void bandwidthRuleByHand() {
    // four points on a 200 m square around the origin: SD = sqrt(2)*100, Dm = sqrt(2)*100, n = 4
    double[] x = {-100, 100, -100, 100};
    double[] y = {-100, -100, 100, 100};
    double sd = Math.sqrt(2) * 100;
    double expected = 0.9 * Math.min(sd, Math.sqrt(1 / Math.log(2)) * sd) * Math.pow(4, -0.2);
    assertThat(KernelDensity.bandwidth(x, y)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void densityPeaksAtThePointAndIntegratesToTheWeight() {
    KernelDensity.Raster r = KernelDensity.compute(new double[] {0}, new double[] {0}, new double[] {2}, 10, 300, 1_000_000);
    double sum = 0;
    double max = 0;
    int argmax = -1;
    for (int i = 0; i < r.values().length; i++) {
      sum += r.values()[i] / 1e6 * r.cellSize() * r.cellSize();
      if (r.values()[i] > max) {
        max = r.values()[i];
        argmax = i;
      }
    }
    assertThat(sum).isCloseTo(2.0, within(0.02));
    double cx = r.centreX(argmax % r.nx());
    double cy = r.centreY(argmax / r.nx());
    assertThat(Math.hypot(cx, cy)).isLessThan(10);
  }
}
