package org.safegrid.server.stats.hotspot;

import java.util.stream.IntStream;

/**
 * Conditional-permutation pseudo p-values of Gi*: for each unit the values of its neighbourhood
 * are redrawn from the other units' values {@code nsim} times and the observed statistic is ranked
 * among the draws. The pseudo p is the folded one, {@code (min(#{G_sim ≥ G}, nsim − #{G_sim ≥ G}) + 1)
 * / (nsim + 1)}, as spdep's {@code "Pr(folded) Sim"} and esda's {@code p_sim}: a one-sided p in the
 * direction the statistic departs, never below {@code 1 / (nsim + 1)}.
 *
 * <p>Two ways to redraw, both taking values only from the other n − 1 units:
 * <ul>
 *   <li>{@link Scheme#SPDEP} (the default): every slot of the neighbourhood, the unit's own
 *       included, is drawn with replacement, as R {@code spdep::localG_perm} (1.2) does for a
 *       {@code listw} with {@code include.self}. This is the scheme the tests check against R.</li>
 *   <li>{@link Scheme#ESDA}: the unit keeps its own value and its neighbours are drawn without
 *       replacement, as PySAL {@code esda.G_Local(star=True)} does (conditional randomisation in
 *       the strict sense of Anselin 1995). A cell with many events of its own is then less often
 *       significant than under {@code SPDEP}.</li>
 * </ul>
 *
 * <p>Draws come from a SplitMix64 stream per unit seeded from {@code seed} and the unit's index,
 * so the answer depends on the seed only, not on how the units are spread over threads; the units
 * are processed in parallel on the common fork-join pool. Thread-safe, no state.
 */
public final class GiStarPermutation {

  /** How a neighbourhood is redrawn. */
  public enum Scheme { SPDEP, ESDA }

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private GiStarPermutation() {}

  /**
   * Pseudo p-values per unit; NaN for units without neighbours and, everywhere, for a flat field.
   *
   * @param values  the analysed value per unit
   * @param w       binary weights without self (Gi* adds the unit itself)
   * @param nsim    number of permutations (999 is the usual; at least 1)
   * @param seed    seed of the draws
   * @param scheme  how a neighbourhood is redrawn
   */
  public static double[] pseudoP(double[] values, SpatialWeights w, int nsim, long seed, Scheme scheme) {
    int n = values.length;
    if (nsim < 1) {
      throw new IllegalArgumentException("permutations must be at least 1, got " + nsim);
    }
    if (w.size() != n) {
      throw new IllegalArgumentException("weights cover " + w.size() + " units but there are " + n + " values");
    }
    double[] p = new double[n];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (n < 2 || !(max > min)) {
      java.util.Arrays.fill(p, Double.NaN);
      return p;
    }
    int[] off = w.offsets();
    int[] nb = w.neighbours();
    IntStream.range(0, n).parallel().forEach(i -> {
      int k = off[i + 1] - off[i];
      if (k == 0) {
        p[i] = Double.NaN;
        return;
      }
      double observed = values[i];
      for (int m = off[i]; m < off[i + 1]; m++) {
        observed += values[nb[m]];
      }
      long state = seed + (i + 1L) * GOLDEN;
      int larger = 0;
      int[] picked = scheme == Scheme.ESDA ? new int[k] : null;
      for (int s = 0; s < nsim; s++) {
        double sim;
        if (scheme == Scheme.SPDEP) {
          sim = 0;
          // two draws per 64 random bits: the high and the low half, each multiply-shifted
          int m = 0;
          for (; m + 1 <= k; m += 2) {
            state += GOLDEN;
            long r = mix(state);
            int j1 = (int) (((r >>> 32) * (n - 1)) >>> 32);
            int j2 = (int) (((r & 0xFFFFFFFFL) * (n - 1)) >>> 32);
            sim += values[j1 + (j1 >= i ? 1 : 0)] + values[j2 + (j2 >= i ? 1 : 0)];
          }
          if (m == k) {
            state += GOLDEN;
            int j = bounded(mix(state), n - 1);
            sim += values[j + (j >= i ? 1 : 0)];
          }
        } else {
          sim = values[i];
          for (int m = 0; m < k; m++) {
            int j;
            boolean again;
            do {
              state += GOLDEN;
              j = bounded(mix(state), n - 1);
              j = j >= i ? j + 1 : j;
              again = false;
              for (int q = 0; q < m; q++) {
                if (picked[q] == j) {
                  again = true;
                  break;
                }
              }
            } while (again);
            picked[m] = j;
            sim += values[j];
          }
        }
        if (sim >= observed) {
          larger++;
        }
      }
      int folded = Math.min(larger, nsim - larger);
      p[i] = (folded + 1.0) / (nsim + 1.0);
    });
    return p;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform integer in [0, bound) from the high 32 bits (Lemire's multiply-shift). */
  private static int bounded(long r, int bound) {
    return (int) (((r >>> 32) * bound) >>> 32);
  }
}
