package org.safegrid.server.stats.forecast;

/**
 * Online forecast of one fitted category on its raster. For a window {@code [o, o + Δ)} the
 * expected count of cell c given the events up to o is
 *
 * <pre>
 *   E[N_c] = μ Δ B_c + θ (1 − e^(−ωΔ)) · A_c(o),     A_c(o) = Σ_{t_j ≤ o} e^(−ω (o − t_j)) G_c(x_j)
 * </pre>
 *
 * where {@code B_c} is the cell's background share and {@code G_c(x_j)} the share of the
 * Gaussian offspring kernel around event j that falls in the cell (exact, by the normal CDF on
 * each axis). Offspring of events that happen inside the window itself are not counted (a
 * second-order term: θ times the window's own triggered share).
 *
 * <p>Because the time kernel is exponential, {@link #add} is O(1) in the number of past events:
 * it adds the event's kernel to the cells within 4σ of it, in a frame decayed to a reference
 * time that is moved forward (O(cells)) only when the decay factor would overflow.
 *
 * <p>Not thread-safe: one writer; {@link #expected} reads the state at the time of the call.
 */
public final class SelfExcitingForecaster {

  private static final double DAY_MS = 86_400_000.0;
  private static final double MAX_EXPONENT = 300;

  private final SelfExcitingFit fit;
  private final Raster raster;
  private final double[] acc;
  private long refMillis;
  private final int radiusCells;
  private long latestMillis = Long.MIN_VALUE;

  public SelfExcitingForecaster(SelfExcitingFit fit) {
    this.fit = fit;
    this.raster = fit.raster();
    this.acc = new double[raster.size()];
    this.radiusCells = (int) Math.ceil(4 * fit.sigmaMeters() / raster.cellMeters()) + 1;
    this.refMillis = Long.MIN_VALUE;
  }

  public SelfExcitingFit fit() {
    return fit;
  }

  /** Adds one event (in any order; the decay is exact). Events outside the raster still add the part of their kernel inside it. */
  public void add(EventPoint p) {
    if (refMillis == Long.MIN_VALUE) {
      refMillis = p.epochMillis();
    }
    double expo = fit.omegaPerDay() * (p.epochMillis() - refMillis) / DAY_MS;
    if (expo > MAX_EXPONENT) {
      rebase(p.epochMillis());
      expo = 0;
    }
    latestMillis = Math.max(latestMillis, p.epochMillis());
    double w = Math.exp(expo);
    double s = fit.sigmaMeters();
    double size = raster.cellMeters();
    int ci = (int) Math.floor((p.x() - raster.x0()) / size);
    int cj = (int) Math.floor((p.y() - raster.y0()) / size);
    int i0 = Math.max(0, ci - radiusCells);
    int i1 = Math.min(raster.nx() - 1, ci + radiusCells);
    int j0 = Math.max(0, cj - radiusCells);
    int j1 = Math.min(raster.ny() - 1, cj + radiusCells);
    if (i0 > i1 || j0 > j1) {
      return;
    }
    double[] wx = new double[i1 - i0 + 1];
    for (int i = i0; i <= i1; i++) {
      double a = raster.x0() + i * size - p.x();
      wx[i - i0] = phi(a + size, s) - phi(a, s);
    }
    for (int j = j0; j <= j1; j++) {
      double b = raster.y0() + j * size - p.y();
      double wy = (phi(b + size, s) - phi(b, s)) * w;
      int row = j * raster.nx();
      for (int i = i0; i <= i1; i++) {
        acc[row + i] += wx[i - i0] * wy;
      }
    }
  }

  /** Normal CDF of d/s by Abramowitz and Stegun 7.1.26 (|error| ≤ 1.5e-7; commons-math's erf is 50× slower). */
  static double phi(double d, double s) {
    double x = d / (s * Math.sqrt(2));
    double ax = Math.abs(x);
    double t = 1 / (1 + 0.3275911 * ax);
    double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
        * Math.exp(-ax * ax);
    return 0.5 * (1 + (x >= 0 ? y : -y));
  }

  private void rebase(long newRef) {
    double f = Math.exp(-fit.omegaPerDay() * (newRef - refMillis) / DAY_MS);
    for (int c = 0; c < acc.length; c++) {
      acc[c] *= f;
    }
    refMillis = newRef;
  }

  /**
   * Adds the expected count of each raster cell in {@code [originMillis, originMillis + windowMillis)}
   * to {@code out} (length = raster size). Events added after the origin are ignored only if
   * none was added: callers add events up to the origin.
   */
  public void expected(long originMillis, long windowMillis, double[] out) {
    double days = windowMillis / DAY_MS;
    double bgTotal = fit.muPerDay() * days;
    double[] b = fit.background();
    double trig = 0;
    if (refMillis != Long.MIN_VALUE) {
      trig = fit.theta() * (1 - Math.exp(-fit.omegaPerDay() * days))
          * Math.exp(-fit.omegaPerDay() * (originMillis - refMillis) / DAY_MS);
    }
    for (int c = 0; c < out.length; c++) {
      out[c] += bgTotal * b[c] + trig * acc[c];
    }
  }

  /** Time of the latest event added, or {@link Long#MIN_VALUE}. */
  public long latestMillis() {
    return latestMillis;
  }
}
