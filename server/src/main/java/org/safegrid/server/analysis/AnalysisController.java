package org.safegrid.server.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.hotspot.HotspotFeatures;
import org.safegrid.server.hotspot.HotspotProperties;
import org.safegrid.server.web.ApiExceptionHandler;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Gi* hotspot analysis of an uploaded layer: {@code POST /api/analysis/hotspots}. */
@RestController
class AnalysisController {

  /** Seed of the permutations when the caller names none: the same layer gives the same answer. */
  static final long DEFAULT_SEED = 20261201L;

  private final HotspotProperties cfg;
  private final ScorecardService scorecard;
  private final RiskService risk;
  private final ScopeFilter scopes;

  AnalysisController(HotspotProperties cfg, ScorecardService scorecard, RiskService risk, ScopeFilter scopes) {
    this.cfg = cfg;
    this.scorecard = scorecard;
    this.risk = risk;
    this.scopes = scopes;
  }

  /** Last week's forecast against this week's events on the active grid (a district-scoped user: its district's cells). */
  @GetMapping("/api/analysis/scorecard")
  Map<String, Object> scorecard() {
    return scorecard.scorecard(risk.snapshot().grid(), java.time.Instant.now(), scopes.current().districtCodeOrNull());
  }

  @PostMapping(path = "/api/analysis/hotspots", consumes = {"application/json", "application/geo+json"})
  Map<String, Object> hotspots(@RequestBody JsonNode featureCollection,
                               @RequestParam(required = false) String property,
                               @RequestParam(defaultValue = "distance_band") String weights,
                               @RequestParam(required = false) String threshold,
                               @RequestParam(defaultValue = "8") int k,
                               @RequestParam(defaultValue = "8") int minNeighbours,
                               @RequestParam(defaultValue = "999") int permutations,
                               @RequestParam(required = false) String p,
                               @RequestParam(required = false) Long seed) {
    boolean auto = "auto".equals(threshold);
    Double band = null;
    if (threshold != null && !auto) {
      try {
        band = Double.valueOf(threshold);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("threshold must be a number of metres or auto");
      }
    }
    boolean pseudo = p == null ? permutations > 0 : switch (p) {
      case "analytic" -> false;
      case "permutation", "pseudo" -> true;
      default -> throw new IllegalArgumentException("p must be analytic or permutation");
    };
    long s = seed != null ? seed : DEFAULT_SEED;
    LayerHotspotAnalysis.Result r = LayerHotspotAnalysis.run(featureCollection, property, weights, band, auto, k,
        minNeighbours, permutations, pseudo, s, cfg.maxAnalysisFeatures());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("property", r.property());
    out.put("weights", r.weights());
    if (r.thresholdMeters() != null) {
      out.put("thresholdMeters", r.thresholdMeters());
    }
    out.put("selfIncluded", true);
    out.put("neighbourhood", HotspotFeatures.neighbourhood(r.weights(),
        r.thresholdMeters() == null ? Double.NaN : r.thresholdMeters(), r.k(), r.counts()));
    if (r.bandSearch() != null) {
      out.put("bandSearch", r.bandSearch());
    }
    Map<String, Object> inference = HotspotFeatures.inference(r.pseudoP(), r.permutations());
    if (r.permutations() > 0) {
      inference.put("seed", s);
    }
    out.put("inference", inference);
    out.put("fdr", "Benjamini-Hochberg");
    out.put("features", r.features());
    out.put("hotspots", new GeoJsonFeatureCollection(
        HotspotFeatures.toFeatures(r.hotspots())));
    return out;
  }

  @ExceptionHandler(LayerHotspotAnalysis.BadLayerException.class)
  ProblemDetail badLayer(LayerHotspotAnalysis.BadLayerException e) {
    return ApiExceptionHandler.problem(e.tooLarge() ? HttpStatus.PAYLOAD_TOO_LARGE : HttpStatus.BAD_REQUEST,
        e.tooLarge() ? "Layer too large" : "Layer refused", e.getMessage());
  }
}
