package org.safegrid.server.analysis;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.safegrid.server.backtest.Backtest;
import org.safegrid.server.backtest.BacktestEvents;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskProperties;
import org.springframework.stereotype.Service;

/**
 * The live scorecard: the backtest of the product. The backtest's own code ({@link Backtest#run})
 * is run on the event table for the active grid: the events of the predicted sources
 * ({@code safegrid.risk.sources}, incidents by default; district-centroid incidents and patrol pings
 * never) that lie in the grid (and in the caller's district), a training year, and a test week
 * ending now, scored on square cells of the grid's typical cell size with the backtest's study area
 * (cells within 500 m of a training event). It reports the backtest's measures: hit rate, PAI and
 * PEI* at 1, 5 and 10 % of the area for SafeGrid's forecast and each baseline, the Poisson log score
 * per cell and the coverage of the 80 % and 95 % intervals.
 *
 * <p>Periods, in local days of {@code safegrid.risk.zone}: test = the 7 days ending today (today
 * up to now included), training = the 365 days before it; the model's choices are made on the last
 * week of the training year, as in the backtest. An answer is kept for the day (per grid set and
 * district): the periods move by whole days.
 */
@Service
public class ScorecardService {

  static final int TEST_DAYS = 7;
  static final int TRAIN_DAYS = 365;

  private final DataSource dataSource;
  private final RiskProperties cfg;
  private final Map<String, Map<String, Object>> cache = new ConcurrentHashMap<>();

  public ScorecardService(DataSource dataSource, RiskProperties cfg) {
    this.dataSource = dataSource;
    this.cfg = cfg;
  }

  public Map<String, Object> scorecard(GridModel grid, Instant now) {
    return scorecard(grid, now, null);
  }

  /**
   * The scorecard over the events of one district (null: the whole grid): the forecast is fitted on
   * and judged by that district's events.
   */
  public Map<String, Object> scorecard(GridModel grid, Instant now, String district) {
    ZoneId zone = cfg.zone();
    LocalDate today = LocalDate.ofInstant(now, zone);
    String key = grid.gridSetId() + "|" + district + "|" + today;
    Map<String, Object> hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    Map<String, Object> out = compute(grid, now, district, zone, today);
    cache.keySet().removeIf(k -> !k.endsWith("|" + today));
    cache.put(key, out);
    return out;
  }

  private Map<String, Object> compute(GridModel grid, Instant now, String district, ZoneId zone, LocalDate today) {
    LocalDate testFrom = today.minusDays(TEST_DAYS - 1);
    LocalDate trainTo = testFrom.minusDays(1);
    LocalDate trainFrom = trainTo.minusDays(TRAIN_DAYS - 1);
    List<BacktestEvents.Row> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      for (BacktestEvents.Row r : BacktestEvents.readTable(c, zone, cfg.sources(), Set.of(),
          trainFrom.atStartOfDay(zone).toInstant(), now)) {
        int cell = grid.locate(r.lon(), r.lat());
        if (cell >= 0 && (district == null || district.equals(grid.cell(cell).districtCode()))) {
          rows.add(r);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read events for the scorecard: " + e.getMessage(), e);
    }
    long testStart = testFrom.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    long trainEvents = rows.stream().filter(r -> r.localMillis() < testStart).count();
    double cellSize = grid.size() == 0 ? 250 : Math.round(Math.sqrt(grid.totalAreaM2() / grid.size()));

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gridSetId", grid.gridSetId());
    if (district != null) {
      out.put("district", district);
    }
    out.put("sources", cfg.sources());
    out.put("zone", zone.getId());
    out.put("train", trainFrom + "/" + trainTo);
    out.put("test", testFrom + "/" + today + " (to " + now + ")");
    out.put("trainEvents", trainEvents);
    out.put("testEvents", rows.size() - trainEvents);
    out.put("cellSizeMeters", cellSize);
    Backtest.Options o = new Backtest.Options(null, true, zone, Set.of(), cellSize, trainFrom, trainTo, testFrom, today,
        null, null, 1, null, 1);
    try {
      Map<String, Object> r = Backtest.run(o, rows, "event table, active grid set " + grid.gridSetId(),
          new PrintStream(OutputStream.nullOutputStream()));
      @SuppressWarnings("unchecked")
      Map<String, Object> report = (Map<String, Object>) r.get("report");
      out.put("scored", true);
      out.put("computedBy", "the backtest (./safegrid backtest --from-db incident) on these periods");
      out.put("studyArea", report.get("study_area"));
      out.put("summary", r.get("summary"));
      out.put("validation", report.get("validation"));
      out.put("fits", report.get("safegrid_fits"));
      out.put("baselines", report.get("baselines"));
    } catch (IllegalArgumentException e) {
      // too few events to fit or score: say so rather than show numbers nobody can defend
      out.put("scored", false);
      out.put("reason", e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
