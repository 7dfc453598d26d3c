package org.safegrid.server.feedhealth;

import java.time.Instant;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/feed-health}: the silent cameras, checkpoints and patrol units as a GeoJSON layer
 * (for a district-scoped user, those inside its district).
 */
@RestController
class FeedHealthController {

  private final FeedHealthMonitor monitor;
  private final ScopeFilter scopes;

  FeedHealthController(FeedHealthMonitor monitor, ScopeFilter scopes) {
    this.monitor = monitor;
    this.scopes = scopes;
  }

  @GetMapping(value = "/api/feed-health", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection feedHealth(@RequestParam(defaultValue = "false") boolean all) {
    return scopes.current().filter(monitor.toGeoJson(Instant.now(), all));
  }
}
