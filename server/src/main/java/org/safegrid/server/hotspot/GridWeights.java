package org.safegrid.server.hotspot;

import java.util.List;
import org.locationtech.jts.geom.Geometry;
import org.safegrid.server.stats.hotspot.SpatialWeights;
import org.safegrid.server.stats.hotspot.WeightsBuilder;

/**
 * The spatial weights of one grid: the Gi* neighbourhood and the queen contiguity used to dissolve
 * hotspots, with what every answer states about them.
 *
 * @param gridSetId  grid set they belong to
 * @param method     {@code contiguity} (queen, the default), {@code knn} or {@code distance_band}
 * @param bandMeters the band used (NaN unless distance_band)
 * @param k          neighbours per cell for knn (0 otherwise)
 * @param gi         weights for Gi* (the cell itself is added by Gi*)
 * @param contiguity queen contiguity of the cell polygons, for dissolving
 * @param counts     min / mean / max neighbours and cells without any
 */
public record GridWeights(long gridSetId, String method, double bandMeters, int k, SpatialWeights gi,
                          SpatialWeights contiguity, SpatialWeights.NeighbourCounts counts) {

  /** Builds the weights of a grid from its cell polygons (WGS84) and metric centres. */
  public static GridWeights build(long gridSetId, List<? extends Geometry> cells, double[] x, double[] y,
                                  HotspotProperties cfg) {
    SpatialWeights queen = WeightsBuilder.queen(cells, cfg.snapDegrees());
    return switch (cfg.weights()) {
      case "knn" -> of(gridSetId, "knn", Double.NaN, cfg.k(), WeightsBuilder.knn(x, y, cfg.k()), queen);
      case "distance_band" -> {
        // without a configured band: the distance that connects every cell but offshore outliers,
        // which then stay without neighbours instead of stretching the band for the whole city
        double band = cfg.bandMeters() != null ? cfg.bandMeters() : WeightsBuilder.connectingDistanceWithoutOutliers(x, y);
        // the band is compared with floating-point distances: widen by a millimetre so a regular grid's spacing counts
        yield of(gridSetId, "distance_band", band, 0, WeightsBuilder.distanceBand(x, y, band + 1e-3, cfg.minNeighbours()),
            queen);
      }
      default -> of(gridSetId, "contiguity", Double.NaN, 0, queen, queen);
    };
  }

  private static GridWeights of(long id, String method, double band, int k, SpatialWeights gi, SpatialWeights queen) {
    return new GridWeights(id, method, band, k, gi, queen, gi.neighbourCounts());
  }
}
