package org.safegrid.server.heat;

import java.util.List;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The map's heat layer: {@code GET /api/heat} (see {@link HeatService}). */
@RestController
class HeatController {

  private final HeatService service;
  private final ScopeFilter scopes;

  HeatController(HeatService service, ScopeFilter scopes) {
    this.service = service;
    this.scopes = scopes;
  }

  @GetMapping("/api/heat")
  ResponseEntity<GeoJsonFeatureCollection> heat(@RequestParam(required = false) String window,
                                                @RequestParam(required = false) List<String> kinds,
                                                @RequestParam(required = false) Double bandwidth,
                                                @RequestParam(required = false) Double cellSize) {
    return ResponseEntity.ok().contentType(MediaType.valueOf("application/geo+json"))
        .body(service.heat(window, kinds, bandwidth, cellSize, scopes.current()));
  }
}
