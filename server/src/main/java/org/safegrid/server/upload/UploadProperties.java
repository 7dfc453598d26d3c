package org.safegrid.server.upload;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of boundary uploads ({@code safegrid.upload.*}).
 *
 * @param maxFileBytes          largest upload accepted (bytes); larger files are refused with 413
 * @param maxUncompressedBytes  largest total unpacked size of a zip
 * @param maxZipEntries         most entries in a zip
 * @param maxCompressionRatio   largest unpacked/packed ratio of a zip (zip-bomb guard)
 * @param maxFeatures           most features in one file
 * @param maxVerticesPerFeature most vertices in one feature
 * @param converterTimeout      CPU and wall-clock limit of the Shapefile converter (ogr2ogr)
 * @param ogr2ogr               GDAL's ogr2ogr, which reads Shapefiles: a name looked up on the PATH or a path
 *                              (env {@code SAFEGRID_UPLOAD_OGR2OGR}); when it is missing, the health component
 *                              {@code uploadReaders} says so and Shapefile uploads are answered 503
 * @param cityCode              adcode of the city grid sets belong to
 * @param minLon                jurisdiction envelope: west (degrees)
 * @param maxLon                east
 * @param minLat                south
 * @param maxLat                north
 * @param minAreaM2             smallest overlap or gap reported (m²)
 * @param coastalZoneMeters     width of the coastal zone derived from an uploaded coastline (m)
 * @param maxConcurrentUploads  uploads received at the same time; one more is answered 503 with
 *                              {@code Retry-After} before its body is read (default 2)
 * @param approval              four-eyes activation ({@code safegrid.upload.approval.*})
 */
@ConfigurationProperties("safegrid.upload")
public record UploadProperties(
    @DefaultValue("104857600") long maxFileBytes,
    @DefaultValue("524288000") long maxUncompressedBytes,
    @DefaultValue("64") int maxZipEntries,
    @DefaultValue("200") double maxCompressionRatio,
    @DefaultValue("200000") int maxFeatures,
    @DefaultValue("200000") int maxVerticesPerFeature,
    @DefaultValue("60s") Duration converterTimeout,
    @DefaultValue("ogr2ogr") String ogr2ogr,
    @DefaultValue("441300") String cityCode,
    @DefaultValue("113.8") double minLon,
    @DefaultValue("115.5") double maxLon,
    @DefaultValue("22.3") double minLat,
    @DefaultValue("24.4") double maxLat,
    @DefaultValue("1.0") double minAreaM2,
    @DefaultValue("1000") double coastalZoneMeters,
    @DefaultValue("2") int maxConcurrentUploads,
    @DefaultValue Approval approval) {

  /**
   * Four-eyes activation: a districts layer or a grid set that changes any district's area by more than
   * {@code districtAreaTolerance} (a fraction of the district's live area; a district that appears or
   * disappears always counts) is activated only when a second GIS administrator approves.
   *
   * @param enabled               whether such activations wait for approval (default true)
   * @param districtAreaTolerance largest relative change of a district's area activated by one
   *                              administrator alone, in [0, 1) (default 0.01: 1 %)
   */
  public record Approval(@DefaultValue("true") boolean enabled, @DefaultValue("0.01") double districtAreaTolerance) {
    public Approval {
      if (!(districtAreaTolerance >= 0 && districtAreaTolerance < 1)) {
        throw new IllegalArgumentException("safegrid.upload.approval.district-area-tolerance must be in [0, 1), not "
            + districtAreaTolerance);
      }
    }
  }

  public UploadProperties {
    if (maxFileBytes <= 0 || maxUncompressedBytes <= 0 || maxZipEntries <= 0 || maxFeatures <= 0
        || maxVerticesPerFeature <= 0) {
      throw new IllegalArgumentException("safegrid.upload.max-* limits must be positive");
    }
    if (!(minLon < maxLon && minLat < maxLat)) {
      throw new IllegalArgumentException("safegrid.upload.min-lon/max-lon/min-lat/max-lat must describe a non-empty box");
    }
    if (ogr2ogr == null || ogr2ogr.isBlank()) {
      throw new IllegalArgumentException("safegrid.upload.ogr2ogr must name GDAL's ogr2ogr (a name on the PATH or a path)");
    }
    if (maxConcurrentUploads < 1) {
      throw new IllegalArgumentException("safegrid.upload.max-concurrent-uploads must be at least 1");
    }
    if (coastalZoneMeters <= 0 || coastalZoneMeters > 50_000) {
      throw new IllegalArgumentException("safegrid.upload.coastal-zone-meters must be in (0, 50000]");
    }
  }
}
