package org.safegrid.server.stats.forecast;

/**
 * A fitted self-exciting point process for one event category (Mohler et al. 2011):
 *
 * <pre>
 *   λ(t, x, y) = μ · b(x, y) + Σ_{t_j &lt; t} θ · ω e^(−ω (t − t_j)) · N₂((x, y) − (x_j, y_j); σ² I)
 * </pre>
 *
 * with {@code b} a stationary density over the raster (sums to 1 over the cells). Immutable.
 *
 * @param category          the category it was fitted for
 * @param muPerDay          background events per day over the whole raster
 * @param theta             branching ratio: expected direct offspring of one event
 * @param omegaPerDay       decay rate of the triggering kernel (mean delay 1/ω days)
 * @param sigmaMeters       standard deviation of the Gaussian offspring displacement per axis
 * @param backgroundBandwidthMeters Gaussian bandwidth of the background kernel density
 * @param background        background share of each raster cell (sums to 1); owned, not copied
 * @param raster            the raster of {@code background}
 * @param events            events fitted
 * @param backgroundEvents  expected number of background events (Σ p_ii)
 * @param iterations        EM maps run (E step and M step; a SQUAREM cycle runs three)
 * @param logLikelihood     log-likelihood at the estimate (with the background density per m²)
 */
public record SelfExcitingFit(String category, double muPerDay, double theta, double omegaPerDay, double sigmaMeters,
                              double backgroundBandwidthMeters, double[] background, Raster raster, int events,
                              double backgroundEvents, int iterations, double logLikelihood) {

  /** Mean delay between an event and its offspring, days. */
  public double meanDelayDays() {
    return 1 / omegaPerDay;
  }
}
