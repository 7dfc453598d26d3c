package org.safegrid.gisdata.boundary;

import java.time.Duration;

/**
 * Caps that keep a hostile or broken boundary file from exhausting memory, disk or CPU.
 *
 * @param maxFileBytes             largest upload accepted, compressed
 * @param maxUncompressedBytes     largest total size of the entries of a zip, counted while streaming
 * @param maxZipEntries            most entries a zip may hold
 * @param maxCompressionRatio      largest uncompressed/compressed ratio of a zip, checked while streaming
 * @param maxFeatures              most features in one file
 * @param maxVerticesPerFeature    most vertices in one feature's geometry
 * @param maxNestingDepth          deepest JSON nesting accepted
 * @param converterTimeout         wall-clock limit of the external Shapefile converter (also its CPU limit)
 */
public record ReadLimits(
    long maxFileBytes,
    long maxUncompressedBytes,
    int maxZipEntries,
    double maxCompressionRatio,
    int maxFeatures,
    int maxVerticesPerFeature,
    int maxNestingDepth,
    Duration converterTimeout) {

  /** Limits that fit a city's grid set (thousands of cells) with room to spare. */
  public static ReadLimits defaults() {
    return new ReadLimits(100L << 20, 500L << 20, 64, 200.0, 200_000, 200_000, 64, Duration.ofSeconds(60));
  }

  public ReadLimits withMaxFileBytes(long bytes) {
    return new ReadLimits(bytes, maxUncompressedBytes, maxZipEntries, maxCompressionRatio, maxFeatures,
        maxVerticesPerFeature, maxNestingDepth, converterTimeout);
  }

  public ReadLimits withMaxVerticesPerFeature(int vertices) {
    return new ReadLimits(maxFileBytes, maxUncompressedBytes, maxZipEntries, maxCompressionRatio, maxFeatures,
        vertices, maxNestingDepth, converterTimeout);
  }

  public ReadLimits withMaxFeatures(int features) {
    return new ReadLimits(maxFileBytes, maxUncompressedBytes, maxZipEntries, maxCompressionRatio, features,
        maxVerticesPerFeature, maxNestingDepth, converterTimeout);
  }
}
