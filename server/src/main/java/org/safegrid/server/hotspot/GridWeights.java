package org.safegrid.server.hotspot;

import java.util.List;
import org.locationtech.jts.geom.Geometry;
import org.safegrid.server.stats.hotspot.SpatialWeights;
import org.safegrid.server.stats.hotspot.WeightsBuilder;

/**
 * The spatial weights of one grid: the Gi* weights and the contiguity used to dissolve hotspots.
 *
 * @param gridSetId  grid set they belong to
 * @param type       {@code distance_band} or {@code queen}
 * @param bandMeters the band used (NaN for queen)
 * @param gi         weights for Gi*
 * @param contiguity queen contiguity of the cell polygons, for dissolving
 */
public record GridWeights(long gridSetId, String type, double bandMeters, SpatialWeights gi, SpatialWeights contiguity) {

  /** Builds the weights of a grid from its cell polygons (WGS84) and metric centres. */
  public static GridWeights build(long gridSetId, List<? extends Geometry> cells, double[] x, double[] y,
                                  HotspotProperties cfg) {
    SpatialWeights queen = WeightsBuilder.queen(cells, cfg.snapDegrees());
    if (cfg.weights().equals("queen")) {
      return new GridWeights(gridSetId, "queen", Double.NaN, queen, queen);
    }
    double band = cfg.bandMeters() != null ? cfg.bandMeters() : WeightsBuilder.minConnectingDistance(x, y);
    // the band is compared with floating-point distances: widen by a millimetre so a regular grid's spacing counts
    return new GridWeights(gridSetId, "distance_band", band, WeightsBuilder.distanceBand(x, y, band + 1e-3), queen);
  }
}
