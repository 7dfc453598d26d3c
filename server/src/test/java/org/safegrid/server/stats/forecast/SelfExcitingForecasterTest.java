package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SelfExcitingForecasterTest {

  static final long DAY = 86_400_000L;

  @Test
  void onlineUpdatesEqualTheDirectSumOverPastEvents() {
    List<EventPoint> pts = HawkesSimulation.simulate(5, 2, 0.4, 0.3, 150, 5000, 200);
    pts.sort(java.util.Comparator.comparingLong(EventPoint::epochMillis));
    Raster r = Raster.covering(0, 0, 5000, 5000, 250, 1000);
    SelfExcitingFit fit = new SelfExcitingFit("sim", 1.2, 0.4, 0.3, 150, 500, uniform(r.size()), r, pts.size(),
        0, 0, 0);
    SelfExcitingForecaster f = new SelfExcitingForecaster(fit);
    long origin = 150 * DAY;
    for (EventPoint p : pts) {
      if (p.epochMillis() < origin) {
        f.add(p);
      }
    }
    double[] online = new double[r.size()];
    f.expected(origin, 7 * DAY, online);
    // direct: μΔB_c + Σ_j θ(e^(−ω(o−t_j)) − e^(−ω(o+Δ−t_j))) · ∫_cell N(x_j, σ²), integrated numerically
    int cell = r.index(2500, 2500);
    double x0 = r.centreX(cell) - 125;
    double y0 = r.centreY(cell) - 125;
    double direct = 1.2 * 7 / r.size();
    for (EventPoint p : pts) {
      if (p.epochMillis() >= origin) {
        continue;
      }
      double age = (origin - p.epochMillis()) / (double) DAY;
      double time = 0.4 * (Math.exp(-0.3 * age) - Math.exp(-0.3 * (age + 7)));
      double space = 0;
      int k = 50;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          double dx = x0 + (a + 0.5) * 250.0 / k - p.x();
          double dy = y0 + (b + 0.5) * 250.0 / k - p.y();
          space += Math.exp(-(dx * dx + dy * dy) / (2 * 150 * 150)) / (2 * Math.PI * 150 * 150) * (250.0 / k) * (250.0 / k);
        }
      }
      direct += time * space;
    }
    assertThat(online[cell]).isCloseTo(direct, within(1e-4 * direct + 1e-9));
    // the expected counts over the raster add up to background + every event's remaining offspring
    double sum = 0;
    for (double v : online) {
      sum += v;
    }
    double want = 1.2 * 7;
    for (EventPoint p : pts) {
      if (p.epochMillis() < origin) {
        double age = (origin - p.epochMillis()) / (double) DAY;
        want += 0.4 * (Math.exp(-0.3 * age) - Math.exp(-0.3 * (age + 7)));
      }
    }
    assertThat(sum).isCloseTo(want, within(1e-3 * want));
  }

  @Test
  void decayIsExactAcrossARebaseOfTheReferenceTime() {
    Raster r = Raster.covering(0, 0, 1000, 1000, 250, 0);
    SelfExcitingFit fit = new SelfExcitingFit("sim", 0, 0.5, 24, 100, 500, uniform(r.size()), r, 0, 0, 0, 0);
    SelfExcitingForecaster f = new SelfExcitingForecaster(fit);
    f.add(new EventPoint(0, 500, 500, "sim"));
    // ω = 24/day: after 20 days the exponent is 480 > 300, so the state is rebased
    f.add(new EventPoint(20 * DAY, 500, 500, "sim"));
    double[] out = new double[r.size()];
    f.expected(20 * DAY, DAY, out);
    double total = 0;
    for (double v : out) {
      total += v;
    }
    double want = 0.5 * (1 - Math.exp(-24)) * (1 + Math.exp(-24 * 20));
    assertThat(total).isCloseTo(want, within(1e-3));
  }

  private static double[] uniform(int n) {
    double[] b = new double[n];
    java.util.Arrays.fill(b, 1.0 / n);
    return b;
  }
}
