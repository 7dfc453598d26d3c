package org.safegrid.server.patrol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Allocates patrol units to places (hotspots, high-risk cells) to maximise the risk covered in a
 * shift: a team orienteering problem. Each unit starts at its position, travels in straight lines at
 * a fixed speed, stays {@code dwellMinutes} at each place it visits and must finish its last visit
 * within the shift (routes are open: no return leg). A place counts once, however many units visit.
 *
 * <p>Three methods, so that the better one can be measured against simple ones:
 * <ul>
 *   <li>{@link Method#NEAREST}: each unit in turn goes to the nearest place not yet taken — what a
 *       dispatcher does by hand;</li>
 *   <li>{@link Method#GREEDY}: cheapest insertion by marginal risk per minute of added route time;</li>
 *   <li>{@link Method#LOCAL_SEARCH}: greedy, then 2-opt inside routes, relocation of places between
 *       routes (both shorten routes and so free time), re-insertion, and swapping a visited place for
 *       a riskier unvisited one, until no move improves (risk first, then total time); then a few
 *       rounds of ruin and recreate that keep only improvements.</li>
 * </ul>
 * Plain, single-threaded, deterministic for a given input.
 */
public final class PatrolPlanner {

  /** A planning method. */
  public enum Method { NEAREST, GREEDY, LOCAL_SEARCH }

  /**
   * A patrol unit at its start.
   *
   * @param id  unit id
   * @param lon start longitude
   * @param lat start latitude
   */
  public record Unit(String id, double lon, double lat) {
  }

  /**
   * A place worth visiting.
   *
   * @param id   id
   * @param lon  longitude of its representative point
   * @param lat  latitude
   * @param risk risk it carries (covered if visited)
   */
  public record Place(String id, double lon, double lat, double risk) {
  }

  /**
   * One visit in a route.
   *
   * @param placeId        the place
   * @param arrivalMinutes minutes after the shift start when the unit arrives
   * @param risk           the place's risk
   */
  public record Visit(String placeId, double arrivalMinutes, double risk) {
  }

  /**
   * A unit's route.
   *
   * @param unitId          unit
   * @param visits          places in order
   * @param durationMinutes when its last visit ends
   */
  public record Route(String unitId, List<Visit> visits, double durationMinutes) {
  }

  /**
   * A plan.
   *
   * @param routes      one route per unit (possibly empty)
   * @param coveredRisk risk of the places visited
   * @param method      how it was made
   */
  public record Plan(List<Route> routes, double coveredRisk, Method method) {
  }

  private final List<Unit> units;
  private final List<Place> places;
  private final double shiftMinutes;
  private final double dwellMinutes;
  private final double metersPerMinute;
  /** travel minutes: [u][p] unit start to place, [p][q] place to place. */
  private final double[][] fromStart;
  private final double[][] between;

  public PatrolPlanner(List<Unit> units, List<Place> places, double shiftMinutes, double speedKmh, double dwellMinutes) {
    if (units.isEmpty()) {
      throw new IllegalArgumentException("a plan needs at least one unit");
    }
    if (!(shiftMinutes > 0) || !(speedKmh > 0) || dwellMinutes < 0) {
      throw new IllegalArgumentException("shift and speed must be positive and dwell not negative");
    }
    this.units = List.copyOf(units);
    this.places = List.copyOf(places);
    this.shiftMinutes = shiftMinutes;
    this.dwellMinutes = dwellMinutes;
    this.metersPerMinute = speedKmh * 1000 / 60;
    fromStart = new double[units.size()][places.size()];
    between = new double[places.size()][places.size()];
    for (int u = 0; u < units.size(); u++) {
      for (int p = 0; p < places.size(); p++) {
        fromStart[u][p] = meters(units.get(u).lon(), units.get(u).lat(), places.get(p).lon(), places.get(p).lat())
            / metersPerMinute;
      }
    }
    for (int p = 0; p < places.size(); p++) {
      for (int q = p + 1; q < places.size(); q++) {
        between[p][q] = between[q][p] = meters(places.get(p).lon(), places.get(p).lat(), places.get(q).lon(),
            places.get(q).lat()) / metersPerMinute;
      }
    }
  }

  /** Great-circle distance in metres (haversine). */
  public static double meters(double lon1, double lat1, double lon2, double lat2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  /** Makes a plan with the given method. */
  public Plan plan(Method method) {
    List<List<Integer>> routes = new ArrayList<>();
    for (int u = 0; u < units.size(); u++) {
      routes.add(new ArrayList<>());
    }
    Set<Integer> visited = new HashSet<>();
    switch (method) {
      case NEAREST -> nearest(routes, visited);
      case GREEDY -> insertGreedily(routes, visited, null);
      case LOCAL_SEARCH -> {
        insertGreedily(routes, visited, null);
        improve(routes, visited);
        ruinAndRecreate(routes, visited);
      }
    }
    return toPlan(routes, method);
  }

  private void nearest(List<List<Integer>> routes, Set<Integer> visited) {
    double[] time = new double[units.size()];
    boolean moved = true;
    while (moved) {
      moved = false;
      for (int u = 0; u < units.size(); u++) {
        List<Integer> r = routes.get(u);
        int best = -1;
        double bestTravel = Double.MAX_VALUE;
        for (int p = 0; p < places.size(); p++) {
          if (visited.contains(p) || places.get(p).risk() <= 0) {
            continue;
          }
          double t = r.isEmpty() ? fromStart[u][p] : between[r.get(r.size() - 1)][p];
          if (t < bestTravel) {
            bestTravel = t;
            best = p;
          }
        }
        if (best >= 0 && time[u] + bestTravel + dwellMinutes <= shiftMinutes) {
          r.add(best);
          visited.add(best);
          time[u] += bestTravel + dwellMinutes;
          moved = true;
        }
      }
    }
  }

  /** Route duration: travel from the start through every place plus the dwell at each. */
  private double duration(int u, List<Integer> r) {
    if (r.isEmpty()) {
      return 0;
    }
    double t = fromStart[u][r.get(0)] + dwellMinutes;
    for (int i = 1; i < r.size(); i++) {
      t += between[r.get(i - 1)][r.get(i)] + dwellMinutes;
    }
    return t;
  }

  /** Extra minutes of putting place p at position i of unit u's route. */
  private double insertionCost(int u, List<Integer> r, int i, int p) {
    double before = i == 0 ? fromStart[u][p] : between[r.get(i - 1)][p];
    if (i == r.size()) {
      return before + dwellMinutes;
    }
    double old = i == 0 ? fromStart[u][r.get(0)] : between[r.get(i - 1)][r.get(i)];
    return before + dwellMinutes + between[p][r.get(i)] - old;
  }

  /** Inserts by best risk per added minute while anything fits; {@code noise} (or null) perturbs the scores. */
  private void insertGreedily(List<List<Integer>> routes, Set<Integer> visited, SplittableRandom noise) {
    double[] dur = new double[units.size()];
    for (int u = 0; u < units.size(); u++) {
      dur[u] = duration(u, routes.get(u));
    }
    while (true) {
      int bestP = -1;
      int bestU = -1;
      int bestI = -1;
      double bestScore = 0;
      for (int p = 0; p < places.size(); p++) {
        double risk = places.get(p).risk();
        if (visited.contains(p) || risk <= 0) {
          continue;
        }
        if (noise != null) {
          risk *= 1 + 0.3 * noise.nextDouble();
        }
        for (int u = 0; u < units.size(); u++) {
          List<Integer> r = routes.get(u);
          for (int i = 0; i <= r.size(); i++) {
            double cost = insertionCost(u, r, i, p);
            if (dur[u] + cost > shiftMinutes + 1e-9) {
              continue;
            }
            double score = risk / Math.max(cost, 1e-6);
            if (score > bestScore) {
              bestScore = score;
              bestP = p;
              bestU = u;
              bestI = i;
            }
          }
        }
      }
      if (bestP < 0) {
        return;
      }
      dur[bestU] += insertionCost(bestU, routes.get(bestU), bestI, bestP);
      routes.get(bestU).add(bestI, bestP);
      visited.add(bestP);
    }
  }

  private void improve(List<List<Integer>> routes, Set<Integer> visited) {
    for (int round = 0; round < 50; round++) {
      boolean changed = false;
      for (int u = 0; u < units.size(); u++) {
        changed |= twoOpt(u, routes.get(u));
      }
      changed |= relocate(routes);
      int before = visited.size();
      insertGreedily(routes, visited, null);
      changed |= visited.size() > before;
      changed |= swapInRiskier(routes, visited);
      if (!changed) {
        return;
      }
    }
  }

  /**
   * Ruin and recreate: removes a spatial cluster of visits (a random visited place and its nearest
   * visited neighbours), re-inserts with slightly noisy scores, improves, and keeps the result only
   * if it covers more risk (or the same in less time). A fixed seed keeps plans reproducible; the
   * number of rounds shrinks as instances grow so that a plan stays within about a second.
   */
  private void ruinAndRecreate(List<List<Integer>> routes, Set<Integer> visited) {
    int rounds = places.size() <= 100 ? 40 : places.size() <= 250 ? 15 : 4;
    SplittableRandom rnd = new SplittableRandom(0x5AFE6121L);
    double bestRisk = risk(visited);
    double bestTime = totalDuration(routes);
    for (int round = 0; round < rounds && !visited.isEmpty(); round++) {
      List<List<Integer>> trial = new ArrayList<>();
      for (List<Integer> r : routes) {
        trial.add(new ArrayList<>(r));
      }
      Set<Integer> tv = new HashSet<>(visited);
      List<Integer> all = new ArrayList<>(visited);
      java.util.Collections.sort(all);
      int seed = all.get(rnd.nextInt(all.size()));
      all.sort(java.util.Comparator.comparingDouble(p -> between[seed][p]));
      int k = Math.min(all.size(), Math.max(2, (int) Math.ceil(visited.size() * 0.15)));
      Set<Integer> removed = new HashSet<>(all.subList(0, k));
      for (List<Integer> r : trial) {
        r.removeIf(removed::contains);
      }
      tv.removeAll(removed);
      insertGreedily(trial, tv, rnd);
      improve(trial, tv);
      double r = risk(tv);
      double t = totalDuration(trial);
      if (r > bestRisk + 1e-9 || (r > bestRisk - 1e-9 && t < bestTime - 1e-9)) {
        for (int u = 0; u < routes.size(); u++) {
          routes.set(u, trial.get(u));
        }
        visited.clear();
        visited.addAll(tv);
        bestRisk = r;
        bestTime = t;
      }
    }
  }

  private double risk(Set<Integer> visited) {
    double r = 0;
    for (int p : visited) {
      r += places.get(p).risk();
    }
    return r;
  }

  private double totalDuration(List<List<Integer>> routes) {
    double t = 0;
    for (int u = 0; u < routes.size(); u++) {
      t += duration(u, routes.get(u));
    }
    return t;
  }

  /** Reverses segments of a route while that shortens it. */
  private boolean twoOpt(int u, List<Integer> r) {
    boolean any = false;
    boolean improved = true;
    while (improved) {
      improved = false;
      double best = duration(u, r);
      for (int i = 0; i < r.size() - 1; i++) {
        for (int j = i + 1; j < r.size(); j++) {
          java.util.Collections.reverse(r.subList(i, j + 1));
          double d = duration(u, r);
          if (d < best - 1e-9) {
            best = d;
            improved = true;
            any = true;
          } else {
            java.util.Collections.reverse(r.subList(i, j + 1));
          }
        }
      }
    }
    return any;
  }

  /** Moves single places to the position (in any route) where the total time drops the most. */
  private boolean relocate(List<List<Integer>> routes) {
    boolean any = false;
    for (int a = 0; a < units.size(); a++) {
      List<Integer> ra = routes.get(a);
      for (int i = 0; i < ra.size(); i++) {
        int p = ra.get(i);
        double durA = duration(a, ra);
        ra.remove(i);
        double saved = durA - duration(a, ra);
        int bestB = -1;
        int bestJ = -1;
        double bestGain = 1e-6;
        for (int b = 0; b < units.size(); b++) {
          List<Integer> rb = routes.get(b);
          double durB = duration(b, rb);
          for (int j = 0; j <= rb.size(); j++) {
            if (b == a && j == i) {
              continue;
            }
            double cost = insertionCost(b, rb, j, p);
            if (durB + cost <= shiftMinutes + 1e-9 && saved - cost > bestGain) {
              bestGain = saved - cost;
              bestB = b;
              bestJ = j;
            }
          }
        }
        if (bestB >= 0) {
          routes.get(bestB).add(bestJ, p);
          any = true;
        } else {
          ra.add(i, p);
        }
      }
    }
    return any;
  }

  /** Replaces a visited place by a riskier unvisited one where the route stays within the shift. */
  private boolean swapInRiskier(List<List<Integer>> routes, Set<Integer> visited) {
    boolean any = false;
    for (int u = 0; u < units.size(); u++) {
      List<Integer> r = routes.get(u);
      for (int i = 0; i < r.size(); i++) {
        int p = r.get(i);
        int best = -1;
        double bestRisk = places.get(p).risk();
        for (int q = 0; q < places.size(); q++) {
          if (visited.contains(q) || places.get(q).risk() <= bestRisk) {
            continue;
          }
          r.set(i, q);
          if (duration(u, r) <= shiftMinutes + 1e-9) {
            best = q;
            bestRisk = places.get(q).risk();
          }
          r.set(i, p);
        }
        if (best >= 0) {
          r.set(i, best);
          visited.remove(p);
          visited.add(best);
          any = true;
        }
      }
    }
    return any;
  }

  private Plan toPlan(List<List<Integer>> routes, Method method) {
    List<Route> out = new ArrayList<>();
    double covered = 0;
    for (int u = 0; u < units.size(); u++) {
      List<Integer> r = routes.get(u);
      List<Visit> visits = new ArrayList<>();
      double t = 0;
      for (int i = 0; i < r.size(); i++) {
        int p = r.get(i);
        t += i == 0 ? fromStart[u][p] : between[r.get(i - 1)][p];
        visits.add(new Visit(places.get(p).id(), t, places.get(p).risk()));
        covered += places.get(p).risk();
        t += dwellMinutes;
      }
      out.add(new Route(units.get(u).id(), visits, t));
    }
    return new Plan(out, covered, method);
  }
}
