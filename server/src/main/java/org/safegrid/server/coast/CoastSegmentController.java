package org.safegrid.server.coast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Coastline segments with risk and Gi*: {@code GET /api/coast/segments}. A district-scoped user gets
 * the segments that meet its district (Gi* stays computed along the whole coast).
 */
@RestController
class CoastSegmentController {

  private final RiskService risk;
  private final CoastSegmentService service;
  private final ScopeFilter scopes;

  CoastSegmentController(RiskService risk, CoastSegmentService service, ScopeFilter scopes) {
    this.risk = risk;
    this.service = service;
    this.scopes = scopes;
  }

  @GetMapping("/api/coast/segments")
  ResponseEntity<GeoJsonFeatureCollection> segments(@RequestParam(required = false) String window,
                                                    @RequestParam(required = false) List<String> kinds) {
    RiskSnapshot.WindowScores ws = risk.scores(RiskService.WindowRequest.parse(window, null, null),
        kinds == null ? List.of() : kinds);
    DataScope scope = scopes.current();
    List<GeoJsonFeature> features = new ArrayList<>();
    // one reading of the coastline for the whole answer
    CoastSegmentService.Segments segments = service.segments();
    List<String> geometryJson = segments.geometryJson();
    for (CoastSegmentService.SegmentRisk s : service.score(segments, ws)) {
      if (!scope.intersects(s.geometry())) {
        continue;
      }
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("segment", s.index());
      p.put("lengthM", s.lengthM());
      p.put("risk", s.risk());
      p.put("z", s.z());
      p.put("p", s.p());
      p.put("class", s.hotspotClass().code());
      features.add(new GeoJsonFeature(s.index(), geometryJson.get(s.index()), p));
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("window", ws.window().toString());
    meta.put("segmentMeters", CoastSegmentService.SEGMENT_METERS);
    meta.put("bandMeters", segments.bandMeters());
    return ResponseEntity.ok().contentType(MediaType.valueOf("application/geo+json"))
        .body(new GeoJsonFeatureCollection(features, meta));
  }
}
