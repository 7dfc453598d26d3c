package org.safegrid.server.hotspot;

import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskGridLoaded;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.stats.hotspot.FalseDiscoveryRate;
import org.safegrid.server.stats.hotspot.GiStar;
import org.safegrid.server.stats.hotspot.GiStarResult;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.safegrid.server.stats.hotspot.HotspotClass;
import org.safegrid.server.stats.hotspot.HotspotDissolver;
import org.safegrid.server.stats.hotspot.HotspotInput;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Gi* hotspots of grid risk or event counts, with the grid's weights built once per grid set and the
 * answer computed once per window of scores: the map, planners and exports asking about the same
 * live window get the same result object until the engine's next refresh replaces the window (the
 * cache holds windows weakly, so a replaced window and its answers go with it).
 *
 * <p>For the engine's live windows ({@link #liveHotspots}) a question is never made to wait for a
 * recomputation: the engine publishes a new window every second, and while the answer for the
 * newest one is computed (on one background thread) callers get the newest finished answer, at most
 * {@link #MAX_LIVE_STALENESS} old. Only a question nobody asked recently is computed while its caller waits.
 */
@Service
public class HotspotService {

  /** How old a live answer may be when it is handed out while its successor is computed. */
  static final Duration MAX_LIVE_STALENESS = Duration.ofSeconds(30);
  private static final int MAX_LIVE_QUESTIONS = 512;

  private final HotspotProperties cfg;
  private final Map<Long, GridWeights> weights = new ConcurrentHashMap<>();
  private final Map<RiskSnapshot.WindowScores, Map<String, Result>> answers =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<String, LiveAnswer> live = new ConcurrentHashMap<>();
  // successors of live answers, computed one at a time on the refresher loop's thread
  private final Queue<Runnable> refreshes = new ConcurrentLinkedQueue<>();
  private final BackgroundLoop refresher = BackgroundLoop.named("hotspot-refresh").every(Duration.ofSeconds(1))
      .step(() -> {
        Runnable r = refreshes.poll();
        if (r != null) {
          r.run();
        }
        return !refreshes.isEmpty();
      });

  /** The newest finished answer to one live question, and whether its successor is being computed. */
  private static final class LiveAnswer {
    volatile Result result;
    volatile long computedAtNanos;
    final AtomicBoolean refreshing = new AtomicBoolean();
  }

  private final long maxStalenessNanos;

  @Autowired
  public HotspotService(HotspotProperties cfg) {
    this(cfg, MAX_LIVE_STALENESS);
  }

  HotspotService(HotspotProperties cfg, Duration maxLiveStaleness) {
    this.cfg = cfg;
    this.maxStalenessNanos = maxLiveStaleness.toNanos();
    refresher.start();
  }

  @PreDestroy
  void stop() {
    refresher.stop();
  }

  /**
   * What Gi* runs on: the event count of each cell in the window (the default), events per
   * coverage hour (camera, checkpoint and patrol hours; cells without coverage take no part), events
   * per land km² (cells with less than the asked land share take no part), or the composite risk score.
   */
  public enum Variable { COUNT, RATE, DENSITY, RISK }

  /**
   * How a question is answered beyond its variable and filters.
   *
   * @param permutations conditional permutations for pseudo p-values (0 = analytic only)
   * @param usePseudoP   classes from the pseudo p (else from the analytic p)
   * @param minLandShare for {@link Variable#DENSITY}: cells whose area is below this share of a full
   *                     cell (the grid's 95th percentile cell area) take no part
   */
  public record Options(int permutations, boolean usePseudoP, double minLandShare) {

    /** Default land share below which a cell is left out of a density analysis. */
    public static final double DEFAULT_MIN_LAND_SHARE = 0.1;

    public Options {
      if (permutations < 0 || permutations > 99_999) {
        throw new IllegalArgumentException("permutations must be in 0..99999");
      }
      if (usePseudoP && permutations == 0) {
        throw new IllegalArgumentException("pseudo p-values need permutations > 0");
      }
      if (!(minLandShare >= 0 && minLandShare < 1)) {
        throw new IllegalArgumentException("minLandShare must be in [0, 1)");
      }
    }

    public static Options of(int permutations) {
      return new Options(permutations, permutations > 0, DEFAULT_MIN_LAND_SHARE);
    }
  }

  /** Seed of the permutations: fixed, so a window's answer is the same however often it is computed. */
  static final long PERMUTATION_SEED = 20261201L;

  /**
   * Gi* of every cell, its class, and the dissolved hotspots.
   *
   * @param warning       why the input is too sparse for Gi* to be trusted (null when it is not)
   * @param excludedCells cells left out by the variable's rule (no coverage, too little land)
   */
  public record Result(GridWeights weights, GiStarResult gi, HotspotClass[] classes, List<Hotspot> hotspots,
                       Variable variable, Options options, HotspotInput.Problem warning, int excludedCells) {}

  /**
   * Builds the weights of a grid the engine has just loaded, and the answer to the default live
   * question (event counts, 90 %, whole city) of each live window, before the engine publishes
   * its first snapshot: the first callers then get an answer at once instead of waiting for Gi* and
   * the dissolve over the week's events.
   */
  @EventListener
  public void onGridLoaded(RiskGridLoaded loaded) {
    weightsFor(loaded.grid());
    for (RiskSnapshot.WindowScores ws : loaded.first().windows()) {
      liveHotspots(ws, Variable.COUNT, 90, null, null);
    }
  }

  /** Whether the weights of a grid set are built. */
  public boolean hasWeightsFor(long gridSetId) {
    return weights.containsKey(gridSetId);
  }

  public GridWeights weightsFor(GridModel grid) {
    return weights.computeIfAbsent(grid.gridSetId(),
        id -> GridWeights.build(id, grid.geometries(), grid.centreX(), grid.centreY(), cfg));
  }

  /** Hotspots of one window; {@code minConfidence} (90/95/99) and {@code district} filter the polygons returned. */
  public Result hotspots(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district) {
    return hotspots(ws, variable, minConfidence, district, null);
  }

  /**
   * Hotspots of one window, as above; with {@code confineTo} (a district code, for district-scoped
   * users) Gi* is still computed over the whole grid, but only that district's cells are dissolved
   * into hotspots and counted, so no returned polygon or figure holds a cell of another district.
   */
  public Result hotspots(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district,
                         String confineTo) {
    return hotspots(ws, variable, minConfidence, district, confineTo, defaultOptions());
  }

  /** The configured options: analytic p-values unless {@code safegrid.hotspot.permutations} asks for more. */
  public Options defaultOptions() {
    return Options.of(cfg.permutations());
  }

  /** Hotspots of one window answered with {@code options}, as above. */
  public Result hotspots(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district,
                         String confineTo, Options options) {
    if (minConfidence != 90 && minConfidence != 95 && minConfidence != 99) {
      throw new IllegalArgumentException("minConfidence must be 90, 95 or 99");
    }
    Map<String, Result> forWindow = answers.computeIfAbsent(ws, k -> new ConcurrentHashMap<>());
    String key = questionKey(variable, minConfidence, district, confineTo, options);
    // concurrent requests for the same answer wait for one computation instead of each running Gi*
    return forWindow.computeIfAbsent(key, k -> compute(ws, variable, minConfidence, district, confineTo, options));
  }

  /**
   * Hotspots of one of the engine's live windows, as {@link #hotspots(RiskSnapshot.WindowScores,
   * Variable, int, String, String)}, without waiting for a recomputation: when the answer for
   * {@code ws} is not ready, the newest finished answer to the same question (same grid, window,
   * kinds and filters; at most {@link #MAX_LIVE_STALENESS} old) is returned at once and the answer for
   * {@code ws} is computed in the background. Answers are whole results, swapped atomically.
   */
  public Result liveHotspots(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district,
                             String confineTo) {
    return liveHotspots(ws, variable, minConfidence, district, confineTo, defaultOptions());
  }

  /** A live window's hotspots answered with {@code options}, as above. */
  public Result liveHotspots(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district,
                             String confineTo, Options options) {
    String question = questionKey(variable, minConfidence, district, confineTo, options);
    Map<String, Result> forWindow = answers.get(ws);
    Result exact = forWindow == null ? null : forWindow.get(question);
    if (exact != null) {
      return exact;
    }
    if (live.size() > MAX_LIVE_QUESTIONS) {
      live.clear();  // many distinct kind/district combinations: start over rather than grow
    }
    LiveAnswer la = live.computeIfAbsent(liveKey(ws) + "|" + question, k -> new LiveAnswer());
    Result previous = la.result;
    if (previous != null && System.nanoTime() - la.computedAtNanos < maxStalenessNanos) {
      if (la.refreshing.compareAndSet(false, true)) {
        if (refresher.isRunning()) {
          refreshes.add(() -> {
            try {
              remember(la, hotspots(ws, variable, minConfidence, district, confineTo, options));
            } finally {
              la.refreshing.set(false);
            }
          });
          refresher.wake();
        } else {
          la.refreshing.set(false);
        }
      }
      return previous;
    }
    Result r = hotspots(ws, variable, minConfidence, district, confineTo, options);
    remember(la, r);
    return r;
  }

  private static void remember(LiveAnswer la, Result r) {
    la.computedAtNanos = System.nanoTime();
    la.result = r;
  }

  private static String questionKey(Variable variable, int minConfidence, String district, String confineTo,
                                    Options options) {
    return variable + "|" + minConfidence + "|" + district + "|" + confineTo + "|" + options;
  }

  /** Which live series a window belongs to: grid set, window length and the kinds it counts. */
  private static String liveKey(RiskSnapshot.WindowScores ws) {
    StringBuilder k = new StringBuilder().append(ws.grid().gridSetId()).append('|').append(ws.window()).append('|');
    boolean[] mask = ws.kindMask();
    for (int i = 0; i < ws.kinds().size(); i++) {
      if (mask == null || mask[i]) {
        k.append(ws.kinds().get(i)).append(',');
      }
    }
    return k.toString();
  }

  private Result compute(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district,
                         String confineTo, Options options) {
    GridModel grid = ws.grid();
    GridWeights w = weightsFor(grid);
    int n = ws.size();
    double[] values = new double[n];
    boolean[] included = null;
    double fullCellM2 = variable == Variable.DENSITY ? fullCellArea(grid) : Double.NaN;
    for (int i = 0; i < n; i++) {
      switch (variable) {
        case COUNT -> values[i] = ws.events()[i];
        case RISK -> values[i] = ws.score()[i];
        case RATE -> {
          double hours = ws.coverageHours()[i];
          if (hours > 0) {
            values[i] = ws.events()[i] / hours;
          } else {
            included = exclude(included, n, i);
          }
        }
        case DENSITY -> {
          double area = grid.cell(i).areaM2();
          if (area > 0 && area >= options.minLandShare() * fullCellM2) {
            values[i] = ws.events()[i] / (area / 1e6);
          } else {
            included = exclude(included, n, i);
          }
        }
      }
    }
    GiStarResult gi = GiStar.compute(values, w.gi(), included, options.permutations(), PERMUTATION_SEED);
    HotspotClass[] classes = FalseDiscoveryRate.classify(gi, options.usePseudoP() ? gi.pSimValues() : gi.pValues(), true);
    int excluded = 0;
    boolean[] tested = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (included != null && !included[i]) {
        classes[i] = HotspotClass.EXCLUDED;
        excluded++;
      }
      tested[i] = !gi.isolated(i);
    }
    HotspotInput.Problem warning = HotspotInput.check(values, tested).orElse(null);
    if (confineTo != null) {
      for (int i = 0; i < classes.length; i++) {
        if (!confineTo.equals(grid.cell(i).districtCode())) {
          classes[i] = HotspotClass.NONE;
        }
      }
    }
    int nk = ws.kinds().size();
    List<Hotspot> all = HotspotDissolver.dissolve(grid.geometries(), classes, gi.zScores(), w.contiguity(), i -> {
      Map<String, Long> kinds = new TreeMap<>();
      for (int k = 0; k < nk; k++) {
        int c = ws.perKindCount()[i * nk + k];
        if (c > 0 && (ws.kindMask() == null || ws.kindMask()[k])) {
          kinds.merge(ws.kinds().get(k), (long) c, Long::sum);
        }
      }
      GridModel.Cell cell = grid.cell(i);
      return new HotspotDissolver.UnitFacts(cell.areaM2(), cell.districtCode(), kinds);
    }, minConfidence);
    List<Hotspot> kept = all.stream()
        .filter(h -> district == null || district.isBlank() || district.equals(h.district()))
        .toList();
    return new Result(w, gi, classes, kept, variable, options, warning, excluded);
  }

  private static boolean[] exclude(boolean[] included, int n, int i) {
    if (included == null) {
      included = new boolean[n];
      java.util.Arrays.fill(included, true);
    }
    included[i] = false;
    return included;
  }

  /** The area of a full (unclipped) cell: the grid's 95th percentile cell area. */
  static double fullCellArea(GridModel grid) {
    double[] a = new double[grid.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = grid.cell(i).areaM2();
    }
    java.util.Arrays.sort(a);
    return a.length == 0 ? 0 : a[(int) Math.floor(0.95 * (a.length - 1))];
  }
}
