package org.safegrid.server.hotspot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of grid hotspots ({@code safegrid.hotspot.*}).
 *
 * @param weights          Gi* neighbourhood of a grid cell: {@code contiguity} (default: queen
 *                         contiguity of the cell polygons, plus the cell itself), {@code knn} or
 *                         {@code distance_band}; {@code queen} is read as {@code contiguity}
 * @param k                neighbours per cell for {@code knn} (default 8)
 * @param minNeighbours    floor on the neighbour count for {@code distance_band} (default 8)
 * @param bandMeters       distance band between cell centres in metres; unset = the smallest band
 *                         that gives every cell a neighbour, offshore outliers set aside
 * @param snapDegrees      tolerance for queen contiguity between cell polygons (default 1e-7°, ≈ 1 cm)
 * @param maxAnalysisFeatures the most features {@code POST /api/analysis/hotspots} accepts (default 100,000)
 * @param emergingBins     default number of time bins of the emerging-hotspot analysis (default 14, at least 10)
 * @param permutations     permutations behind the live answers' pseudo p-values (default 0: analytic
 *                         only, since a live answer is recomputed every second; a caller asks for more)
 */
@ConfigurationProperties("safegrid.hotspot")
public record HotspotProperties(String weights, Integer k, Integer minNeighbours, Double bandMeters, Double snapDegrees,
                                Integer maxAnalysisFeatures, Integer emergingBins, Integer permutations) {

  public HotspotProperties {
    weights = weights == null || weights.equals("queen") ? "contiguity" : weights;
    if (!weights.equals("contiguity") && !weights.equals("knn") && !weights.equals("distance_band")) {
      throw new IllegalArgumentException("safegrid.hotspot.weights must be contiguity, knn or distance_band, got " + weights);
    }
    k = k == null ? 8 : k;
    if (k < 1) {
      throw new IllegalArgumentException("safegrid.hotspot.k must be at least 1");
    }
    minNeighbours = minNeighbours == null ? 8 : minNeighbours;
    if (minNeighbours < 0) {
      throw new IllegalArgumentException("safegrid.hotspot.min-neighbours must be 0 or more");
    }
    if (bandMeters != null && !(bandMeters > 0)) {
      throw new IllegalArgumentException("safegrid.hotspot.band-meters must be positive");
    }
    snapDegrees = snapDegrees == null ? 1e-7 : snapDegrees;
    maxAnalysisFeatures = maxAnalysisFeatures == null ? 100_000 : maxAnalysisFeatures;
    emergingBins = emergingBins == null ? 14 : emergingBins;
    if (emergingBins < 10) {
      throw new IllegalArgumentException("safegrid.hotspot.emerging-bins must be at least 10 (Mann-Kendall needs a series)");
    }
    permutations = permutations == null ? 0 : permutations;
    if (permutations < 0 || permutations > 99_999) {
      throw new IllegalArgumentException("safegrid.hotspot.permutations must be in 0..99999");
    }
  }

  public static HotspotProperties defaults() {
    return new HotspotProperties(null, null, null, null, null, null, null, null);
  }
}
