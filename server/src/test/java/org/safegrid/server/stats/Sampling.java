package org.safegrid.server.stats;

import java.util.Random;

/** Random draws the statistics tests simulate with. */
public final class Sampling {

  private Sampling() {
  }

  /** A Poisson draw by Knuth's multiplication method (exact; meant for small means). */
  public static int poisson(Random rnd, double mean) {
    double l = Math.exp(-mean);
    int k = 0;
    double p = rnd.nextDouble();
    while (p > l) {
      k++;
      p *= rnd.nextDouble();
    }
    return k;
  }
}
