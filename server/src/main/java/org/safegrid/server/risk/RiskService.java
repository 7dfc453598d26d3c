package org.safegrid.server.risk;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.safegrid.server.hotspot.GeoJsonGeometry;
import org.springframework.stereotype.Service;

/** Answers risk queries: a live window from the current snapshot, or any interval computed from PostGIS. */
@Service
public class RiskService {

  /** Longest ad-hoc interval computed on request. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(92);

  private final LiveRiskService live;
  private final RiskRepository repository;
  private final RiskProperties cfg;
  private final Map<Long, String[]> geometryJson = new ConcurrentHashMap<>();

  public RiskService(LiveRiskService live, DataSource dataSource, RiskProperties cfg) {
    this.live = live;
    this.repository = new RiskRepository(dataSource);
    this.cfg = cfg;
  }

  /** A resolved request window: a live one by length, or an explicit interval. */
  public record WindowRequest(Duration window, Instant from, Instant to) {

    /** Parses {@code 1h}, {@code 24h}, {@code 7d} or an ISO-8601 duration; from/to, if given, win. */
    public static WindowRequest parse(String window, Instant from, Instant to) {
      if (from != null || to != null) {
        if (from == null || to == null || !from.isBefore(to)) {
          throw new IllegalArgumentException("give both 'from' and 'to' (ISO-8601 instants) with from before to");
        }
        if (Duration.between(from, to).compareTo(MAX_INTERVAL) > 0) {
          throw new IllegalArgumentException("an interval may span at most " + MAX_INTERVAL.toDays() + " days");
        }
        return new WindowRequest(Duration.between(from, to), from, to);
      }
      String w = window == null || window.isBlank() ? "24h" : window.trim().toLowerCase();
      Duration d;
      try {
        if (w.endsWith("h") && !w.startsWith("p")) {
          d = Duration.ofHours(Long.parseLong(w.substring(0, w.length() - 1)));
        } else if (w.endsWith("d") && !w.startsWith("p")) {
          d = Duration.ofDays(Long.parseLong(w.substring(0, w.length() - 1)));
        } else {
          d = Duration.parse(w.toUpperCase());
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("window must be 1h, 24h, 7d or an ISO-8601 duration, got '" + window + "'");
      }
      if (d.isNegative() || d.isZero() || d.compareTo(MAX_INTERVAL) > 0) {
        throw new IllegalArgumentException("window must be positive and at most " + MAX_INTERVAL.toDays() + " days");
      }
      return new WindowRequest(d, null, null);
    }
  }

  /** The current snapshot; 503 while the engine loads its first grid, 404 when no grid set is active. */
  public RiskSnapshot snapshot() {
    return live.current().orElseThrow(() -> live.loading() ? new EngineLoadingException()
        : new NoSuchElementException("no risk yet: no grid set is active"));
  }

  /** Whether the request is answered from one of the live engine's windows (not an interval read from PostGIS). */
  public boolean isLive(WindowRequest req) {
    return req.from() == null && live.current().flatMap(s -> s.findWindow(req.window())).isPresent();
  }

  /** Scores for the request, restricted to kinds (empty = all). */
  public RiskSnapshot.WindowScores scores(WindowRequest req, List<String> kinds) {
    RiskSnapshot snap = snapshot();
    if (req.from() == null) {
      var liveWindow = snap.findWindow(req.window());
      if (liveWindow.isPresent()) {
        return liveWindow.get().restrictKinds(kinds);
      }
      Instant to = snap.asOf();
      return compute(snap.grid(), to.minus(req.window()), to).restrictKinds(kinds);
    }
    return compute(snap.grid(), req.from(), req.to()).restrictKinds(kinds);
  }

  /**
   * Scores for the request counting only events of at least {@code minSeverity} (0..5; 0 = all, as
   * {@link #scores(WindowRequest, List)}). The live windows keep no severity, so a filtered request is
   * always computed from PostGIS over the same interval (a live one ends at the snapshot's time).
   */
  public RiskSnapshot.WindowScores scores(WindowRequest req, List<String> kinds, int minSeverity) {
    if (minSeverity < 0 || minSeverity > 5) {
      throw new IllegalArgumentException("minSeverity must be 0..5, got " + minSeverity);
    }
    if (minSeverity == 0) {
      return scores(req, kinds);
    }
    RiskSnapshot snap = snapshot();
    Instant to = req.from() == null ? snap.asOf() : req.to();
    Instant from = req.from() == null ? to.minus(req.window()) : req.from();
    return compute(snap.grid(), from, to, minSeverity).restrictKinds(kinds);
  }

  /** Computes one window over [from, to) from the events in PostGIS, scored at {@code to}. */
  public RiskSnapshot.WindowScores compute(GridModel grid, Instant from, Instant to) {
    return compute(grid, from, to, 0);
  }

  /** As {@link #compute(GridModel, Instant, Instant)}, counting only events of at least {@code minSeverity}. */
  private RiskSnapshot.WindowScores compute(GridModel grid, Instant from, Instant to, int minSeverity) {
    CellEnvironment env = live.environment().orElseGet(() -> CellEnvironment.none(grid.size()));
    Duration window = Duration.between(from, to);
    RiskEngine e = new RiskEngine(grid, cfg, env, List.of(window));
    e.advanceTo(to.toEpochMilli());
    repository.forEachPingCount(from, to, Instant.parse("9999-12-31T00:00:00Z"),
        p -> e.addPings(p.lon(), p.lat(), p.hourStartMs(), p.count()));
    repository.forEachEventObserved(from, to, true, r -> {
      if (r.severity() >= minSeverity) {
        e.accept(r.observedMs(), r.lon(), r.lat(), r.source(), r.kind(), r.severity());
      }
    });
    return e.snapshot().windows().get(0);
  }

  /** The sources whose events the risk counts (the others are exposure or nothing). */
  public List<String> predictedSources() {
    return cfg.sources();
  }

  /** GeoJSON geometry text of every cell of the grid (cached per grid set). */
  public String[] cellGeometryJson(GridModel grid) {
    return geometryJson.computeIfAbsent(grid.gridSetId(), id -> {
      String[] out = new String[grid.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = GeoJsonGeometry.write(grid.cell(i).geometry());
      }
      return out;
    });
  }

  /** One row of a roll-up: a district or town with its summed risk. */
  public record RollupRow(String code, String name, int cells, double scoreSum, double scoreMean, double scoreMax,
                          long events, Map<String, Long> cellsByLevel) {}

  /** Sums the scores by {@code district} or {@code town}. */
  public List<RollupRow> rollup(RiskSnapshot.WindowScores ws, String by) {
    return rollup(ws, by, null);
  }

  /** Sums the scores by {@code district} or {@code town} over the cells of one district (null: all cells). */
  public List<RollupRow> rollup(RiskSnapshot.WindowScores ws, String by, String district) {
    if (!by.equals("district") && !by.equals("town")) {
      throw new IllegalArgumentException("roll up 'by' must be district or town");
    }
    GridModel g = ws.grid();
    Map<String, double[]> sums = new LinkedHashMap<>();
    Map<String, String> names = new LinkedHashMap<>();
    Map<String, Map<String, Long>> levels = new LinkedHashMap<>();
    for (int c = 0; c < ws.size(); c++) {
      GridModel.Cell cell = g.cell(c);
      if (district != null && !district.equals(cell.districtCode())) {
        continue;
      }
      String key = by.equals("district") ? cell.districtCode() : cell.townCode();
      key = key == null ? "unknown" : key;
      if (by.equals("town") && cell.townName() != null) {
        names.putIfAbsent(key, cell.townName());
      }
      double[] s = sums.computeIfAbsent(key, k -> new double[4]);
      s[0]++;
      s[1] += ws.score()[c];
      s[2] = Math.max(s[2], ws.score()[c]);
      s[3] += ws.events()[c];
      levels.computeIfAbsent(key, k -> new LinkedHashMap<>()).merge(ws.level()[c].code(), 1L, Long::sum);
    }
    List<RollupRow> rows = new ArrayList<>();
    sums.forEach((k, s) -> rows.add(new RollupRow(k, names.get(k), (int) s[0], s[1], s[1] / s[0], s[2], (long) s[3],
        levels.get(k))));
    rows.sort((a, b) -> Double.compare(b.scoreSum(), a.scoreSum()));
    return rows;
  }

  /** Cell indices of the district (all cells when district is null or blank). */
  public static int[] cellsIn(GridModel grid, String district) {
    if (district == null || district.isBlank()) {
      int[] all = new int[grid.size()];
      Arrays.setAll(all, i -> i);
      return all;
    }
    return java.util.stream.IntStream.range(0, grid.size())
        .filter(i -> district.equals(grid.cell(i).districtCode())).toArray();
  }

  /**
   * Incidents of [from, to) located only to a district centroid, which no cell counts: how many, in
   * total and by district ({@code attrs.location.districtCode}, else the district of the grid cell the
   * centroid falls in, else {@code unknown}), restricted to kinds (empty = all) and to one district (null: all).
   */
  public Map<String, Object> districtOnlyIncidents(GridModel grid, Instant from, Instant to, List<String> kinds,
                                                   String district) {
    Map<String, Long> by = new java.util.TreeMap<>();
    long total = 0;
    for (RiskRepository.DistrictOnly d : repository.listDistrictOnly(from, to)) {
      if (!kinds.isEmpty() && !kinds.contains(d.kind()) && !kinds.contains("incident:" + d.kind())) {
        continue;
      }
      String code = d.districtCode();
      if (code == null || code.isBlank()) {
        int c = grid.locate(d.lon(), d.lat());
        code = c >= 0 && grid.cell(c).districtCode() != null ? grid.cell(c).districtCode() : "unknown";
      }
      if (district != null && !district.equals(code)) {
        continue;
      }
      by.merge(code, 1L, Long::sum);
      total++;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("byDistrict", by);
    out.put("note", "incidents located only to a district centroid: stored, counted here, in no cell");
    return out;
  }
}
