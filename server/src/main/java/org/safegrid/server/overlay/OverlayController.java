package org.safegrid.server.overlay;

import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.DistrictScope;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/overlays/{layer}}: districts, coastline, coastal zone, land, campuses, checkpoints, cameras. */
@RestController
class OverlayController {

  private final OverlayService overlays;
  private final DistrictScope scope;

  OverlayController(OverlayService overlays, DistrictScope scope) {
    this.overlays = overlays;
    this.scope = scope;
  }

  @GetMapping(value = "/api/overlays/{layer}", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection layer(@PathVariable String layer, @RequestParam(required = false) String bbox) {
    return overlays.getLayer(layer, BoundingBox.parse(bbox), scope.districtCodeOrNull());
  }
}
