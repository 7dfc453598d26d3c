package org.safegrid.server.stats.forecast;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.safegrid.server.stats.Sampling;

/**
 * Simulates the self-exciting process by its branching structure: background events uniform in
 * time over [0, T) and in space over a square, each event having Poisson(θ) children with delay
 * Exp(ω) and a N(0, σ²) offset per axis; children after T are dropped, and with
 * {@link #simulateOnSquare} so are children outside the square, with their own descendants (the
 * process the forecast benchmark simulates, observed on the square only).
 */
final class HawkesSimulation {

  static final long DAY_MS = 86_400_000L;

  private HawkesSimulation() {}

  static List<EventPoint> simulate(long seed, double muPerDay, double theta, double omegaPerDay, double sigma,
                                   double sideMeters, double days) {
    return simulate(seed, muPerDay, theta, omegaPerDay, sigma, sideMeters, days, false);
  }

  /** As {@link #simulate}, but an event outside the square is neither kept nor has children. */
  static List<EventPoint> simulateOnSquare(long seed, double muPerDay, double theta, double omegaPerDay, double sigma,
                                           double sideMeters, double days) {
    return simulate(seed, muPerDay, theta, omegaPerDay, sigma, sideMeters, days, true);
  }

  private static List<EventPoint> simulate(long seed, double muPerDay, double theta, double omegaPerDay,
                                           double sigma, double sideMeters, double days, boolean onSquare) {
    Random rnd = new Random(seed);
    List<EventPoint> out = new ArrayList<>();
    Deque<double[]> queue = new ArrayDeque<>();
    int nBg = poisson(rnd, muPerDay * days);
    for (int i = 0; i < nBg; i++) {
      queue.add(new double[] {rnd.nextDouble() * days, rnd.nextDouble() * sideMeters, rnd.nextDouble() * sideMeters});
    }
    while (!queue.isEmpty()) {
      double[] e = queue.poll();
      if (onSquare && (e[1] < 0 || e[2] < 0 || e[1] >= sideMeters || e[2] >= sideMeters)) {
        continue;
      }
      out.add(new EventPoint((long) (e[0] * DAY_MS), e[1], e[2], "sim"));
      int kids = poisson(rnd, theta);
      for (int k = 0; k < kids; k++) {
        double t = e[0] - Math.log(1 - rnd.nextDouble()) / omegaPerDay;
        if (t < days) {
          queue.add(new double[] {t, e[1] + rnd.nextGaussian() * sigma, e[2] + rnd.nextGaussian() * sigma});
        }
      }
    }
    return out;
  }

  static int poisson(Random rnd, double mean) {
    if (mean > 50) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * rnd.nextGaussian()));
    }
    return Sampling.poisson(rnd, mean);
  }

}
