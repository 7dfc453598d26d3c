package org.safegrid.server.patrol;

import java.time.Duration;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/patrol/coverage} (GeoJSON; {@code uncovered=true} for the uncovered layer) and {@code POST /api/patrol/plan}. */
@RestController
class PatrolController {

  private final CoverageService coverage;
  private final PlanService plans;
  private final PatrolProperties properties;
  private final ScopeFilter scopes;

  PatrolController(CoverageService coverage, PlanService plans, PatrolProperties properties, ScopeFilter scopes) {
    this.coverage = coverage;
    this.plans = plans;
    this.properties = properties;
    this.scopes = scopes;
  }

  @GetMapping(value = "/api/patrol/coverage", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection coverage(@RequestParam(required = false) Double windowHours,
                                    @RequestParam(required = false) Double distanceMeters,
                                    @RequestParam(defaultValue = "false") boolean uncovered) {
    if (windowHours != null && !(windowHours > 0 && windowHours <= 744)) {
      throw new IllegalArgumentException("windowHours must be more than 0 and at most 744");
    }
    Duration window = windowHours == null ? properties.coverageWindow() : Duration.ofSeconds(Math.round(windowHours * 3600));
    double d = distanceMeters == null ? properties.coverDistanceMeters() : distanceMeters;
    DataScope scope = scopes.current();
    return coverage.toGeoJson(coverage.listCoverage(window, d, scope.districtCodeOrNull()), uncovered, window, d);
  }

  @PostMapping("/api/patrol/plan")
  PlanService.PlanResponse plan(@RequestBody(required = false) PlanService.PlanRequest request) {
    return plans.plan(request, scopes.current());
  }
}
