package org.safegrid.server.map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/map-config}: the base map and start view the browser map uses. */
@RestController
class MapConfigController {

  private final MapProperties properties;

  MapConfigController(MapProperties properties) {
    this.properties = properties;
  }

  /**
   * The map configuration as the browser reads it.
   *
   * @param baseTileUrl       XYZ template, or empty for no base map
   * @param baseDatum         wgs84, cgcs2000 or gcj02
   * @param baseAttribution   attribution text
   * @param baseMaxZoom       highest base zoom
   * @param center            [lon, lat] of the start view
   * @param zoom              start zoom
   * @param eventWindowMinutes how long events stay on the map
   */
  record MapConfig(String baseTileUrl, String baseDatum, String baseAttribution, int baseMaxZoom, double[] center,
                   int zoom, int eventWindowMinutes) {
  }

  @GetMapping("/api/map-config")
  MapConfig config() {
    MapProperties p = properties;
    return new MapConfig(p.baseTileUrl(), p.baseDatum(), p.baseAttribution(), p.baseMaxZoom(),
        new double[] {p.centerLon(), p.centerLat()}, p.zoom(), p.eventWindowMinutes());
  }
}
