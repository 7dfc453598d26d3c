package org.safegrid.server.hotspot;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.web.CsvCell;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.stats.hotspot.EmergingCategory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Emerging hot spots per cell: {@code GET /api/hotspots/emerging} (GeoJSON or CSV). A district-scoped
 * user gets its district's cells, and counts over them only.
 */
@RestController
class EmergingHotspotController {

  private final RiskService risk;
  private final EmergingHotspotService service;
  private final HotspotProperties cfg;
  private final ScopeFilter scopes;
  private final HotspotService hotspots;

  EmergingHotspotController(RiskService risk, EmergingHotspotService service, HotspotProperties cfg,
                            ScopeFilter scopes, HotspotService hotspots) {
    this.risk = risk;
    this.service = service;
    this.cfg = cfg;
    this.scopes = scopes;
    this.hotspots = hotspots;
  }

  @GetMapping("/api/hotspots/emerging")
  ResponseEntity<?> emerging(@RequestParam(defaultValue = "day") String bin,
                             @RequestParam(required = false) Integer bins,
                             @RequestParam(required = false) List<String> kinds,
                             @RequestParam(required = false) String district,
                             @RequestParam(defaultValue = "95") int minConfidence,
                             @RequestParam(defaultValue = "false") boolean all,
                             @RequestParam(defaultValue = "geojson") String format) {
    Duration step = switch (bin) {
      case "hour" -> Duration.ofHours(1);
      case "day" -> Duration.ofDays(1);
      default -> throw new IllegalArgumentException("bin must be hour or day");
    };
    boolean scopedUser = !scopes.current().isCity();
    DataScope scope = scopes.requireAllowed(district, "emerging_hotspots");
    GridModel grid = risk.snapshot().grid();
    // bins end at the last full hour/day, so the newest bin is not a partial one
    Instant end = Instant.now().truncatedTo(step.equals(Duration.ofDays(1)) ? ChronoUnit.DAYS : ChronoUnit.HOURS);
    EmergingHotspotService.Result r = service.analyse(grid, step, bins == null ? cfg.emergingBins() : bins, end,
        kinds, minConfidence);
    int[] cells = RiskService.cellsIn(grid, scope.districtCodeOrNull());
    if (format.equalsIgnoreCase("csv")) {
      StringBuilder sb = new StringBuilder("cell_id,code,district,category\n");
      for (int c : cells) {
        if (all || r.categories()[c] != EmergingCategory.NO_PATTERN) {
          GridModel.Cell cell = grid.cell(c);
          sb.append(cell.cellId()).append(',').append(CsvCell.text(cell.code())).append(',')
              .append(CsvCell.text(cell.districtCode())).append(',')
              .append(r.categories()[c].code()).append('\n');
        }
      }
      return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"emerging.csv\"")
          .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8)).body(sb.toString());
    }
    String[] geoms = risk.cellGeometryJson(grid);
    List<GeoJsonFeature> features = new ArrayList<>();
    for (int c : cells) {
      if (all || r.categories()[c] != EmergingCategory.NO_PATTERN) {
        GridModel.Cell cell = grid.cell(c);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("cellId", cell.cellId());
        p.put("code", cell.code());
        p.put("district", cell.districtCode());
        p.put("category", r.categories()[c].code());
        features.add(new GeoJsonFeature(cell.code(), geoms[c], p));
      }
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("bin", r.bin().toString());
    meta.put("bins", r.bins());
    meta.put("end", r.end().toString());
    if (scopedUser) {
      // city-wide figures would describe other districts: count over the district's cells only
      Map<EmergingCategory, Integer> counts = new java.util.EnumMap<>(EmergingCategory.class);
      for (int c : cells) {
        counts.merge(r.categories()[c], 1, Integer::sum);
      }
      meta.put("counts", counts);
    } else {
      meta.put("events", r.events());
      meta.put("counts", r.counts());
    }
    meta.put("definition", "ArcGIS Pro 'How Emerging Hot Spot Analysis works' categories; space-time Gi* "
        + "(neighbouring cells in the same and the previous " + EmergingHotspotService.TIME_LAG + " bin), Benjamini-Hochberg "
        + "over all bins, Mann-Kendall on each cell's z series at alpha " + EmergingHotspotService.TREND_ALPHA
        + "; readings of ambiguous cases in docs/engine.md");
    meta.put("neighbourhood", HotspotFeatures.neighbourhood(hotspots.weightsFor(grid)));
    if (!Double.isNaN(r.agreement())) {
      Map<String, Object> stability = new LinkedHashMap<>();
      stability.put("alternativeBin", r.alternativeBin().toString());
      stability.put("agreement", r.agreement());
      stability.put("patternedAgreement", Double.isNaN(r.patternedAgreement()) ? null : r.patternedAgreement());
      meta.put("stability", stability);
    }
    return ResponseEntity.ok().contentType(MediaType.valueOf("application/geo+json"))
        .body(new GeoJsonFeatureCollection(features, meta));
  }
}
