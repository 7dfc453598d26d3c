package org.safegrid.server.hotspot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.safegrid.server.backtest.ForecastBenchmark;
import org.safegrid.server.risk.CellEnvironment;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskEngine;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.stats.hotspot.GiStar;
import org.safegrid.server.stats.hotspot.GiStarPermutation;
import org.safegrid.server.stats.hotspot.GiStarResult;
import org.safegrid.server.stats.hotspot.RLocalG;
import org.safegrid.server.stats.hotspot.SpatialWeights;
import org.safegrid.server.stats.hotspot.WeightsBuilder;

/**
 * Macro benchmark of the spatial engine, in one run: Gi* on 3,586 and 100,000 cells (with and
 * without building the weights from cell polygons), permutation Gi* (999) on both over queen
 * contiguity and the contiguity weights of 100,000 polygons, with R {@code localG_perm} on the same
 * weights as the peer ({@code --no-r-100k} skips R on 100,000 cells, which takes minutes), a full risk refresh of a 3,586-cell grid over
 * 1,000,000 events, an incremental refresh after 5,000 new events, and R {@code spdep::localG} on
 * the same 100,000-cell weights as the peer, and the self-exciting forecast ({@link ForecastBenchmark}: EM fit on
 * 1,000,000 simulated events, online update after 5,000; {@code --no-forecast-fit} skips the fit). Each timing is the median of several runs after a
 * warm-up. Last line: one JSON object.
 */
public final class EngineBenchmark {

  private static final GeometryFactory GF = new GeometryFactory(new PrecisionModel(), 4326);
  private static final double LON0 = 114.0;
  private static final double LAT0 = 22.6;

  private EngineBenchmark() {}

  public static void main(String[] args) {
    boolean skipR = Arrays.asList(args).contains("--no-r");
    Random rnd = new Random(20261123);

    // --- Gi* on 3,586 cells (500 m squares) ---
    List<Geometry> cells3586 = squares(3586, 60, 0.0049);
    GridModel grid3586 = gridOf(cells3586);
    SpatialWeights w3586 = WeightsBuilder.distanceBand(grid3586.centreX(), grid3586.centreY(),
        WeightsBuilder.minConnectingDistance(grid3586.centreX(), grid3586.centreY()) + 1e-3);
    double[] v3586 = poissonField(rnd, 3586, 60);
    double gi3586 = median(31, () -> GiStar.compute(v3586, w3586));
    System.out.printf(Locale.ROOT, "Gi* 3,586 cells (%d links), weights given: %.3f ms%n", w3586.linkCount(), gi3586);

    // --- Gi* on 100,000 cells ---
    List<Geometry> cells100k = squares(100_000, 317, 0.0012);
    double[] v100k = poissonField(rnd, 100_000, 317);
    double[][] xy = centres(cells100k);
    SpatialWeights w100k = WeightsBuilder.distanceBand(xy[0], xy[1], WeightsBuilder.minConnectingDistance(xy[0], xy[1]) + 1e-3);
    double gi100k = median(15, () -> GiStar.compute(v100k, w100k));
    System.out.printf(Locale.ROOT, "Gi* 100,000 cells (%d links), weights given: %.3f ms%n", w100k.linkCount(), gi100k);
    double gi100kWeights = median(5, () -> {
      double[][] c = centres(cells100k);
      double band = WeightsBuilder.minConnectingDistance(c[0], c[1]);
      SpatialWeights w = WeightsBuilder.distanceBand(c[0], c[1], band + 1e-3);
      GiStar.compute(v100k, w);
    });
    System.out.printf(Locale.ROOT, "Gi* 100,000 cells including weights from cell polygons: %.3f ms%n", gi100kWeights);

    // --- permutation Gi* (999, spdep's scheme) over queen contiguity, and the contiguity itself ---
    SpatialWeights q3586 = WeightsBuilder.queen(cells3586, 1e-7);
    double perm3586 = median(7, () -> GiStarPermutation.pseudoP(v3586, q3586, 999, 7, GiStarPermutation.Scheme.SPDEP));
    // on a shared machine wall time includes waiting for a core: CPU time says what the work costs
    double perm3586Cpu = medianCpu(7, () -> GiStarPermutation.pseudoP(v3586, q3586, 999, 7, GiStarPermutation.Scheme.SPDEP));
    System.out.printf(Locale.ROOT, "permutation Gi* (999) 3,586 cells, queen contiguity (mean %.2f neighbours): %.1f ms "
        + "(CPU %.1f ms)%n", q3586.neighbourCounts().mean(), perm3586, perm3586Cpu);
    double contiguity100k = median(3, () -> WeightsBuilder.queen(cells100k, 1e-7));
    double contiguity100kCpu = medianCpu(3, () -> WeightsBuilder.queen(cells100k, 1e-7));
    SpatialWeights q100k = WeightsBuilder.queen(cells100k, 1e-7);
    System.out.printf(Locale.ROOT, "queen contiguity weights from 100,000 cell polygons (%d links): %.1f ms (CPU %.1f ms)%n",
        q100k.linkCount(), contiguity100k, contiguity100kCpu);
    double perm100k = median(3, () -> GiStarPermutation.pseudoP(v100k, q100k, 999, 7, GiStarPermutation.Scheme.SPDEP));
    double perm100kCpu = medianCpu(3, () -> GiStarPermutation.pseudoP(v100k, q100k, 999, 7, GiStarPermutation.Scheme.SPDEP));
    System.out.printf(Locale.ROOT, "permutation Gi* (999) 100,000 cells, queen contiguity: %.1f ms (CPU %.1f ms, %d threads)%n",
        perm100k, perm100kCpu, java.util.concurrent.ForkJoinPool.commonPool().getParallelism() + 1);

    // --- risk: full refresh of 3,586 cells over 1,000,000 events, then 5,000 more ---
    RiskProperties cfg = RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES);
    List<Duration> windows = List.of(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));
    long now = System.currentTimeMillis();
    int events = 1_000_000;
    double[] lon = new double[events];
    double[] lat = new double[events];
    long[] t = new long[events];
    String[] kinds = {"intrusion", "loitering", "fight", "theft", "alarm", "wanted_vehicle", "crowd", "fire"};
    int[] kind = new int[events];
    int[] sev = new int[events];
    double spanLon = 60 * 0.0049;
    double spanLat = Math.ceil(3586 / 60.0) * 0.0049;
    for (int i = 0; i < events; i++) {
      // half the events cluster around a few centres, the rest are uniform
      if (i % 2 == 0) {
        int c = rnd.nextInt(5);
        lon[i] = LON0 + spanLon * (0.2 + 0.15 * c) + rnd.nextGaussian() * 0.01;
        lat[i] = LAT0 + spanLat * (0.2 + 0.12 * c) + rnd.nextGaussian() * 0.01;
      } else {
        lon[i] = LON0 + rnd.nextDouble() * spanLon;
        lat[i] = LAT0 + rnd.nextDouble() * spanLat;
      }
      t[i] = now - (long) (rnd.nextDouble() * Duration.ofDays(7).toMillis());
      kind[i] = rnd.nextInt(kinds.length);
      sev[i] = rnd.nextInt(6);
    }
    Arrays.sort(t); // arrival roughly in time order, as from the stream
    CellEnvironment env = CellEnvironment.none(grid3586.size());
    RiskEngine[] holder = new RiskEngine[1];
    double riskFull = median(5, () -> {
      RiskEngine e = new RiskEngine(grid3586, cfg, env, windows);
      e.advanceTo(now);
      for (int i = 0; i < events; i++) {
        e.accept(t[i], lon[i], lat[i], "camera", kinds[kind[i]], sev[i]);
      }
      RiskSnapshot s = e.snapshot();
      if (s.windows().size() != 3) {
        throw new IllegalStateException();
      }
      holder[0] = e;
    });
    System.out.printf(Locale.ROOT, "risk full refresh, 3,586 cells, 1,000,000 events (locate + accumulate + snapshot): %.1f ms%n", riskFull);
    RiskEngine engine = holder[0];
    double rebuild = median(5, () -> {
      engine.rebuild();
      engine.snapshot();
    });
    System.out.printf(Locale.ROOT, "risk exact rebuild from the in-memory ring + snapshot: %.1f ms%n", rebuild);
    long[] clock = {now};
    double incremental = median(11, () -> {
      clock[0] += 1000;
      for (int i = 0; i < 5000; i++) {
        int j = rnd.nextInt(events);
        engine.accept(clock[0] - rnd.nextInt(1000), lon[j], lat[j], "checkpoint", kinds[kind[j]], sev[j]);
      }
      engine.advanceTo(clock[0]);
      engine.snapshot();
    });
    System.out.printf(Locale.ROOT, "risk incremental refresh after 5,000 new events (locate + decay + expire + snapshot): %.2f ms%n",
        incremental);
    double locateNs = median(5, () -> {
      for (int i = 0; i < 100_000; i++) {
        grid3586.locate(lon[i], lat[i]);
      }
    }) * 1e6 / 100_000;
    System.out.printf(Locale.ROOT, "cell lookup (bucket index + envelope/PreparedGeometry test) on 3,586 cells: %.0f ns per event%n", locateNs);

    // --- the peer: R spdep::localG on the same 100,000-cell weights ---
    double rMs = Double.NaN;
    double maxDiff = Double.NaN;
    if (!skipR) {
      RLocalG.Result r = RLocalG.run(v100k, w100k);
      rMs = r.localGMillis();
      GiStarResult ours = GiStar.compute(v100k, w100k);
      maxDiff = 0;
      for (int i = 0; i < v100k.length; i++) {
        if (!ours.isolated(i)) {
          maxDiff = Math.max(maxDiff, Math.abs(ours.z(i) - r.z()[i]));
        }
      }
      System.out.printf(Locale.ROOT, "R spdep::localG 100,000 cells, same weights: %.1f ms (ratio R / SafeGrid = %.1f), "
          + "max |z difference| = %.2e%n", rMs, rMs / gi100k, maxDiff);
    }
    double rPerm3586 = Double.NaN;
    double rPerm100k = Double.NaN;
    if (!skipR) {
      rPerm3586 = RLocalG.runPerm(v3586, q3586, 999, 7).localGPermMillis();
      System.out.printf(Locale.ROOT, "R spdep::localG_perm (999) 3,586 cells, same weights: %.1f ms (ratio R / SafeGrid = %.1f)%n",
          rPerm3586, rPerm3586 / perm3586);
      if (!Arrays.asList(args).contains("--no-r-100k")) {
        rPerm100k = RLocalG.runPerm(v100k, q100k, 999, 7).localGPermMillis();
        System.out.printf(Locale.ROOT, "R spdep::localG_perm (999) 100,000 cells, same weights: %.1f ms (ratio R / SafeGrid = %.1f)%n",
            rPerm100k, rPerm100k / perm100k);
      }
    }
    // --- the self-exciting forecast: EM fit on 1,000,000 events, online update after 5,000 ---
    ForecastBenchmark.Result forecast = ForecastBenchmark.run(Arrays.asList(args).contains("--no-forecast-fit")
        ? 100_000 : 1_000_000, Arrays.asList(args).contains("--no-forecast-fit"));
    System.out.printf(Locale.ROOT, "forecast: fit on %,d events %.0f ms, online update after 5,000 events %.2f ms%n",
        forecast.fitEvents(), forecast.fitMs(), forecast.updateMs());
    System.out.printf(Locale.ROOT,
        "{\"gistar_3586_ms\":%.3f,\"gistar_100k_ms\":%.3f,\"gistar_100k_with_weights_ms\":%.3f,\"risk_full_ms\":%.1f,"
            + "\"risk_incremental_ms\":%.2f,\"r_localg_100k_ms\":%s,\"r_ratio\":%s,\"max_z_diff_vs_r\":%s,"
            + "\"gistar_perm999_3586_ms\":%.1f,\"gistar_perm999_100k_ms\":%.1f,\"contiguity_100k_ms\":%.1f,"
            + "\"r_localg_perm999_3586_ms\":%s,\"r_localg_perm999_100k_ms\":%s,"
            + "\"gistar_perm999_3586_cpu_ms\":%.1f,\"gistar_perm999_100k_cpu_ms\":%.1f,\"contiguity_100k_cpu_ms\":%.1f,"
            + "\"forecast_fit_ms\":%s,\"forecast_update_ms\":%.2f,\"load_average\":%.1f}%n",
        gi3586, gi100k, gi100kWeights, riskFull, incremental, json(rMs), json(rMs / gi100k), json(maxDiff),
        perm3586, perm100k, contiguity100k, json(rPerm3586), json(rPerm100k), perm3586Cpu, perm100kCpu, contiguity100kCpu,
        json(forecast.fitMs()), forecast.updateMs(), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static String json(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4g", v);
  }

  /** n square cells of {@code sizeDeg} degrees, {@code cols} per row. */
  static List<Geometry> squares(int n, int cols, double sizeDeg) {
    List<Geometry> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double x = LON0 + (i % cols) * sizeDeg;
      double y = LAT0 + (i / cols) * sizeDeg;
      Polygon p = GF.createPolygon(new Coordinate[] {new Coordinate(x, y), new Coordinate(x + sizeDeg, y),
          new Coordinate(x + sizeDeg, y + sizeDeg), new Coordinate(x, y + sizeDeg), new Coordinate(x, y)});
      out.add(GF.createMultiPolygon(new Polygon[] {p}));
    }
    return out;
  }

  static GridModel gridOf(List<Geometry> cells) {
    List<GridModel.Cell> list = new ArrayList<>(cells.size());
    for (int i = 0; i < cells.size(); i++) {
      list.add(new GridModel.Cell(i, "B" + i, null, "D" + (i % 5), null, null, 250_000, cells.get(i)));
    }
    return new GridModel(1, list);
  }

  /** Metric centres of polygons (centroid, local projection). */
  static double[][] centres(List<Geometry> cells) {
    double[] lon = new double[cells.size()];
    double[] lat = new double[cells.size()];
    for (int i = 0; i < lon.length; i++) {
      var c = cells.get(i).getCentroid();
      lon[i] = c.getX();
      lat[i] = c.getY();
    }
    return LocalMetricProjection.around(lat).project(lon, lat);
  }

  static double[] poissonField(Random rnd, int n, int cols) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      int r = i / cols;
      int c = i % cols;
      double lambda = 2 + 8 * Math.exp(-((r - cols / 3.0) * (r - cols / 3.0) + (c - cols / 2.0) * (c - cols / 2.0)) / (cols * 2.0));
      double l = Math.exp(-lambda);
      int k = 0;
      double p = 1;
      do {
        k++;
        p *= rnd.nextDouble();
      } while (p > l);
      v[i] = k - 1;
    }
    return v;
  }

  /** Median process CPU time (all threads) of a run, in ms, after a warm-up. */
  private static double medianCpu(int runs, Runnable r) {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return median(runs, r, os::getProcessCpuTime);
  }

  /** Median wall time of a run, in ms, after a warm-up. */
  private static double median(int runs, Runnable r) {
    return median(runs, r, System::nanoTime);
  }

  private static double median(int runs, Runnable r, java.util.function.LongSupplier clockNanos) {
    r.run(); // warm-up
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = clockNanos.getAsLong();
      r.run();
      ms[i] = (clockNanos.getAsLong() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[runs / 2];
  }

}
