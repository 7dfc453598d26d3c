package org.safegrid.server.stats.hotspot;

import java.util.Optional;

/**
 * The checks ArcGIS's hot spot tools make before Gi* is worth running: at least 30 features, not
 * all zero, and no more than 95 % zeros. Below that the normal approximation behind the z-scores
 * does not hold and even permutation inference has almost nothing to rank.
 */
public final class HotspotInput {

  /** Fewest features Gi* is run on. */
  public static final int MIN_FEATURES = 30;
  /** Largest share of zero values accepted. */
  public static final double MAX_ZERO_SHARE = 0.95;

  /** Why an input is refused: a code for programs and a sentence for people. */
  public record Problem(String code, String message) {}

  private HotspotInput() {}

  /** The first problem of {@code values} (only the units marked in {@code included}; null = all), if any. */
  public static Optional<Problem> check(double[] values, boolean[] included) {
    int n = 0;
    int zeros = 0;
    for (int i = 0; i < values.length; i++) {
      if (included != null && !included[i]) {
        continue;
      }
      n++;
      if (values[i] == 0) {
        zeros++;
      }
    }
    if (n < MIN_FEATURES) {
      return Optional.of(new Problem("too_few_features",
          "Gi* needs at least " + MIN_FEATURES + " features with neighbours; there are " + n));
    }
    if (zeros == n) {
      return Optional.of(new Problem("all_zero", "every feature's value is 0: there is no pattern to test"));
    }
    double share = zeros / (double) n;
    if (share > MAX_ZERO_SHARE) {
      return Optional.of(new Problem("mostly_zero", String.format(java.util.Locale.ROOT,
          "%.1f %% of the %d features are 0 (more than %.0f %%): too sparse for Gi*; use a longer window or larger cells",
          share * 100, n, MAX_ZERO_SHARE * 100)));
    }
    return Optional.empty();
  }
}
