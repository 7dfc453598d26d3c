package org.safegrid.server.stats.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits the self-exciting point process of {@link SelfExcitingFit} to the events of one category by
 * expectation–maximisation on the branching structure (the deterministic form of Mohler et al.'s
 * stochastic declustering; Veen and Schoenberg 2008):
 *
 * <ul>
 *   <li>E step: for each event i, the probability that it is a background event,
 *       {@code p_ii = μ b(x_i) / λ(t_i, x_i)}, and that it was triggered by an earlier event j,
 *       {@code p_ji = g(t_i − t_j, x_i − x_j) / λ(t_i, x_i)}.</li>
 *   <li>M step: {@code μ = Σ p_ii / T}; {@code b} = Gaussian kernel density (bandwidth {@code h})
 *       of the events weighted by {@code p_ii} on the support, the cells within
 *       {@link #SUPPORT_DISTANCE_METERS} of an event, edge-corrected to the support and 0 off it
 *       (the fit's output adds {@link #BACKGROUND_FLOOR_SHARE}); θ, ω and σ by
 *       {@link #triggeringStep}: {@code θ = Σ p_ji / W(ω, σ)} with W the offspring expected inside the
 *       period, the raster and the parent search ({@link #offspringInWindow}), ω and σ the
 *       textbook {@code Σ p_ji / Σ p_ji (t_i − t_j)} and {@code Σ p_ji |x_i − x_j|² / (2 Σ p_ji)}
 *       corrected by W's slopes.</li>
 * </ul>
 *
 * Parents are looked for within {@link Bounds#maxLagDays} and {@link Bounds#maxDistanceMeters};
 * θ, ω and σ are kept inside the bounds. Plain class, thread-safe (no state).
 */
public final class SelfExcitingModel {

  private static final double DAY_MS = 86_400_000.0;

  /**
   * The background lives on the cells within this distance of an event of the fit (its support,
   * {@link Raster#cellsNear}) and is edge-corrected to them, not to the raster's rectangle: the
   * raster has an empty margin around the events, and real cities end at sea or mountains, and a
   * density that spills there falls short near the edge of the populated area, a shortfall the EM
   * fills with diffuse, slow triggering. 500 m is the backtest's study-area rule, which is defined
   * by this constant, so that every cell the backtest scores is on the support of the final fit of
   * some training event near it (a validation fit, on the first part of the training period, can
   * miss cells whose only events near are later); the cells off every support get only triggering.
   * A sparse category's support is patchy: an isolated event's background is spread over its own
   * disc (about 1 km²) instead of the kernel's 2πh².
   */
  public static final double SUPPORT_DISTANCE_METERS = 500;

  /**
   * The share of the fitted background spread evenly over the whole raster, so that no cell's
   * forecast is exactly 0: a cell off the support (a validation fit's study cell whose events near
   * are all later, or ground the live grid covers where nothing happened yet) would otherwise be
   * forecast from triggering alone, and one event there with none near before it would score a log
   * score of −∞ and an exceedance probability of 1. A thousandth moves the forecast of a supported
   * cell by 0.1 % and leaves the EM's estimate alone (it is added to the fit's output only).
   */
  public static final double BACKGROUND_FLOOR_SHARE = 1e-3;

  /**
   * Bounds and settings of a fit.
   *
   * @param minEvents            fewer events than this in a category is an error
   * @param maxTheta             upper bound of the branching ratio (below 1: a stationary process)
   * @param minSigmaMeters       lower bound of σ (locations are often rounded to a block)
   * @param maxSigmaMeters       upper bound of σ
   * @param minDelayDays         lower bound of 1/ω
   * @param maxDelayDays         upper bound of 1/ω
   * @param maxLagDays           a parent is at most this long before its offspring
   * @param maxDistanceMeters    and at most this far away
   * @param maxIterations        EM maps at most (a SQUAREM cycle is three maps)
   * @param tolerance            stop when a SQUAREM cycle changes μ, θ, ω and σ by less than this share (and the log-likelihood by less than 10⁻⁸ of itself)
   * @param truncationSigmas     candidate parents are looked for within this many σ of the current
   *                             estimate (and never beyond {@code maxDistanceMeters}); 4σ holds all
   *                             but e^(−8) ≈ 0.03 % of the offspring kernel
   * @param truncationDelays     and within this many mean delays 1/ω (never beyond {@code maxLagDays});
   *                             6 delays hold all but e^(−6) ≈ 0.25 %
   * @param maxTriggeringEvents  the triggering parameters are estimated on at most this many events:
   *                             the most recent ones, a contiguous period, so that every
   *                             parent–offspring pair inside it is kept; the background then uses
   *                             every event
   */
  public record Bounds(int minEvents, double maxTheta, double minSigmaMeters, double maxSigmaMeters,
                       double minDelayDays, double maxDelayDays, double maxLagDays, double maxDistanceMeters,
                       int maxIterations, double tolerance, double truncationSigmas, double truncationDelays,
                       int maxTriggeringEvents) {

    public static Bounds defaults() {
      return new Bounds(200, 0.95, 10, 500, 1 / 24.0, 30, 90, 1500, 300, 1e-4, 4, 6, 150_000);
    }
  }

  private SelfExcitingModel() {}

  /**
   * Fits one category.
   *
   * @param points       the category's events inside [from, to); other points are ignored
   * @param raster       raster of the background density; it must hold every point
   * @param fromMillis   start of the fitting period
   * @param toMillis     end of the fitting period
   * @param bandwidthMeters Gaussian bandwidth of the background density
   * @throws IllegalArgumentException when the category has too few events to fit
   */
  public static SelfExcitingFit fit(String category, List<EventPoint> points, Raster raster, long fromMillis,
                                    long toMillis, double bandwidthMeters, Bounds bounds) {
    List<EventPoint> ps = new ArrayList<>();
    for (EventPoint p : points) {
      if (p.epochMillis() >= fromMillis && p.epochMillis() < toMillis && raster.index(p.x(), p.y()) >= 0) {
        ps.add(p);
      }
    }
    if (ps.size() < bounds.minEvents()) {
      throw new IllegalArgumentException("category '" + category + "': " + ps.size() + " events between "
          + java.time.Instant.ofEpochMilli(fromMillis) + " and " + java.time.Instant.ofEpochMilli(toMillis)
          + "; the self-exciting model needs at least " + bounds.minEvents()
          + " to estimate its background and triggering (merge it with other categories or lengthen the period)");
    }
    ps.sort(Comparator.comparingLong(EventPoint::epochMillis));
    int n = ps.size();
    double span = (toMillis - fromMillis) / DAY_MS;
    double[] t = new double[n];
    double[] x = new double[n];
    double[] y = new double[n];
    int[] cell = new int[n];
    for (int i = 0; i < n; i++) {
      EventPoint p = ps.get(i);
      t[i] = (p.epochMillis() - fromMillis) / DAY_MS;
      x[i] = p.x();
      y[i] = p.y();
      cell[i] = raster.index(x[i], y[i]);
    }
    // the support from every event of the fit, not only the triggering sample's
    boolean[] support = raster.cellsNear(ps, SUPPORT_DISTANCE_METERS);
    // the triggering parameters from the most recent events (all of them when there are few enough)
    int s0 = Math.max(0, n - bounds.maxTriggeringEvents());
    double sampleStart = s0 == 0 ? 0 : t[s0];
    // the events up to maxLagDays before the sample are its history: parents of its events, not
    // events of the sample themselves (issue 14: without them the sample's first weeks lose their
    // parents, and at density that halved θ)
    int h0 = s0;
    while (h0 > 0 && t[h0 - 1] > sampleStart - bounds.maxLagDays()) {
      h0--;
    }
    double[] st = new double[n - h0];
    for (int i = h0; i < n; i++) {
      st[i - h0] = t[i] - sampleStart;
    }
    double[] sx = Arrays.copyOfRange(x, h0, n);
    double[] sy = Arrays.copyOfRange(y, h0, n);
    int[] scell = Arrays.copyOfRange(cell, h0, n);
    // the events before the sample (history included) inform the background's shape too: a sample's
    // few events per cell make its kernel density noisy, and a noisy background takes triggering
    int[] older = new int[raster.size()];
    for (int i = 0; i < s0; i++) {
      older[cell[i]]++;
    }
    Em em = new Em(st, sx, sy, scell, s0 - h0, older, span - sampleStart, raster, support, bandwidthMeters, bounds);
    em.run();
    if (s0 == 0) {
      return new SelfExcitingFit(category, em.mu, em.theta, em.omega, em.sigma, bandwidthMeters, floored(em.bg), raster, n,
          sum(em.pii), em.iterations, em.logLik);
    }
    // the background from every event, the triggering parameters held at the sample's estimate
    double[] trig = triggeringAtEvents(t, x, y, em.theta, em.omega, em.sigma, bounds);
    double[] pii = new double[n];
    Arrays.fill(pii, 1 - em.theta);
    double area = raster.cellAreaM2();
    double[] bg = null;
    double mu = 0;
    for (int it = 0; it < 20; it++) {
      bg = background(pii, cell, raster, support, bandwidthMeters);
      mu = sum(pii) / span;
      double change = 0;
      for (int i = 0; i < n; i++) {
        double b = mu * bg[cell[i]] / area;
        double p = b + trig[i] > 0 ? b / (b + trig[i]) : 1;
        change = Math.max(change, Math.abs(p - pii[i]));
        pii[i] = p;
      }
      if (change < 1e-4) {
        break;
      }
    }
    bg = background(pii, cell, raster, support, bandwidthMeters);
    mu = sum(pii) / span;
    double ll = 0;
    for (int i = 0; i < n; i++) {
      ll += Math.log(Math.max(mu * bg[cell[i]] / area + trig[i], 1e-300));
    }
    ll -= em.theta * expectedOffspringInWindow(t, x, y, span, raster, em.omega, em.sigma,
        lagLimit(em.omega, bounds), distanceLimit(em.sigma, bounds)) + mu * span;
    return new SelfExcitingFit(category, mu, em.theta, em.omega, em.sigma, bandwidthMeters, floored(bg), raster, n, sum(pii),
        em.iterations, ll);
  }

  /** The triggering intensity at each event from its earlier events, summed without storing the pairs. */
  private static double[] triggeringAtEvents(double[] t, double[] x, double[] y, double theta, double omega,
                                             double sigma, Bounds bounds) {
    double[] trig = new double[t.length];
    double norm = theta * omega / (2 * Math.PI * sigma * sigma);
    double inv2s2 = 1 / (2 * sigma * sigma);
    Pairs.visit(t, x, y, 0, lagLimit(omega, bounds), distanceLimit(sigma, bounds),
        (child, lag, d2) -> trig[child] += norm * Math.exp(-omega * lag - d2 * inv2s2));
    return trig;
  }

  /**
   * One M step of θ, ω and σ: towards the maximum of the expected complete-data log-likelihood
   * {@code S log θ + S log ω − ω D − S log 2πσ² − D₂/2σ² − θ W(ω, σ)}, with S = Σ p_ji,
   * D = Σ p_ji Δt, D₂ = Σ p_ji d² and W the offspring expected in the window
   * ({@link #offspringInWindow}). Its maximum has θ = S / W and
   * {@code ω = S / (D + S W_ω/W)}, {@code σ² = D₂ / (2S + S σ W_σ/W)}; this takes one step of that
   * fixed point from the current (ω, σ), whose W and slopes {@code w} the E step has already
   * computed. The EM's fixed point is then where the log-likelihood's gradient is zero, as it is with
   * the step solved to the end (measured on one 61,250-event sample with the background held: θ 0.2986
   * both ways, 1/ω 4.489 against 4.488 days, σ 100.84 against 100.85 m).
   *
   * <p>Without W's slopes these are the textbook 1/ω = D/S and σ² = D₂/2S, which are off by the share
   * of offspring lost over the raster's edge, after the period's end and beyond the parent search (a
   * few percent; for the lag cut alone the condition is the rate of an exponential observed only
   * below the cut, {@code TriggeringStepTest}). At high density that is not small: when an offspring
   * has a hundred candidate parents the fraction of missing information is near 1, and the EM's fixed
   * point moves by such a bias divided by one minus that fraction, many times the bias itself
   * (issue 14).
   *
   * @param sigma the current σ, at which {@code w} was computed
   * @param w     {@code {W, ∂W/∂ω, ∂W/∂σ}} at the current (ω, σ)
   * @return {@code {θ, ω, σ}}, in the bounds
   */
  static double[] triggeringStep(double sumP, double sumDt, double sumD2, double sigma, double[] w, Bounds bounds) {
    double omega = clamp(sumP / (sumDt + sumP * w[1] / w[0]), 1 / bounds.maxDelayDays(), 1 / bounds.minDelayDays());
    double den = 2 * sumP + sumP * sigma * w[2] / w[0];
    // no finite root when the offsets look uniform within the cut: the bound applies
    double newSigma = den > 0 ? clamp(Math.sqrt(sumD2 / den), bounds.minSigmaMeters(), bounds.maxSigmaMeters())
        : bounds.maxSigmaMeters();
    return new double[] {clamp(sumP / Math.max(w[0], 1e-9), 0, bounds.maxTheta()), omega, newSigma};
  }

  /**
   * Offspring the events are expected to have where the likelihood looks for them, per unit of θ:
   * {@code Σ_j (1 − e^(−ω min(L, T − t_j))) · m_j(σ) · (1 − e^(−R²/2σ²))}, with {@code m_j} the
   * share of event j's Gaussian offspring kernel that falls inside the raster (offspring outside it
   * are never observed), L the lag and R the distance within which parents are looked for. The
   * compensator of the likelihood and the θ step both need it.
   *
   * <p>Leaving out {@code m_j} overstates the offspring the estimate should have seen by the share
   * lost over the edge (about 1 % of a 20 km square at σ = 100 m, 3 % of a 5 km one). Leaving out
   * the cut at L and R (issue 14) charges every event for offspring beyond the parent search, which
   * the intensity at the offspring never credits: the likelihood then prefers a kernel with less
   * mass beyond the cut, a shorter and narrower one, and since the cut is set from the current
   * estimate (6 mean delays, 4σ) every refit of the candidate pairs moved it further. At high
   * density, where the likelihood is flat along θ, ω and σ together, a 0.3 % share lost beyond the
   * cut pulled the estimate from θ 0.3, 1/ω 5 d, σ 100 m to θ 0.2, 1/ω 3.5 d, σ 70 m. With both
   * factors the compensator is that of the truncated kernel the intensity uses, and the M step
   * ({@link #triggeringStep}) is that kernel's.
   *
   * @param maxLag  L, days ({@code Double.POSITIVE_INFINITY} for no cut)
   * @param maxDist R, metres ({@code Double.POSITIVE_INFINITY} for no cut)
   */
  static double expectedOffspringInWindow(double[] t, double[] x, double[] y, double span, Raster raster,
                                          double omega, double sigma, double maxLag, double maxDist) {
    return offspringInWindow(t, x, y, span, raster, omega, sigma, maxLag, maxDist)[0];
  }

  /**
   * {@link #expectedOffspringInWindow} W and its derivatives {@code ∂W/∂ω} and {@code ∂W/∂σ}, which
   * the M step needs: W depends on ω through the period's end and the lag cut, and on σ through the
   * raster's edge and the distance cut. Returns {@code {W, ∂W/∂ω, ∂W/∂σ}}.
   */
  static double[] offspringInWindow(double[] t, double[] x, double[] y, double span, Raster raster,
                                    double omega, double sigma, double maxLag, double maxDist) {
    double x0 = raster.x0();
    double y0 = raster.y0();
    double x1 = x0 + raster.nx() * raster.cellMeters();
    double y1 = y0 + raster.ny() * raster.cellMeters();
    // beyond this many σ from every edge the share inside is 1 to double precision, its slope 0
    double far = 7 * sigma;
    double w = 0;
    double wOmega = 0;
    double wSigma = 0;
    for (int j = 0; j < t.length; j++) {
      // offspring of event j are seen at lags in [lo, hi): after the period's start, before its end and the cut
      double lo = Math.max(0, -t[j]);
      double hi = Math.min(maxLag, span - t[j]);
      if (hi <= lo) {
        continue;
      }
      double eLo = Math.exp(-omega * lo);
      double eHi = Math.exp(-omega * hi);
      double a = eLo - eHi;
      double mx = 1;
      double my = 1;
      double dmx = 0;
      double dmy = 0;
      double ax1 = x1 - x[j];
      double ax0 = x0 - x[j];
      double ay1 = y1 - y[j];
      double ay0 = y0 - y[j];
      if (ax1 < far || -ax0 < far) {
        mx = SelfExcitingForecaster.phi(ax1, sigma) - SelfExcitingForecaster.phi(ax0, sigma);
        dmx = -(ax1 * gauss(ax1, sigma) - ax0 * gauss(ax0, sigma)) / sigma;
      }
      if (ay1 < far || -ay0 < far) {
        my = SelfExcitingForecaster.phi(ay1, sigma) - SelfExcitingForecaster.phi(ay0, sigma);
        dmy = -(ay1 * gauss(ay1, sigma) - ay0 * gauss(ay0, sigma)) / sigma;
      }
      double m = mx * my;
      w += a * m;
      wOmega += (hi * eHi - lo * eLo) * m;
      wSigma += a * (dmx * my + mx * dmy);
    }
    // the disc of radius R holds c = 1 − e^(−R²/2σ²) of the kernel (taken apart from the edge share: both
    // cuts only matter together for events within R of the edge, and there R ≥ 4σ loses 0.03 %)
    double u = maxDist * maxDist / (2 * sigma * sigma);
    double c = Double.isInfinite(u) ? 1 : -Math.expm1(-u);
    double dc = Double.isInfinite(u) ? 0 : -2 * u / sigma * Math.exp(-u);
    return new double[] {w * c, wOmega * c, wSigma * c + w * dc};
  }

  /** The density of N(0, σ²) at d. */
  private static double gauss(double d, double sigma) {
    double z = d / sigma;
    return Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
  }

  static double distanceLimit(double sigma, Bounds bounds) {
    return Math.min(bounds.maxDistanceMeters(), bounds.truncationSigmas() * sigma);
  }

  static double lagLimit(double omega, Bounds bounds) {
    return Math.min(bounds.maxLagDays(), bounds.truncationDelays() / omega);
  }

  /**
   * The EM iterations on one set of events, accelerated by SQUAREM (Varadhan and Roland 2008,
   * Scand. J. Stat. 35:335–353, scheme S3). One EM map {@code F} takes the state
   * {@code v = (μ, θ, ω, σ, b)} through an E step and an M step; a SQUAREM cycle evaluates
   * {@code v1 = F(v)}, {@code v2 = F(v1)}, extrapolates {@code v' = v − 2αr + α²s} with
   * {@code r = v1 − v}, {@code s = v2 − 2v1 + v}, {@code α = −|r|/|s|} (at most −1, the plain EM
   * step), projects v' into the bounds and keeps it when the log-likelihood at v' is not below the
   * one at v, else falls back to v2. Plain EM converges at the rate of the fraction of missing
   * information, which at high density (an offspring among a hundred candidate parents) is close to
   * 1: its steps become tiny long before it reaches the fixed point, so a step-size stopping rule
   * stops it far from the estimate. Extrapolation is done on (μ, θ, log ω, log σ, b), b clamped
   * at zero and renormalised.
   *
   * <p>Convergence: a cycle that moves every one of μ, θ, ω, σ by less than {@link Bounds#tolerance}
   * relatively and the log-likelihood by less than 10⁻⁸ relatively. The candidate pairs are found
   * again, between cycles, whenever the truncation they were found with ({@link #distanceLimit},
   * {@link #lagLimit} of the current estimate) has moved by more than a tenth, so that a growing σ
   * or delay is not cut short. {@link Bounds#maxIterations} counts EM maps. The E step runs over
   * the available processors, each on its own range of offspring.
   */
  private static final class Em {
    final double[] t;
    final double[] x;
    final double[] y;
    final int[] cell;
    /** Events before this index are history: parents only, before the period (negative times). */
    final int firstChild;
    /** Events per cell before the sample: in the background's kernel density at the sample's mean p_ii. */
    final int[] olderPerCell;
    final double span;
    final Raster raster;
    /** Cells the background lives on. */
    final boolean[] support;
    final double bandwidthMeters;
    final Bounds bounds;
    double theta;
    double omega;
    double sigma;
    double mu;
    double[] bg;
    double[] pii;
    double logLik = Double.NaN;
    int iterations;
    private Pairs pairs;
    private double pairLag;
    private double pairDist;
    private double[] lambda;
    private double[] pji;
    private double offspringWindowOmega = Double.NaN;
    private double offspringWindowSigma = Double.NaN;
    private double[] offspringWindow;
    private Pairs offspringWindowPairs;

    Em(double[] t, double[] x, double[] y, int[] cell, int firstChild, int[] olderPerCell, double span,
       Raster raster, boolean[] support, double bandwidthMeters, Bounds bounds) {
      this.t = t;
      this.firstChild = firstChild;
      this.olderPerCell = olderPerCell;
      this.x = x;
      this.y = y;
      this.cell = cell;
      this.span = span;
      this.raster = raster;
      this.support = support;
      this.bandwidthMeters = bandwidthMeters;
      this.bounds = bounds;
    }

    void run() {
      int n = t.length;
      double theta0 = Math.min(0.3, bounds.maxTheta());
      double[] start = new double[4 + raster.size()];
      pii = new double[n];
      Arrays.fill(pii, firstChild, n, 1 - theta0);
      start[0] = (1 - theta0) * (n - firstChild) / span;
      start[1] = theta0;
      start[2] = Math.log(clamp(1 / 7.0, 1 / bounds.maxDelayDays(), 1 / bounds.minDelayDays()));
      start[3] = Math.log(clamp(100, bounds.minSigmaMeters(), bounds.maxSigmaMeters()));
      System.arraycopy(sampleBackground(), 0, start, 4, raster.size());
      lambda = new double[n];
      pairDist = Double.NaN;
      double[] v = start;
      double stepMax = 1;
      int maps = 0;
      while (maps < bounds.maxIterations()) {
        double wantLag = lagLimit(Math.exp(v[2]), bounds);
        double wantDist = distanceLimit(Math.exp(v[3]), bounds);
        if (pairs == null || rel(wantLag, pairLag) > 0.1 || rel(wantDist, pairDist) > 0.1) {
          pairLag = wantLag;
          pairDist = wantDist;
          pairs = Pairs.find(t, x, y, firstChild, pairLag, pairDist);
          pji = new double[pairs.size];
        }
        double[] v1 = map(v);
        double ll0 = logLik;
        double[] v2 = map(v1);
        maps += 2;
        double rr = 0;
        double ss = 0;
        double[] r = new double[v.length];
        double[] s = new double[v.length];
        for (int k = 0; k < v.length; k++) {
          r[k] = v1[k] - v[k];
          s[k] = v2[k] - 2 * v1[k] + v[k];
          rr += r[k] * r[k];
          ss += s[k] * s[k];
        }
        double[] next = v2;
        if (ss > 0 && rr > 0) {
          double alpha = Math.max(-stepMax, Math.min(-1, -Math.sqrt(rr / ss)));
          double[] ext = new double[v.length];
          for (int k = 0; k < v.length; k++) {
            ext[k] = v[k] - 2 * alpha * r[k] + alpha * alpha * s[k];
          }
          project(ext);
          double[] ext1 = map(ext);
          maps++;
          if (Double.isFinite(logLik) && logLik >= ll0 - 1e-9 * Math.abs(ll0)) {
            next = ext1;
            if (alpha == -stepMax) {
              stepMax *= 4;
            }
          } else {
            stepMax = Math.max(1, stepMax / 4);
          }
        }
        double change = Math.max(rel(next[0], v[0]), Math.abs(next[1] - v[1]) / Math.max(v[1], 1e-12));
        change = Math.max(change, Math.max(Math.abs(Math.expm1(next[2] - v[2])), Math.abs(Math.expm1(next[3] - v[3]))));
        boolean llSteady = Math.abs(logLik - ll0) <= 1e-8 * Math.max(1, Math.abs(ll0));
        v = next;
        if (change < bounds.tolerance() && llSteady) {
          break;
        }
      }
      // the estimate, and the background probabilities at it
      double[] fin = map(v);
      maps++;
      iterations = maps;
      mu = fin[0];
      theta = fin[1];
      omega = Math.exp(fin[2]);
      sigma = Math.exp(fin[3]);
      bg = Arrays.copyOfRange(fin, 4, fin.length);
      // the log-likelihood and p_ii of the returned estimate
      map(fin);
    }

    /**
     * The background's kernel density: the sample's events weighted by p_ii, and the events before
     * it by the sample's mean p_ii (their own is not computed).
     */
    private double[] sampleBackground() {
      double[] w = new double[raster.size()];
      double sum = 0;
      for (int i = firstChild; i < t.length; i++) {
        w[cell[i]] += pii[i];
        sum += pii[i];
      }
      double mean = sum / (t.length - firstChild);
      for (int c = 0; c < w.length; c++) {
        w[c] += mean * olderPerCell[c];
      }
      return GaussianSmoothing.smooth(w, raster, bandwidthMeters, support);
    }

    /** Keeps a state inside the bounds: θ, ω, σ clamped, μ positive, b non-negative and summing to 1. */
    private void project(double[] v) {
      v[0] = Math.max(v[0], 1e-12);
      v[1] = clamp(v[1], 0, bounds.maxTheta());
      v[2] = clamp(v[2], Math.log(1 / bounds.maxDelayDays()), Math.log(1 / bounds.minDelayDays()));
      v[3] = clamp(v[3], Math.log(bounds.minSigmaMeters()), Math.log(bounds.maxSigmaMeters()));
      double sum = 0;
      for (int k = 4; k < v.length; k++) {
        v[k] = Math.max(v[k], 0);
        sum += v[k];
      }
      for (int k = 4; k < v.length; k++) {
        v[k] /= sum;
      }
    }

    /**
     * One EM map: the E step at {@code v} (which also sets {@link #logLik} and {@link #pii} at v),
     * then the M step. The state is (μ, θ, log ω, log σ, b).
     */
    private double[] map(double[] v) {
      int n = t.length;
      double mu0 = v[0];
      double th = v[1];
      double om = Math.exp(v[2]);
      double sg = Math.exp(v[3]);
      double area = raster.cellAreaM2();
      double norm = th * om / (2 * Math.PI * sg * sg);
      double inv2s2 = 1 / (2 * sg * sg);
      if (om != offspringWindowOmega || sg != offspringWindowSigma || pairs != offspringWindowPairs) {
        offspringWindow = offspringInWindow(t, x, y, span, raster, om, sg, pairLag, pairDist);
        offspringWindowOmega = om;
        offspringWindowSigma = sg;
        offspringWindowPairs = pairs;
      }
      Pairs pr = pairs;
      int chunks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), pr.size / 200_000));
      int[] bounds0 = pr.childRanges(chunks, firstChild, n);
      // per chunk: Σ log λ, Σ p_ii, Σ p_ji, Σ p_ji dt, Σ p_ji d²
      double[][] part = new double[chunks][5];
      java.util.stream.IntStream.range(0, chunks).parallel().forEach(c -> {
        int childLo = bounds0[2 * c];
        int childHi = bounds0[2 * c + 1];
        int kLo = pr.firstPairOf(childLo);
        int kHi = pr.firstPairOf(childHi);
        for (int i = childLo; i < childHi; i++) {
          lambda[i] = mu0 * v[4 + cell[i]] / area;
        }
        for (int k = kLo; k < kHi; k++) {
          double g = norm * Math.exp(-om * pr.dt[k] - pr.d2[k] * inv2s2);
          pji[k] = g;
          lambda[pr.child[k]] += g;
        }
        double ll = 0;
        double sp = 0;
        for (int i = childLo; i < childHi; i++) {
          double b = mu0 * v[4 + cell[i]] / area;
          pii[i] = lambda[i] > 0 ? b / lambda[i] : 1;
          sp += pii[i];
          ll += Math.log(Math.max(lambda[i], 1e-300));
        }
        double sumP = 0;
        double sumDt = 0;
        double sumD2 = 0;
        for (int k = kLo; k < kHi; k++) {
          double lam = lambda[pr.child[k]];
          double p = lam > 0 ? pji[k] / lam : 0;
          sumP += p;
          sumDt += p * pr.dt[k];
          sumD2 += p * pr.d2[k];
        }
        part[c][0] = ll;
        part[c][1] = sp;
        part[c][2] = sumP;
        part[c][3] = sumDt;
        part[c][4] = sumD2;
      });
      double ll = 0;
      double sumPii = 0;
      double sumPji = 0;
      double sumDt = 0;
      double sumD2 = 0;
      for (double[] p : part) {
        ll += p[0];
        sumPii += p[1];
        sumPji += p[2];
        sumDt += p[3];
        sumD2 += p[4];
      }
      logLik = ll - mu0 * span - th * offspringWindow[0];
      double[] out = new double[v.length];
      out[0] = sumPii / span;
      double[] trig = sumPji > 0 ? triggeringStep(sumPji, sumDt, sumD2, sg, offspringWindow, bounds)
          : new double[] {0, om, sg};
      out[1] = trig[0];
      out[2] = Math.log(trig[1]);
      out[3] = Math.log(trig[2]);
      System.arraycopy(sampleBackground(), 0, out, 4, raster.size());
      return out;
    }
  }

  /** The background with {@link #BACKGROUND_FLOOR_SHARE} of it spread over every cell (still summing to 1). */
  static double[] floored(double[] bg) {
    double sum = 0;
    for (double v : bg) {
      sum += v;
    }
    if (!(sum > 0)) {
      return bg;
    }
    double[] out = new double[bg.length];
    double even = BACKGROUND_FLOOR_SHARE / bg.length;
    for (int c = 0; c < bg.length; c++) {
      out[c] = (1 - BACKGROUND_FLOOR_SHARE) * bg[c] + even;
    }
    return out;
  }

  /** The background density: the events weighted by their background probability, smoothed on the support. */
  private static double[] background(double[] pii, int[] cell, Raster raster, boolean[] support,
                                     double bandwidthMeters) {
    double[] w = new double[raster.size()];
    for (int i = 0; i < pii.length; i++) {
      w[cell[i]] += pii[i];
    }
    return GaussianSmoothing.smooth(w, raster, bandwidthMeters, support);
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  /**
   * Fits every category in {@code points} with at least {@code bounds.minEvents()} events; the
   * categories with fewer are pooled into one fit named {@code pooledName} (which must itself have
   * enough events, else the message names every small category).
   */
  public static Map<String, SelfExcitingFit> fitAll(List<EventPoint> points, Raster raster, long fromMillis,
                                                    long toMillis, double bandwidthMeters, Bounds bounds,
                                                    String pooledName) {
    Map<String, List<EventPoint>> by = new HashMap<>();
    for (EventPoint p : points) {
      if (p.epochMillis() >= fromMillis && p.epochMillis() < toMillis) {
        by.computeIfAbsent(p.category(), k -> new ArrayList<>()).add(p);
      }
    }
    Map<String, SelfExcitingFit> out = new java.util.TreeMap<>();
    List<EventPoint> pooled = new ArrayList<>();
    List<String> small = new ArrayList<>();
    for (Map.Entry<String, List<EventPoint>> e : by.entrySet()) {
      if (e.getValue().size() >= bounds.minEvents()) {
        out.put(e.getKey(), fit(e.getKey(), e.getValue(), raster, fromMillis, toMillis, bandwidthMeters, bounds));
      } else {
        pooled.addAll(e.getValue());
        small.add(e.getKey());
      }
    }
    if (!pooled.isEmpty()) {
      java.util.Collections.sort(small);
      out.put(pooledName, fit(pooledName + " " + small, pooled, raster, fromMillis, toMillis, bandwidthMeters,
          bounds));
    }
    return out;
  }

  private static double rel(double a, double b) {
    return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  }

  static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /** Candidate (parent, child) pairs within the lag and distance limits, found through a bucket grid. */
  static final class Pairs {
    /** At most this many buckets (16 MB of offsets); beyond it the buckets widen. */
    static final int MAX_BUCKETS = 4_000_000;

    int size;
    int[] child = new int[1024];
    float[] dt = new float[1024];
    float[] d2 = new float[1024];

    /** One candidate pair: the child's index, the lag in days and the squared distance. */
    interface Visitor {
      void pair(int child, double lag, double dist2);
    }

    static Pairs find(double[] t, double[] x, double[] y, int firstChild, double maxLag, double maxDist) {
      Pairs p = new Pairs();
      visit(t, x, y, firstChild, maxLag, maxDist, p::add);
      return p;
    }

    /**
     * Calls {@code v} for every (earlier parent, child) pair within the limits, children from index
     * {@code firstChild} on; {@code t} must be sorted.
     */
    static void visit(double[] t, double[] x, double[] y, int firstChild, double maxLag, double maxDist, Visitor p) {
      visit(t, x, y, firstChild, maxLag, maxDist, MAX_BUCKETS, p);
    }

    /** {@link #visit(double[], double[], double[], int, double, double, Visitor)} with at most {@code maxBuckets} buckets. */
    static void visit(double[] t, double[] x, double[] y, int firstChild, double maxLag, double maxDist, int maxBuckets,
                      Visitor p) {
      int n = t.length;
      if (n == 0) {
        return;
      }
      // a dense grid of square buckets at least maxDist wide, in compressed rows: the events of bucket
      // b are order[start[b]] … order[start[b + 1] − 1], in time order (a hash map of boxed keys cost
      // a fifth of a million-event fit)
      long minX = Long.MAX_VALUE;
      long minY = Long.MAX_VALUE;
      long maxX = Long.MIN_VALUE;
      long maxY = Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        long fx = (long) Math.floor(x[i]);
        long fy = (long) Math.floor(y[i]);
        minX = Math.min(minX, fx);
        maxX = Math.max(maxX, fx);
        minY = Math.min(minY, fy);
        maxY = Math.max(maxY, fy);
      }
      long bs = Math.max(1, (long) Math.ceil(maxDist));
      // wider buckets on a wide, sparse area keep the grid's memory bounded; every pair is still found
      while ((double) ((maxX - minX) / bs + 1) * ((maxY - minY) / bs + 1) > maxBuckets) {
        bs *= 2;
      }
      int nx = (int) ((maxX - minX) / bs + 1);
      int ny = (int) ((maxY - minY) / bs + 1);
      int[] bucket = new int[n];
      int[] start = new int[nx * ny + 1];
      for (int i = 0; i < n; i++) {
        bucket[i] = (int) (((long) Math.floor(x[i]) - minX) / bs) * ny + (int) (((long) Math.floor(y[i]) - minY) / bs);
        start[bucket[i] + 1]++;
      }
      for (int b = 0; b < nx * ny; b++) {
        start[b + 1] += start[b];
      }
      int[] order = new int[n];
      int[] fill = Arrays.copyOf(start, nx * ny);
      for (int i = 0; i < n; i++) {
        order[fill[bucket[i]]++] = i;
      }
      double maxD2 = maxDist * maxDist;
      for (int i = firstChild; i < n; i++) {
        int bx = bucket[i] / ny;
        int by = bucket[i] % ny;
        for (int cx = Math.max(0, bx - 1); cx <= Math.min(nx - 1, bx + 1); cx++) {
          for (int cy = Math.max(0, by - 1); cy <= Math.min(ny - 1, by + 1); cy++) {
            int b = cx * ny + cy;
            int end = start[b + 1];
            for (int q = lowerBound(order, start[b], end, t, t[i] - maxLag); q < end; q++) {
              int j = order[q];
              if (t[j] >= t[i]) {
                break;
              }
              double ddx = x[i] - x[j];
              double ddy = y[i] - y[j];
              double d2 = ddx * ddx + ddy * ddy;
              if (d2 <= maxD2) {
                p.pair(i, t[i] - t[j], d2);
              }
            }
          }
        }
      }
    }

    /**
     * Splits the children {@code [first, n)} into {@code chunks} ranges with about as many pairs each:
     * {@code [lo0, hi0, lo1, hi1, ...]}. Pairs are stored in the order of their child.
     */
    int[] childRanges(int chunks, int first, int n) {
      int[] out = new int[2 * chunks];
      int lo = first;
      for (int c = 0; c < chunks; c++) {
        int hi;
        if (c == chunks - 1) {
          hi = n;
        } else {
          int k = (int) ((long) size * (c + 1) / chunks);
          hi = k < size ? Math.max(lo, child[k]) : n;
        }
        out[2 * c] = lo;
        out[2 * c + 1] = hi;
        lo = hi;
      }
      return out;
    }

    /** Index of the first pair whose child is at least {@code c} (pairs are in child order). */
    int firstPairOf(int c) {
      int lo = 0;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (child[mid] < c) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    /** The first position in {@code order[lo, hi)} whose event is at or after {@code v}. */
    private static int lowerBound(int[] list, int lo, int hi, double[] t, double v) {
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (t[list[mid]] < v) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private void add(int c, double lag, double dist2) {
      if (size == child.length) {
        int cap = child.length * 2;
        child = Arrays.copyOf(child, cap);
        dt = Arrays.copyOf(dt, cap);
        d2 = Arrays.copyOf(d2, cap);
      }
      child[size] = c;
      dt[size] = (float) lag;
      d2[size] = (float) dist2;
      size++;
    }

  }
}
