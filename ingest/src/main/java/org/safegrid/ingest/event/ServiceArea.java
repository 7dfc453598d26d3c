package org.safegrid.ingest.event;

/**
 * The rectangle (WGS84 degrees) inside which events are accepted, widened by a margin.
 *
 * @param minLon    west edge
 * @param minLat    south edge
 * @param maxLon    east edge
 * @param maxLat    north edge
 * @param marginDeg margin added on every side, degrees
 */
public record ServiceArea(double minLon, double minLat, double maxLon, double maxLat, double marginDeg) {

  /** The reference city, Huizhou (Guangdong), with a 0.05° (~5 km) margin. */
  public static final ServiceArea HUIZHOU = new ServiceArea(113.8, 22.3, 115.5, 24.4, 0.05);

  public ServiceArea {
    if (!(minLon < maxLon && minLat < maxLat && marginDeg >= 0)) {
      throw new IllegalArgumentException("service area needs minLon < maxLon, minLat < maxLat and marginDeg >= 0");
    }
  }

  /** True when the point is inside the area or its margin. */
  public boolean contains(double lon, double lat) {
    return lon >= minLon - marginDeg && lon <= maxLon + marginDeg && lat >= minLat - marginDeg
        && lat <= maxLat + marginDeg;
  }
}
