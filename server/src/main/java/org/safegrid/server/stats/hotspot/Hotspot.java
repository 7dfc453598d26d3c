package org.safegrid.server.stats.hotspot;

import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * A hotspot (or cold spot) polygon: the connected significant units of one sign at or above the
 * requested level, dissolved into one geometry, with its statistics.
 *
 * @param rank            1 = most significant (highest mean |z|, then most cells)
 * @param hotspotClass    the strongest class among its units (its peak level)
 * @param cells           indices of its units in the input order
 * @param areaM2          summed unit area in square metres
 * @param eventsByKind    event count by kind over its units (empty when not known)
 * @param meanZ           mean Gi* z of its units
 * @param peakZ           the z of largest magnitude among its units
 * @param centroidLon     centroid of the dissolved geometry (may fall outside a curved hotspot)
 * @param centroidLat     centroid of the dissolved geometry
 * @param labelLon        a point inside the geometry (JTS {@code InteriorPointArea}): where to label or send a unit
 * @param labelLat        a point inside the geometry
 * @param cellsByClass    number of its units at each class (level)
 * @param cellsWithEvents units holding at least one event; the others are halo cells, significant
 *                        because their neighbours hold events
 * @param district        the district code holding most of its units, or null
 * @param geometry        the dissolved geometry (WGS84); not exposed in API records
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
    double labelLon,
    double labelLat,
    Map<HotspotClass, Integer> cellsByClass,
    int cellsWithEvents,
    String district,
    Geometry geometry) {

  public int cellCount() {
    return cells.length;
  }

  /** Units without events of their own, in the hotspot because of their neighbours' events. */
  public int haloCells() {
    return cells.length - cellsWithEvents;
  }

  /** Share of its units at class {@code c} (0 to 1). */
  public double shareAt(HotspotClass c) {
    return cellsByClass.getOrDefault(c, 0) / (double) cells.length;
  }

  public long eventCount() {
    return eventsByKind.values().stream().mapToLong(Long::longValue).sum();
  }

  Hotspot withRank(int r) {
    return new Hotspot(r, hotspotClass, cells, areaM2, eventsByKind, meanZ, peakZ, centroidLon, centroidLat, labelLon,
        labelLat, cellsByClass, cellsWithEvents, district, geometry);
  }
}
