package org.safegrid.server.tiles;

import java.time.Duration;
import java.time.Instant;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/tiles/{layer}/{z}/{x}/{y}.mvt}: Mapbox Vector Tiles of the dense layers
 * ({@code events}, {@code cells}) for QGIS, GDAL and map clients. Events take an optional time
 * window {@code since}/{@code until} in epoch ms (default: the last {@code safegrid.tiles.event-window}).
 * A district-scoped user's tiles hold only its district's events and cells.
 */
@RestController
class TileController {

  static final MediaType MVT = MediaType.parseMediaType("application/vnd.mapbox-vector-tile");

  private final TileService tiles;
  private final TileProperties properties;
  private final ScopeFilter scopes;

  TileController(TileService tiles, TileProperties properties, ScopeFilter scopes) {
    this.tiles = tiles;
    this.properties = properties;
    this.scopes = scopes;
  }

  @GetMapping("/api/tiles/{layer}/{z}/{x}/{y}.mvt")
  ResponseEntity<byte[]> tile(@PathVariable String layer, @PathVariable int z, @PathVariable int x, @PathVariable int y,
                              @RequestParam(required = false) Long since, @RequestParam(required = false) Long until) {
    Instant to = until == null ? Instant.now().plusSeconds(60) : Instant.ofEpochMilli(until);
    Instant from = since == null ? to.minus(properties.eventWindow()).minusSeconds(60) : Instant.ofEpochMilli(since);
    if (Duration.between(from, to).compareTo(Duration.ofDays(8)) > 0) {
      throw new IllegalArgumentException("a time range may span at most 8 days");
    }
    byte[] body = tiles.getTile(layer, z, x, y, from, to, scopes.current());
    CacheControl cache = layer.equals("cells") ? CacheControl.maxAge(properties.maxAge()).cachePrivate()
        : CacheControl.noStore();
    // the same URL holds less for a district-scoped user: a browser must not reuse one user's tile for another
    return ResponseEntity.ok().contentType(MVT).cacheControl(cache).varyBy("Authorization", "Cookie").body(body);
  }
}
