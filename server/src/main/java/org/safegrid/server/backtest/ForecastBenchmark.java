package org.safegrid.server.backtest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.safegrid.server.stats.forecast.EventPoint;
import org.safegrid.server.stats.forecast.Raster;
import org.safegrid.server.stats.forecast.SelfExcitingFit;
import org.safegrid.server.stats.forecast.SelfExcitingForecaster;
import org.safegrid.server.stats.forecast.SelfExcitingModel;

/**
 * Times the self-exciting forecast on a simulated city (20 km square, 6,400 cells of 250 m,
 * background μ per day, θ = 0.3, 1/ω = 5 days, σ = 100 m, one year): the EM fit on {@code --fit-events}
 * events (default 1,000,000; the triggering parameters come from the most recent 150,000 of them, see
 * {@link SelfExcitingModel.Bounds#maxTriggeringEvents}) and the online update with 5,000 new events
 * followed by a forecast of every cell (median of 5 runs; {@code --skip-fit true} times only the
 * update). {@code ./safegrid bench engine} reports the same two figures. Last line: one JSON object.
 */
public final class ForecastBenchmark {

  private ForecastBenchmark() {}

  /**
   * The figures of one run.
   *
   * @param fitMs     wall time of the EM fit (NaN when skipped)
   * @param fitEvents events fitted
   * @param updateMs  median wall time of 5,000 online updates and a forecast of every cell
   * @param cells     cells forecast
   * @param fit       the fit (or the simulation's own parameters when the fit was skipped)
   */
  public record Result(double fitMs, int fitEvents, double updateMs, int cells, SelfExcitingFit fit) {

    /**
     * Events through the EM's E step per second of fit wall time: the events the triggering
     * parameters are estimated on times the EM maps run, over the whole fit's time (pair search and
     * the background pass included, so a lower bound of the E step's own rate).
     */
    public double emEventsPerSecond() {
      int emEvents = Math.min(fitEvents, SelfExcitingModel.Bounds.defaults().maxTriggeringEvents());
      return Double.isNaN(fitMs) ? Double.NaN : (double) emEvents * fit.iterations() / (fitMs / 1000);
    }
  }

  public static void main(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Result res = run(Integer.parseInt(a.getOrDefault("fit-events", "1000000")), a.containsKey("skip-fit"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("forecast_fit_ms", Double.isNaN(res.fitMs()) ? "null" : String.valueOf(Math.round(res.fitMs())));
    json.put("forecast_fit_events", res.fitEvents());
    json.put("forecast_update_ms", Math.round(res.updateMs() * 100) / 100.0);
    json.put("forecast_cells", res.cells());
    if (!Double.isNaN(res.fitMs())) {
      json.put("forecast_em_maps", res.fit().iterations());
      json.put("forecast_em_events_per_s", Math.round(res.emEventsPerSecond()));
      json.put("forecast_theta", Math.round(res.fit().theta() * 1e4) / 1e4);
      json.put("forecast_delay_days", Math.round(res.fit().meanDelayDays() * 1e3) / 1e3);
      json.put("forecast_sigma_m", Math.round(res.fit().sigmaMeters() * 10) / 10.0);
    }
    json.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println(json.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
        .collect(java.util.stream.Collectors.joining(",", "{", "}")));
  }

  /** Simulates {@code fitEvents} events, fits them (unless {@code skipFit}) and times the online update. */
  public static Result run(int fitEvents, boolean skipFit) {
    double side = 20_000;
    double days = 365;
    double theta = 0.3;
    double mu = fitEvents * (1 - theta) / days;
    List<EventPoint> pts = simulate(new Random(1), mu, theta, 0.2, 100, side, days);
    // the raster is the simulated square itself: offspring that fall outside it are not simulated,
    // and the fit's compensator counts only offspring inside the raster
    Raster r = new Raster(0, 0, 250, (int) (side / 250), (int) (side / 250));
    long t0 = System.nanoTime();
    // skipFit: time only the update, with the simulation's own parameters
    SelfExcitingFit fit = skipFit
        ? new SelfExcitingFit("sim", mu, theta, 0.2, 100, 250, uniform(r.size()), r, pts.size(), 0, 0, 0)
        : SelfExcitingModel.fit("sim", pts, r, 0, (long) (days * 86_400_000L), 250, SelfExcitingModel.Bounds.defaults());
    double fitMs = skipFit ? Double.NaN : (System.nanoTime() - t0) / 1e6;
    System.err.printf("fit on %,d events: %.0f ms (θ %.3f, 1/ω %.2f d, σ %.1f m, %d EM maps; simulated θ 0.3, "
        + "1/ω 5 d, σ 100 m)%n", fit.events(), fitMs, fit.theta(), fit.meanDelayDays(), fit.sigmaMeters(),
        fit.iterations());
    pts.sort(java.util.Comparator.comparingLong(EventPoint::epochMillis));
    double[] update = new double[5];
    for (int run = 0; run < update.length; run++) {
      SelfExcitingForecaster f = new SelfExcitingForecaster(fit);
      int start = pts.size() - 5_000 * (run + 2);
      for (int i = 0; i < start; i++) {
        f.add(pts.get(i));
      }
      double[] out = new double[r.size()];
      long u0 = System.nanoTime();
      for (int i = start; i < start + 5_000; i++) {
        f.add(pts.get(i));
      }
      f.expected(pts.get(start + 4_999).epochMillis(), 7 * 86_400_000L, out);
      update[run] = (System.nanoTime() - u0) / 1e6;
    }
    Arrays.sort(update);
    System.err.printf("online update with 5,000 events and a forecast of %,d cells: %.2f ms (median of 5)%n",
        r.size(), update[update.length / 2]);
    return new Result(fitMs, fit.events(), update[update.length / 2], r.size(), fit);
  }

  private static double[] uniform(int n) {
    double[] b = new double[n];
    Arrays.fill(b, 1.0 / n);
    return b;
  }

  static List<EventPoint> simulate(Random rnd, double mu, double theta, double omega, double sigma, double side,
                                   double days) {
    List<EventPoint> out = new ArrayList<>();
    Deque<double[]> queue = new ArrayDeque<>();
    long nBg = Math.round(mu * days);
    for (long i = 0; i < nBg; i++) {
      queue.add(new double[] {rnd.nextDouble() * days, rnd.nextDouble() * side, rnd.nextDouble() * side});
    }
    while (!queue.isEmpty()) {
      double[] e = queue.poll();
      if (e[1] < 0 || e[2] < 0 || e[1] >= side || e[2] >= side) {
        continue;
      }
      out.add(new EventPoint((long) (e[0] * 86_400_000L), e[1], e[2], "sim"));
      double l = Math.exp(-theta);
      double p = rnd.nextDouble();
      while (p > l) {
        double t = e[0] - Math.log(1 - rnd.nextDouble()) / omega;
        if (t < days) {
          queue.add(new double[] {t, e[1] + rnd.nextGaussian() * sigma, e[2] + rnd.nextGaussian() * sigma});
        }
        p *= rnd.nextDouble();
      }
    }
    return out;
  }
}
