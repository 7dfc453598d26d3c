package org.safegrid.server.hotspot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of grid hotspots ({@code safegrid.hotspot.*}).
 *
 * @param weights          {@code distance_band} (default) or {@code queen} (for irregular uploaded grids)
 * @param bandMeters       distance band between cell centres in metres; unset = the smallest band
 *                         that gives every cell a neighbour
 * @param snapDegrees      tolerance for queen contiguity between cell polygons (default 1e-7°, ≈ 1 cm)
 * @param maxAnalysisFeatures the most features {@code POST /api/analysis/hotspots} accepts (default 100,000)
 * @param emergingBins     default number of time bins of the emerging-hotspot analysis (default 14)
 */
@ConfigurationProperties("safegrid.hotspot")
public record HotspotProperties(String weights, Double bandMeters, Double snapDegrees, Integer maxAnalysisFeatures,
                                Integer emergingBins) {

  public HotspotProperties {
    weights = weights == null ? "distance_band" : weights;
    if (!weights.equals("distance_band") && !weights.equals("queen")) {
      throw new IllegalArgumentException("safegrid.hotspot.weights must be distance_band or queen, got " + weights);
    }
    if (bandMeters != null && !(bandMeters > 0)) {
      throw new IllegalArgumentException("safegrid.hotspot.band-meters must be positive");
    }
    snapDegrees = snapDegrees == null ? 1e-7 : snapDegrees;
    maxAnalysisFeatures = maxAnalysisFeatures == null ? 100_000 : maxAnalysisFeatures;
    emergingBins = emergingBins == null ? 14 : emergingBins;
    if (emergingBins < 4) {
      throw new IllegalArgumentException("safegrid.hotspot.emerging-bins must be at least 4 (Mann-Kendall needs a series)");
    }
  }

  public static HotspotProperties defaults() {
    return new HotspotProperties(null, null, null, null, null);
  }
}
