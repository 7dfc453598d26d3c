package org.safegrid.server.stats.forecast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The self-exciting forecast of every event category on one raster: what the backtest scores as
 * {@code safegrid} and what the live engine serves, the same object in both.
 *
 * <p>Fitting (one {@link SelfExcitingModel#fit} per category): a category with at least
 * {@code bounds.minEvents()} events in the fitting period gets its own fit; the others are pooled
 * into one fit, {@link #POOLED}, named after the pooled categories. When a fit cannot be made (the
 * pool, or a category whose events mostly fall outside the raster, has too few events),
 * {@link TooFew#THROW} rethrows the model's message (the backtest refuses to score) and
 * {@link TooFew#BACKGROUND_ONLY} keeps those categories on a documented baseline instead: their
 * events' Gaussian kernel density (the background bandwidth) times their mean daily rate, the
 * self-exciting model without triggering ({@link Fallback}).
 *
 * <p>Online: {@link #add} is the forecasters' O(1) update; {@link #expected} sums every category's
 * expected count per raster cell for a window. Not thread-safe: one writer.
 */
public final class CategoryForecasts {

  /** Name of the fit of the pooled small categories. */
  public static final String POOLED = "(pooled)";
  private static final double DAY_MS = 86_400_000.0;

  /** What to do with categories whose events are too few to fit. */
  public enum TooFew { THROW, BACKGROUND_ONLY }

  /**
   * Categories kept on the background-only baseline.
   *
   * @param categories the categories
   * @param events     their events in the fitting period
   * @param reason     the model's refusal
   * @param perDay     their mean events per day in the fitting period
   */
  public record Fallback(List<String> categories, int events, String reason, double perDay) {}

  private final Raster raster;
  private final Map<String, SelfExcitingFit> fits;
  private final Map<String, SelfExcitingForecaster> forecasters = new HashMap<>();
  /** The fit key each category of the fitting period is routed to (its own, or the pool's). */
  private final Map<String, String> route;
  private final SelfExcitingForecaster pooled;
  private final List<Fallback> fallbacks;
  /** Background-only expected events per day in each raster cell (sum over the fallbacks). */
  private final double[] fallbackPerDay;

  private CategoryForecasts(Raster raster, Map<String, SelfExcitingFit> fits, List<Fallback> fallbacks,
                            double[] fallbackPerDay, Map<String, String> route) {
    this.raster = raster;
    this.route = route;
    this.fits = fits;
    this.fallbacks = fallbacks;
    this.fallbackPerDay = fallbackPerDay;
    SelfExcitingForecaster p = null;
    for (Map.Entry<String, SelfExcitingFit> e : fits.entrySet()) {
      SelfExcitingForecaster f = new SelfExcitingForecaster(e.getValue());
      forecasters.put(e.getKey(), f);
      if (e.getKey().equals(POOLED)) {
        p = f;
      }
    }
    this.pooled = p;
  }

  /**
   * Fits every category of {@code points} in [fromMillis, toMillis).
   *
   * @param bandwidthMeters background bandwidth of every fit (and of the fallback density)
   */
  public static CategoryForecasts fit(List<EventPoint> points, Raster raster, long fromMillis, long toMillis,
                                      double bandwidthMeters, SelfExcitingModel.Bounds bounds, TooFew tooFew) {
    Map<String, List<EventPoint>> by = new TreeMap<>();
    for (EventPoint p : points) {
      if (p.epochMillis() >= fromMillis && p.epochMillis() < toMillis) {
        by.computeIfAbsent(p.category(), k -> new ArrayList<>()).add(p);
      }
    }
    Map<String, SelfExcitingFit> fits = new TreeMap<>();
    List<EventPoint> small = new ArrayList<>();
    List<String> smallNames = new ArrayList<>();
    List<Fallback> fallbacks = new ArrayList<>();
    double[] fallbackPerDay = new double[raster.size()];
    double days = (toMillis - fromMillis) / DAY_MS;
    for (Map.Entry<String, List<EventPoint>> e : by.entrySet()) {
      if (e.getValue().size() < bounds.minEvents()) {
        small.addAll(e.getValue());
        smallNames.add(e.getKey());
        continue;
      }
      try {
        fits.put(e.getKey(), SelfExcitingModel.fit(e.getKey(), e.getValue(), raster, fromMillis, toMillis,
            bandwidthMeters, bounds));
      } catch (IllegalArgumentException x) {
        if (tooFew == TooFew.THROW) {
          throw x;
        }
        fallbacks.add(fallback(List.of(e.getKey()), e.getValue(), raster, days, bandwidthMeters, x.getMessage(),
            fallbackPerDay));
      }
    }
    if (!small.isEmpty()) {
      Collections.sort(smallNames);
      try {
        fits.put(POOLED, SelfExcitingModel.fit(POOLED + " " + smallNames, small, raster, fromMillis, toMillis,
            bandwidthMeters, bounds));
      } catch (IllegalArgumentException x) {
        if (tooFew == TooFew.THROW) {
          throw x;
        }
        fallbacks.add(fallback(smallNames, small, raster, days, bandwidthMeters, x.getMessage(), fallbackPerDay));
      }
    }
    Map<String, String> route = new HashMap<>();
    for (String category : by.keySet()) {
      if (fits.containsKey(category)) {
        route.put(category, category);
      } else if (smallNames.contains(category) && fits.containsKey(POOLED)) {
        route.put(category, POOLED);
      }
    }
    return new CategoryForecasts(raster, fits, List.copyOf(fallbacks), fallbackPerDay, Map.copyOf(route));
  }

  /**
   * A forecast with the same fits and fallbacks and no event added yet: replaying the events before
   * an earlier origin gives the forecast as it stood then.
   */
  public CategoryForecasts fresh() {
    return new CategoryForecasts(raster, fits, fallbacks, fallbackPerDay, route);
  }

  private static Fallback fallback(List<String> names, List<EventPoint> events, Raster raster, double days,
                                   double bandwidthMeters, String reason, double[] perDay) {
    double[] counts = new double[raster.size()];
    int inside = 0;
    for (EventPoint p : events) {
      int c = raster.index(p.x(), p.y());
      if (c >= 0) {
        counts[c]++;
        inside++;
      }
    }
    double rate = inside / days;
    double[] share = GaussianSmoothing.smooth(counts, raster, bandwidthMeters);
    for (int c = 0; c < share.length; c++) {
      perDay[c] += share[c] * rate;
    }
    return new Fallback(List.copyOf(names), events.size(), reason, rate);
  }

  public Raster raster() {
    return raster;
  }

  /** The fits by category ({@link #POOLED} for the pooled small categories), in name order. */
  public Map<String, SelfExcitingFit> fits() {
    return Collections.unmodifiableMap(fits);
  }

  /** The categories on the background-only baseline (empty when every category was fitted). */
  public List<Fallback> fallbacks() {
    return fallbacks;
  }

  /**
   * Adds one event to its category's forecaster (the pooled one for a small category; a category
   * unseen in the fitting period too). Events of fallback categories change nothing: their baseline
   * is stationary.
   */
  public void add(EventPoint p) {
    String key = route.get(p.category());
    SelfExcitingForecaster f = key != null ? forecasters.get(key) : isFallback(p.category()) ? null : pooled;
    if (f != null) {
      f.add(p);
    }
  }

  private boolean isFallback(String category) {
    for (Fallback fb : fallbacks) {
      if (fb.categories().contains(category)) {
        return true;
      }
    }
    return false;
  }

  /** Adds every category's expected count of each raster cell in [origin, origin + window) to {@code out}. */
  public void expected(long originMillis, long windowMillis, double[] out) {
    for (SelfExcitingForecaster f : forecasters.values()) {
      f.expected(originMillis, windowMillis, out);
    }
    if (!fallbacks.isEmpty()) {
      double days = windowMillis / DAY_MS;
      for (int c = 0; c < out.length; c++) {
        out[c] += fallbackPerDay[c] * days;
      }
    }
  }

  /** The expected count of each raster cell in [origin, origin + window). */
  public double[] expected(long originMillis, long windowMillis) {
    double[] out = new double[raster.size()];
    expected(originMillis, windowMillis, out);
    return out;
  }

  /** The fits and fallbacks as plain values (for reports and the API). */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (SelfExcitingFit f : fits.values()) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("events", f.events());
      d.put("mu_per_day", round(f.muPerDay()));
      d.put("theta", round(f.theta()));
      d.put("mean_delay_days", round(f.meanDelayDays()));
      d.put("sigma_m", round(f.sigmaMeters()));
      d.put("background_share", round(f.backgroundEvents() / f.events()));
      d.put("iterations", f.iterations());
      m.put(f.category(), d);
    }
    return m;
  }

  static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
