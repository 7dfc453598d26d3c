package org.safegrid.server.upload;

import org.safegrid.gisdata.boundary.BoundaryReader;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Whether every boundary reader can run ({@code uploadReaders}, also in the readiness group): UP when
 * GDAL's ogr2ogr is there, {@link #DEGRADED} with the reason when it is not. Degraded, not down: the
 * map, the engine and GeoJSON/GeoPackage uploads still work, only Shapefile uploads are answered 503;
 * {@code application.yml} orders DEGRADED between OUT_OF_SERVICE and UP and maps it to HTTP 200.
 */
@Component
class UploadReadersHealthIndicator implements HealthIndicator {

  /** Serving, with a part that cannot work (a reader's tool is missing). */
  static final Status DEGRADED = new Status("DEGRADED");

  private final BoundaryReader reader;

  UploadReadersHealthIndicator(BoundaryReader reader) {
    this.reader = reader;
  }

  @Override
  public Health health() {
    var missing = reader.ogr2ogr().unavailableReason();
    if (missing.isPresent()) {
      return Health.status(DEGRADED).withDetail("shapefile", "unavailable")
          .withDetail("reason", missing.get()).withDetail("ogr2ogr", reader.ogr2ogr().executable()).build();
    }
    return Health.up().withDetail("shapefile", "available").withDetail("geojson", "available")
        .withDetail("geopackage", "available").build();
  }
}
