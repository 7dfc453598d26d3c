package org.safegrid.server.stats.hotspot;

import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * A hotspot (or cold spot) polygon: contiguous units of the same significance class dissolved
 * into one geometry, with its statistics.
 *
 * @param rank          1 = most significant (highest mean |z|, then most cells)
 * @param hotspotClass  the shared class of its units
 * @param cells         indices of its units in the input order
 * @param areaM2        summed unit area in square metres
 * @param eventsByKind  event count by kind over its units (empty when not known)
 * @param meanZ         mean Gi* z of its units
 * @param peakZ         the z of largest magnitude among its units
 * @param centroidLon   centroid of the dissolved geometry
 * @param centroidLat   centroid of the dissolved geometry
 * @param district      the district code holding most of its units, or null
 * @param geometry      the dissolved geometry (WGS84); not exposed in API records
 */
public record Hotspot(
    int rank,
    HotspotClass hotspotClass,
    int[] cells,
    double areaM2,
    Map<String, Long> eventsByKind,
    double meanZ,
    double peakZ,
    double centroidLon,
    double centroidLat,
    String district,
    Geometry geometry) {

  public int cellCount() {
    return cells.length;
  }

  public long eventCount() {
    return eventsByKind.values().stream().mapToLong(Long::longValue).sum();
  }

  Hotspot withRank(int r) {
    return new Hotspot(r, hotspotClass, cells, areaM2, eventsByKind, meanZ, peakZ, centroidLon, centroidLat, district, geometry);
  }
}
