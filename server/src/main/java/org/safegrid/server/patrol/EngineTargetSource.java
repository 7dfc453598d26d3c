package org.safegrid.server.patrol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import org.locationtech.jts.geom.Geometry;
import org.safegrid.server.hotspot.HotspotService;
import org.safegrid.server.risk.EngineLoadingException;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskLevel;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;

/**
 * The patrol targets from the spatial engine: hot spots (Gi* on the window's event counts, every
 * connected group of cells hot at FDR level 90 % or more as one polygon) with the summed risk of
 * their cells, sent to the hotspot's interior label point, then the high or critical cells outside them, then (up to
 * the limit) the next riskiest cells. Falls back to
 * {@link RecentEventTargetSource} while the engine has no snapshot (no active grid, still loading).
 */
@Primary
@Component
class EngineTargetSource implements TargetSource {

  private final RiskService risk;
  private final HotspotService hotspots;
  private final RecentEventTargetSource fallback;

  EngineTargetSource(RiskService risk, HotspotService hotspots, RecentEventTargetSource fallback) {
    this.risk = risk;
    this.hotspots = hotspots;
    this.fallback = fallback;
  }

  @Override
  public Targets listTargets(int limit, Duration window, String district) {
    RiskSnapshot.WindowScores ws;
    try {
      ws = risk.scores(new RiskService.WindowRequest(window, null, null), List.of());
    } catch (NoSuchElementException | EngineLoadingException e) {
      return fallback.listTargets(limit, window, district);
    }
    return targets(ws, hotspots.hotspots(ws, HotspotService.Variable.COUNT, 90, district, district).hotspots(), limit,
        district);
  }

  /** Hot spots first by their summed risk, then high/critical cells not inside any of them. */
  static Targets targets(RiskSnapshot.WindowScores ws, List<Hotspot> spots, int limit) {
    return targets(ws, spots, limit, null);
  }

  /** The same over the cells of one district (null: all cells). */
  static Targets targets(RiskSnapshot.WindowScores ws, List<Hotspot> spots, int limit, String district) {
    GridModel grid = ws.grid();
    double[] score = ws.score();
    boolean[] inHotspot = new boolean[score.length];
    List<Target> out = new ArrayList<>();
    for (Hotspot h : spots) {
      if (!h.hotspotClass().isHot()) {
        continue;
      }
      double sum = 0;
      for (int c : h.cells()) {
        sum += score[c];
        inHotspot[c] = true;
      }
      Geometry g = h.geometry();
      out.add(new Target("hotspot-" + h.rank(), "hotspot", h.hotspotClass().code() + " hotspot #" + h.rank(),
          g.toText(), h.labelLon(), h.labelLat(), sum));
    }
    double total = 0;
    for (int c = 0; c < score.length; c++) {
      if (district != null && !district.equals(grid.cell(c).districtCode())) {
        continue;
      }
      total += score[c];
      RiskLevel level = ws.level()[c];
      if (!inHotspot[c] && score[c] > 0 && (level == RiskLevel.HIGH || level == RiskLevel.CRITICAL)) {
        GridModel.Cell cell = grid.cell(c);
        out.add(new Target(cell.code(), "cell", cell.name() == null ? cell.code() : cell.name(),
            cell.geometry().toText(), grid.centroidLon(c), grid.centroidLat(c), score[c]));
      }
    }
    out.sort(Comparator.comparingDouble(Target::risk).reversed());
    if (out.size() < limit) {
      // fewer hot places than asked for: the next riskiest cells still repay a visit
      List<Integer> rest = new ArrayList<>();
      for (int c = 0; c < score.length; c++) {
        RiskLevel level = ws.level()[c];
        if (!inHotspot[c] && score[c] > 0 && level != RiskLevel.HIGH && level != RiskLevel.CRITICAL
            && (district == null || district.equals(grid.cell(c).districtCode()))) {
          rest.add(c);
        }
      }
      rest.sort(Comparator.comparingDouble((Integer c) -> score[c]).reversed());
      for (int c : rest.subList(0, Math.min(rest.size(), limit - out.size()))) {
        GridModel.Cell cell = grid.cell(c);
        out.add(new Target(cell.code(), "cell", cell.name() == null ? cell.code() : cell.name(),
            cell.geometry().toText(), grid.centroidLon(c), grid.centroidLat(c), score[c]));
      }
    }
    return new Targets(List.copyOf(out.subList(0, Math.min(limit, out.size()))), total, "engine");
  }
}
