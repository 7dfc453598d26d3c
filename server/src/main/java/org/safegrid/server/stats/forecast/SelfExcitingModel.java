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
 *       of the events weighted by {@code p_ii}, on the raster; {@code θ = Σ p_ji / Σ_j (1 − e^(−ω(T − t_j)))}
 *       (offspring expected before the end of the period); {@code ω = Σ p_ji / Σ p_ji (t_i − t_j)};
 *       {@code σ² = Σ p_ji |x_i − x_j|² / (2 Σ p_ji)}.</li>
 * </ul>
 *
 * Parents are looked for within {@link Bounds#maxLagDays} and {@link Bounds#maxDistanceMeters};
 * θ, ω and σ are kept inside the bounds. Plain class, thread-safe (no state).
 */
public final class SelfExcitingModel {

  private static final double DAY_MS = 86_400_000.0;

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
   * @param maxIterations        EM iterations at most
   * @param tolerance            stop when every parameter changes by less than this share
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
      return new Bounds(200, 0.95, 10, 500, 1 / 24.0, 30, 90, 1500, 300, 1e-5, 4, 6, 150_000);
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
    // the triggering parameters from the most recent events (all of them when there are few enough)
    int s0 = Math.max(0, n - bounds.maxTriggeringEvents());
    double sampleStart = s0 == 0 ? 0 : t[s0];
    double[] st = new double[n - s0];
    for (int i = s0; i < n; i++) {
      st[i - s0] = t[i] - sampleStart;
    }
    double[] sx = Arrays.copyOfRange(x, s0, n);
    double[] sy = Arrays.copyOfRange(y, s0, n);
    int[] scell = Arrays.copyOfRange(cell, s0, n);
    Em em = new Em(st, sx, sy, scell, span - sampleStart, raster, bandwidthMeters, bounds);
    em.run();
    if (s0 == 0) {
      return new SelfExcitingFit(category, em.mu, em.theta, em.omega, em.sigma, bandwidthMeters, em.bg, raster, n,
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
      bg = background(pii, cell, raster, bandwidthMeters);
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
    bg = background(pii, cell, raster, bandwidthMeters);
    mu = sum(pii) / span;
    double ll = 0;
    for (int i = 0; i < n; i++) {
      ll += Math.log(Math.max(mu * bg[cell[i]] / area + trig[i], 1e-300));
    }
    for (int j = 0; j < n; j++) {
      ll -= em.theta * (1 - Math.exp(-em.omega * (span - t[j])));
    }
    ll -= mu * span;
    return new SelfExcitingFit(category, mu, em.theta, em.omega, em.sigma, bandwidthMeters, bg, raster, n, sum(pii),
        em.iterations, ll);
  }

  /** The triggering intensity at each event from its earlier events, summed without storing the pairs. */
  private static double[] triggeringAtEvents(double[] t, double[] x, double[] y, double theta, double omega,
                                             double sigma, Bounds bounds) {
    double[] trig = new double[t.length];
    double norm = theta * omega / (2 * Math.PI * sigma * sigma);
    double inv2s2 = 1 / (2 * sigma * sigma);
    Pairs.visit(t, x, y, lagLimit(omega, bounds), distanceLimit(sigma, bounds),
        (child, lag, d2) -> trig[child] += norm * Math.exp(-omega * lag - d2 * inv2s2));
    return trig;
  }

  /**
   * The maximum-likelihood rate of an exponential observed only below {@code limit}, from the
   * (weighted) mean {@code mean} of what was observed: the root of 1/ω − L/(e^{ωL} − 1) = mean,
   * by fixed-point iteration from 1/mean. Without this, cutting the candidate parents at a few mean
   * delays would bias ω upwards (the long delays are never seen). No finite root when mean ≥ L/2
   * (the delays look uniform): the iteration then runs towards 0 and the caller's bounds apply.
   */
  static double truncatedExponentialRate(double mean, double limit) {
    double w = 1 / Math.max(mean, 1e-12);
    if (!(limit > 0) || Double.isInfinite(limit)) {
      return w;
    }
    for (int i = 0; i < 100; i++) {
      double x = w * limit;
      double next = 1 / (mean + (x > 700 ? 0 : limit / Math.expm1(x)));
      boolean done = Math.abs(next - w) <= 1e-12 * w;
      w = next;
      if (done) {
        break;
      }
    }
    return w;
  }

  static double distanceLimit(double sigma, Bounds bounds) {
    return Math.min(bounds.maxDistanceMeters(), bounds.truncationSigmas() * sigma);
  }

  static double lagLimit(double omega, Bounds bounds) {
    return Math.min(bounds.maxLagDays(), bounds.truncationDelays() / omega);
  }

  /**
   * The EM iterations on one set of events. The candidate pairs are found again whenever the
   * truncation they were found with ({@link #distanceLimit}, {@link #lagLimit} of the current
   * estimate) has moved by more than a tenth, so that a growing σ or delay is not cut short.
   */
  private static final class Em {
    final double[] t;
    final double[] x;
    final double[] y;
    final int[] cell;
    final double span;
    final Raster raster;
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

    Em(double[] t, double[] x, double[] y, int[] cell, double span, Raster raster, double bandwidthMeters,
       Bounds bounds) {
      this.t = t;
      this.x = x;
      this.y = y;
      this.cell = cell;
      this.span = span;
      this.raster = raster;
      this.bandwidthMeters = bandwidthMeters;
      this.bounds = bounds;
    }

    void run() {
      int n = t.length;
      theta = Math.min(0.3, bounds.maxTheta());
      omega = clamp(1 / 7.0, 1 / bounds.maxDelayDays(), 1 / bounds.minDelayDays());
      sigma = clamp(100, bounds.minSigmaMeters(), bounds.maxSigmaMeters());
      pii = new double[n];
      Arrays.fill(pii, 1 - theta);
      double[] lambda = new double[n];
      double pairLag = lagLimit(omega, bounds);
      double pairDist = distanceLimit(sigma, bounds);
      Pairs pairs = Pairs.find(t, x, y, pairLag, pairDist);
      double[] pji = new double[pairs.size];
      int it = 0;
      for (; it < bounds.maxIterations(); it++) {
        double wantLag = lagLimit(omega, bounds);
        double wantDist = distanceLimit(sigma, bounds);
        if (rel(wantLag, pairLag) > 0.1 || rel(wantDist, pairDist) > 0.1) {
          pairLag = wantLag;
          pairDist = wantDist;
          pairs = Pairs.find(t, x, y, pairLag, pairDist);
          pji = new double[pairs.size];
        }
        int m = pairs.size;
        // M step for the background from the current p_ii
        bg = background(pii, cell, raster, bandwidthMeters);
        mu = sum(pii) / span;
        // E step
        double area = raster.cellAreaM2();
        double norm = 1 / (2 * Math.PI * sigma * sigma);
        double inv2s2 = 1 / (2 * sigma * sigma);
        for (int i = 0; i < n; i++) {
          lambda[i] = mu * bg[cell[i]] / area;
        }
        for (int k = 0; k < m; k++) {
          double g = theta * omega * Math.exp(-omega * pairs.dt[k] - pairs.d2[k] * inv2s2) * norm;
          pji[k] = g;
          lambda[pairs.child[k]] += g;
        }
        double ll = 0;
        double sumPii = 0;
        for (int i = 0; i < n; i++) {
          double b = mu * bg[cell[i]] / area;
          pii[i] = lambda[i] > 0 ? b / lambda[i] : 1;
          sumPii += pii[i];
          ll += Math.log(Math.max(lambda[i], 1e-300));
        }
        double offspringWindow = 0;
        for (int j = 0; j < n; j++) {
          offspringWindow += 1 - Math.exp(-omega * (span - t[j]));
        }
        ll -= mu * span + theta * offspringWindow;
        double sumPji = 0;
        double sumDt = 0;
        double sumD2 = 0;
        for (int k = 0; k < m; k++) {
          double lam = lambda[pairs.child[k]];
          double p = lam > 0 ? pji[k] / lam : 0;
          sumPji += p;
          sumDt += p * pairs.dt[k];
          sumD2 += p * pairs.d2[k];
        }
        // M step for the triggering kernel
        double newTheta = clamp(sumPji / Math.max(offspringWindow, 1e-9), 0, bounds.maxTheta());
        // the delays were only looked for below pairLag: the rate of an exponential seen below a limit
        double newOmega = sumPji > 0 ? clamp(truncatedExponentialRate(sumDt / sumPji, pairLag),
            1 / bounds.maxDelayDays(), 1 / bounds.minDelayDays()) : omega;
        double newSigma = sumPji > 0 ? clamp(Math.sqrt(sumD2 / (2 * sumPji)), bounds.minSigmaMeters(),
            bounds.maxSigmaMeters()) : sigma;
        double change = Math.max(rel(newTheta, theta), Math.max(rel(newOmega, omega), rel(newSigma, sigma)));
        if (!Double.isNaN(logLik)) {
          change = Math.max(change, Math.abs(ll - logLik) / Math.max(1, Math.abs(ll)));
        }
        theta = newTheta;
        omega = newOmega;
        sigma = newSigma;
        logLik = ll;
        if (change < bounds.tolerance() && it > 2) {
          it++;
          break;
        }
        if (sumPii <= 0) {
          break;
        }
      }
      iterations = it;
      bg = background(pii, cell, raster, bandwidthMeters);
      mu = sum(pii) / span;
    }
  }

  /** The background density: the events weighted by their background probability, smoothed. */
  private static double[] background(double[] pii, int[] cell, Raster raster, double bandwidthMeters) {
    double[] w = new double[raster.size()];
    for (int i = 0; i < pii.length; i++) {
      w[cell[i]] += pii[i];
    }
    return GaussianSmoothing.smooth(w, raster, bandwidthMeters);
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
    int size;
    int[] child = new int[1024];
    float[] dt = new float[1024];
    float[] d2 = new float[1024];

    /** One candidate pair: the child's index, the lag in days and the squared distance. */
    interface Visitor {
      void pair(int child, double lag, double dist2);
    }

    static Pairs find(double[] t, double[] x, double[] y, double maxLag, double maxDist) {
      Pairs p = new Pairs();
      visit(t, x, y, maxLag, maxDist, p::add);
      return p;
    }

    /** Calls {@code v} for every (earlier parent, child) pair within the limits; {@code t} must be sorted. */
    static void visit(double[] t, double[] x, double[] y, double maxLag, double maxDist, Visitor p) {
      Map<Long, int[]> buckets = new HashMap<>();
      Map<Long, Integer> fill = new HashMap<>();
      int n = t.length;
      long[] key = new long[n];
      for (int i = 0; i < n; i++) {
        key[i] = key(Math.floorDiv((long) Math.floor(x[i]), (long) Math.ceil(maxDist)),
            Math.floorDiv((long) Math.floor(y[i]), (long) Math.ceil(maxDist)));
        fill.merge(key[i], 1, Integer::sum);
      }
      for (Map.Entry<Long, Integer> e : fill.entrySet()) {
        buckets.put(e.getKey(), new int[e.getValue()]);
        e.setValue(0);
      }
      for (int i = 0; i < n; i++) {
        // events are sorted by time, so each bucket's list is too
        int k = fill.merge(key[i], 1, Integer::sum) - 1;
        buckets.get(key[i])[k] = i;
      }
      double maxD2 = maxDist * maxDist;
      long bs = (long) Math.ceil(maxDist);
      for (int i = 0; i < n; i++) {
        long bx = Math.floorDiv((long) Math.floor(x[i]), bs);
        long by = Math.floorDiv((long) Math.floor(y[i]), bs);
        for (long dx = -1; dx <= 1; dx++) {
          for (long dy = -1; dy <= 1; dy++) {
            int[] list = buckets.get(key(bx + dx, by + dy));
            if (list == null) {
              continue;
            }
            int lo = lowerBound(list, t, t[i] - maxLag);
            for (int q = lo; q < list.length; q++) {
              int j = list[q];
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

    private static int lowerBound(int[] list, double[] t, double v) {
      int lo = 0;
      int hi = list.length;
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

    private static long key(long a, long b) {
      return (a << 32) ^ (b & 0xffffffffL);
    }
  }
}
