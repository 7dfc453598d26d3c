package org.safegrid.server.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The live self-exciting forecast per grid cell: {@code GET /api/risk/forecast?window=shift|day|week}.
 * Expected count for the next window from now, the central 80 % and 95 % intervals of its negative
 * binomial, and the fit it comes from. A district-scoped user gets its district's cells only.
 */
@RestController
class ForecastController {

  private final LiveForecastService forecast;
  private final ScopeFilter scopes;

  ForecastController(LiveForecastService forecast, ScopeFilter scopes) {
    this.forecast = forecast;
    this.scopes = scopes;
  }

  @GetMapping("/api/risk/forecast")
  Map<String, Object> forecast(@RequestParam(defaultValue = "day") String window,
                               @RequestParam(required = false) String district) {
    Duration w = LiveForecastService.WINDOWS.get(window);
    if (w == null) {
      throw new IllegalArgumentException("window must be shift (8 h), day or week, got '" + window + "'");
    }
    String scoped = scopes.requireAllowed(district, "risk").districtCodeOrNull();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("window", window);
    out.put("windowDuration", w.toString());
    out.put("model", forecast.describe());
    forecast.forGrid(Instant.now(), w).ifPresentOrElse(a -> {
      GridModel grid = a.grid();
      out.put("gridSetId", grid.gridSetId());
      out.put("origin", a.origin().toString());
      List<Map<String, Object>> cells = new ArrayList<>();
      for (int c : RiskService.cellsIn(grid, scoped)) {
        LiveForecast.CellForecast f = a.cells()[c];
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cellId", grid.cell(c).cellId());
        m.put("code", grid.cell(c).code());
        m.put("district", grid.cell(c).districtCode());
        m.put("expected", f.expected());
        m.put("lower80", f.lower80());
        m.put("upper80", f.upper80());
        m.put("lower95", f.lower95());
        m.put("upper95", f.upper95());
        cells.add(m);
      }
      out.put("cells", cells);
    }, () -> out.put("cells", List.of()));
    return out;
  }
}
