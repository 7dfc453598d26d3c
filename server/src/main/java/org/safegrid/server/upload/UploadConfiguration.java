package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.locationtech.jts.geom.Envelope;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.Ogr2Ogr;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.datum.Gcj02;
import org.safegrid.gisdata.validate.BoundaryValidator;
import org.safegrid.gisdata.validate.ReportJson;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the plain boundary reader and validator of gis-data with the upload settings. */
@Configuration
class UploadConfiguration {

  @Bean
  BoundaryReader boundaryReader(UploadProperties p) {
    ReadLimits limits = new ReadLimits(p.maxFileBytes(), p.maxUncompressedBytes(), p.maxZipEntries(),
        p.maxCompressionRatio(), p.maxFeatures(), p.maxVerticesPerFeature(), 64, p.converterTimeout());
    return new BoundaryReader(limits, jurisdiction(p), Gcj02::toWgs84, new Ogr2Ogr(p.ogr2ogr(), p.converterTimeout()));
  }

  @Bean
  BoundaryValidator boundaryValidator(UploadProperties p) {
    return new BoundaryValidator(jurisdiction(p), p.minAreaM2());
  }

  @Bean
  ReportJson reportJson(ObjectMapper mapper) {
    return new ReportJson(mapper);
  }

  /** Loads the EPSG dataset in the background at start-up, so the first upload does not pay for it (seconds). */
  @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
  void warmUpCrs() {
    Thread t = new Thread(() -> {
      try {
        new org.safegrid.gisdata.crs.CrsResolver().fromCode("4547");
      } catch (RuntimeException ignored) {
        // warm-up only: a real upload reports any problem with the EPSG dataset
      }
    }, "safegrid-crs-warm-up");
    t.setDaemon(true);
    t.start();
  }

  static Envelope jurisdiction(UploadProperties p) {
    return new Envelope(p.minLon(), p.maxLon(), p.minLat(), p.maxLat());
  }
}
