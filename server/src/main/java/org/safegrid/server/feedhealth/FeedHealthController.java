package org.safegrid.server.feedhealth;

import java.time.Instant;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/feed-health}: the silent cameras, checkpoints and patrol units as a GeoJSON layer. */
@RestController
class FeedHealthController {

  private final FeedHealthMonitor monitor;

  FeedHealthController(FeedHealthMonitor monitor) {
    this.monitor = monitor;
  }

  @GetMapping(value = "/api/feed-health", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection feedHealth(@RequestParam(defaultValue = "false") boolean all) {
    return monitor.toGeoJson(Instant.now(), all);
  }
}
