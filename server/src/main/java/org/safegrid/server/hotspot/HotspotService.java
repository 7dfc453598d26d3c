package org.safegrid.server.hotspot;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskGridLoaded;
import org.safegrid.server.risk.RiskSnapshot;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Gi* hotspots of grid risk or event counts, with the grid's weights built once per grid set and the
 * answer computed once per window of scores: the map, planners and exports asking about the same
 * live window get the same result object until the engine's next refresh replaces the window (the
 * cache holds windows weakly, so a replaced window and its answers go with it).
 */
@Service
public class HotspotService {

  private final HotspotProperties cfg;
  private final Map<Long, GridWeights> weights = new ConcurrentHashMap<>();
  private final Map<RiskSnapshot.WindowScores, Map<String, Result>> answers =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  public HotspotService(HotspotProperties cfg) {
    this.cfg = cfg;
  }

  /** What Gi* runs on: the risk score or the raw event count of each cell. */
  public enum Variable { RISK, COUNT }

  /** Gi* of every cell, its class, and the dissolved hotspots. */
  public record Result(GridWeights weights, GiStarResult gi, HotspotClass[] classes, List<Hotspot> hotspots) {}

  /** Builds the weights of a grid the engine has just loaded, before its first snapshot is published. */
  @EventListener
  public void onGridLoaded(RiskGridLoaded loaded) {
    weightsFor(loaded.grid());
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
    if (minConfidence != 90 && minConfidence != 95 && minConfidence != 99) {
      throw new IllegalArgumentException("minConfidence must be 90, 95 or 99");
    }
    Map<String, Result> forWindow = answers.computeIfAbsent(ws, k -> new ConcurrentHashMap<>());
    String key = variable + "|" + minConfidence + "|" + district + "|" + confineTo;
    // concurrent requests for the same answer wait for one computation instead of each running Gi*
    return forWindow.computeIfAbsent(key, k -> compute(ws, variable, minConfidence, district, confineTo));
  }

  private Result compute(RiskSnapshot.WindowScores ws, Variable variable, int minConfidence, String district,
                         String confineTo) {
    GridModel grid = ws.grid();
    GridWeights w = weightsFor(grid);
    double[] values = new double[ws.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = variable == Variable.RISK ? ws.score()[i] : ws.events()[i];
    }
    GiStarResult gi = GiStar.compute(values, w.gi());
    HotspotClass[] classes = FalseDiscoveryRate.classify(gi);
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
    });
    List<Hotspot> kept = all.stream()
        .filter(h -> h.hotspotClass().atLeast(minConfidence))
        .filter(h -> district == null || district.isBlank() || district.equals(h.district()))
        .toList();
    return new Result(w, gi, classes, kept);
  }
}
