package org.safegrid.server.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.safegrid.server.backtest.HotspotForecast;
import org.safegrid.server.backtest.PredictiveAccuracy;
import org.safegrid.server.hotspot.LocalMetricProjection;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.RiskRepository;
import org.springframework.stereotype.Service;

/**
 * The live forecast scorecard: last week's forecast against this week's events, on the active
 * grid, with the same measures as the backtest (hit rate, PAI, PEI* at 1/5/10 % of the cells) for
 * SafeGrid's forecast and the naive baseline. The forecast made a week ago uses the 90 days of
 * events before it; events that carry no risk weight (patrol position pings) are left out.
 */
@Service
public class ScorecardService {

  static final Duration TRAIN = Duration.ofDays(90);
  static final Duration TEST = Duration.ofDays(7);

  private final RiskRepository repository;
  private final RiskProperties cfg;

  public ScorecardService(DataSource dataSource, RiskProperties cfg) {
    this.repository = new RiskRepository(dataSource);
    this.cfg = cfg;
  }

  public Map<String, Object> scorecard(GridModel grid, Instant now) {
    return scorecard(grid, now, null);
  }

  /**
   * The scorecard over the cells of one district (null: the whole grid). The forecast still learns
   * from every event (a cell near the border is judged with its neighbours), but the measures, the
   * event counts and the top cells are the district's only.
   */
  public Map<String, Object> scorecard(GridModel grid, Instant now, String district) {
    Instant forecastAt = now.minus(TEST);
    int n = grid.size();
    double[] area = new double[n];
    for (int i = 0; i < n; i++) {
      area[i] = grid.cell(i).areaM2();
    }
    List<double[]> train = new ArrayList<>();
    List<Integer> trainCell = new ArrayList<>();
    double[] naive = new double[n];
    long[] test = new long[n];
    LocalMetricProjection proj = LocalMetricProjection.around(centroidLats(grid));
    repository.forEachEventObserved(forecastAt.minus(TRAIN), now, true, r -> {
      if (cfg.eventWeight(r.source(), r.kind(), r.severity()) == 0) {
        return;
      }
      int c = grid.locate(r.lon(), r.lat());
      if (r.observedMs() < forecastAt.toEpochMilli()) {
        train.add(new double[] {proj.x(r.lon()), proj.y(r.lat()), (forecastAt.toEpochMilli() - r.observedMs()) / 86_400_000.0});
        trainCell.add(c);
        if (c >= 0) {
          naive[c]++;
        }
      } else if (c >= 0) {
        test[c]++;
      }
    });
    int m = train.size();
    double[] ex = new double[m];
    double[] ey = new double[m];
    double[] age = new double[m];
    int[] cellOf = new int[m];
    for (int e = 0; e < m; e++) {
      ex[e] = train.get(e)[0];
      ey[e] = train.get(e)[1];
      age[e] = train.get(e)[2];
      cellOf[e] = trainCell.get(e);
    }
    double[] cx = new double[n];
    double[] cy = new double[n];
    for (int i = 0; i < n; i++) {
      cx[i] = proj.x(grid.centroidLon(i));
      cy[i] = proj.y(grid.centroidLat(i));
    }
    double typicalCell = n == 0 ? 250 : Math.sqrt(grid.totalAreaM2() / n);
    HotspotForecast model = HotspotForecast.defaults(typicalCell);
    double[] forecast = model.score(cx, cy, area, cellOf, ex, ey, age);
    double[] fOut = forecast;
    double[] naiveOut = naive;
    long[] testOut = test;
    int trainOut = m;
    if (district != null) {
      int[] keep = java.util.stream.IntStream.range(0, n).filter(i -> district.equals(grid.cell(i).districtCode()))
          .toArray();
      boolean[] inside = new boolean[n];
      double[] f = new double[keep.length];
      double[] nv = new double[keep.length];
      long[] t = new long[keep.length];
      for (int k = 0; k < keep.length; k++) {
        inside[keep[k]] = true;
        f[k] = forecast[keep[k]];
        nv[k] = naive[keep[k]];
        t[k] = test[keep[k]];
      }
      int trainInside = 0;
      for (int c : cellOf) {
        trainInside += c >= 0 && inside[c] ? 1 : 0;
      }
      trainOut = trainInside;
      fOut = f;
      naiveOut = nv;
      testOut = t;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gridSetId", grid.gridSetId());
    out.put("forecastAt", forecastAt.toString());
    out.put("trainFrom", forecastAt.minus(TRAIN).toString());
    out.put("testTo", now.toString());
    out.put("trainEvents", trainOut);
    long testTotal = 0;
    for (long t : testOut) {
      testTotal += t;
    }
    out.put("testEvents", testTotal);
    out.put("model", Map.of("halfLifeDays", model.halfLifeDays(), "bandwidthMeters", model.bandwidthMeters(),
        "alpha", model.alpha(), "kernel", "quartic"));
    out.put("areaBasis", "share of cells (grid cells treated as equal in area)");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (double cov : new double[] {0.01, 0.05, 0.10}) {
      PredictiveAccuracy sg = PredictiveAccuracy.measure(fOut, testOut, cov);
      PredictiveAccuracy nv = PredictiveAccuracy.measure(naiveOut, testOut, cov);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("coverage", cov);
      row.put("cells", sg.cells());
      row.put("safegrid", Map.of("hits", sg.hits(), "hitRate", sg.hitRate(), "pai", sg.pai(), "peiStar", sg.peiStar()));
      row.put("naive", Map.of("hits", nv.hits(), "hitRate", nv.hitRate(), "pai", nv.pai(), "peiStar", nv.peiStar()));
      rows.add(row);
    }
    out.put("results", rows);
    return out;
  }

  private static double[] centroidLats(GridModel grid) {
    double[] lat = new double[grid.size()];
    for (int i = 0; i < lat.length; i++) {
      lat[i] = grid.centroidLat(i);
    }
    return lat;
  }
}
