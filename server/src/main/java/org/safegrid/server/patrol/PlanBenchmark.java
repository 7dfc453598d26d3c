package org.safegrid.server.patrol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Compares the allocation methods on generated city-like instances: places clustered around a few
 * centres in a 40 km square with heavy-tailed risk (a few places carry most of it), units starting
 * at random points, a 4-hour shift at 30 km/h with 15 minutes at each place. For each size it runs
 * several seeds and prints the covered risk of nearest-place dispatch, greedy insertion and greedy
 * plus local search, and the time each took; the last line is one JSON object.
 *
 * <p>Arguments (optional): {@code seeds} (default 5).
 */
public final class PlanBenchmark {

  private PlanBenchmark() {
  }

  /** Generates one instance. */
  static PatrolPlanner instance(int units, int places, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double lon0 = 114.2;
    double lat0 = 22.9;
    double span = 0.4;
    int centres = 6;
    double[][] c = new double[centres][2];
    for (int i = 0; i < centres; i++) {
      c[i][0] = lon0 + rnd.nextDouble() * span;
      c[i][1] = lat0 + rnd.nextDouble() * span;
    }
    List<PatrolPlanner.Place> ps = new ArrayList<>();
    for (int p = 0; p < places; p++) {
      double[] centre = c[rnd.nextInt(centres)];
      double lon = centre[0] + rnd.nextDouble(-1, 1) * 0.06;
      double lat = centre[1] + rnd.nextDouble(-1, 1) * 0.06;
      // Pareto(alpha 1.5): a few places carry most of the risk
      double risk = Math.pow(1 - rnd.nextDouble(), -1 / 1.5);
      ps.add(new PatrolPlanner.Place("P" + p, lon, lat, risk));
    }
    List<PatrolPlanner.Unit> us = new ArrayList<>();
    for (int u = 0; u < units; u++) {
      us.add(new PatrolPlanner.Unit("U" + u, lon0 + rnd.nextDouble() * span, lat0 + rnd.nextDouble() * span));
    }
    return new PatrolPlanner(us, ps, 240, 30, 15);
  }

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int[][] sizes = {{5, 100}, {10, 200}, {20, 400}, {30, 600}};
    StringBuilder jsonSizes = new StringBuilder();
    double sumVsGreedy = 0;
    double sumVsNearest = 0;
    int n = 0;
    System.out.println("units places  nearest   greedy   search  search/greedy search/nearest  ms(nearest/greedy/search)");
    for (int[] size : sizes) {
      double nearest = 0;
      double greedy = 0;
      double search = 0;
      long tN = 0;
      long tG = 0;
      long tS = 0;
      for (int s = 0; s < seeds; s++) {
        PatrolPlanner planner = instance(size[0], size[1], 1000L * size[0] + s);
        long t0 = System.nanoTime();
        nearest += planner.plan(PatrolPlanner.Method.NEAREST).coveredRisk();
        long t1 = System.nanoTime();
        greedy += planner.plan(PatrolPlanner.Method.GREEDY).coveredRisk();
        long t2 = System.nanoTime();
        search += planner.plan(PatrolPlanner.Method.LOCAL_SEARCH).coveredRisk();
        long t3 = System.nanoTime();
        tN += t1 - t0;
        tG += t2 - t1;
        tS += t3 - t2;
      }
      double vsGreedy = search / greedy;
      double vsNearest = search / nearest;
      sumVsGreedy += vsGreedy;
      sumVsNearest += vsNearest;
      n++;
      System.out.printf(Locale.ROOT, "%5d %6d %8.1f %8.1f %8.1f %14.3f %15.3f  %d/%d/%d%n", size[0], size[1],
          nearest / seeds, greedy / seeds, search / seeds, vsGreedy, vsNearest, tN / seeds / 1_000_000,
          tG / seeds / 1_000_000, tS / seeds / 1_000_000);
      if (jsonSizes.length() > 0) {
        jsonSizes.append(',');
      }
      jsonSizes.append(String.format(Locale.ROOT, "{\"units\":%d,\"places\":%d,\"nearestRisk\":%.2f,\"greedyRisk\":%.2f,"
              + "\"searchRisk\":%.2f,\"searchVsGreedy\":%.4f,\"searchVsNearest\":%.4f,\"searchMs\":%d}", size[0], size[1],
          nearest / seeds, greedy / seeds, search / seeds, vsGreedy, vsNearest, tS / seeds / 1_000_000));
    }
    System.out.printf(Locale.ROOT, "{\"benchmark\":\"patrol-plan\",\"seeds\":%d,\"meanSearchVsGreedy\":%.4f,"
        + "\"meanSearchVsNearest\":%.4f,\"sizes\":[%s]}%n", seeds, sumVsGreedy / n, sumVsNearest / n, jsonSizes);
  }
}
