package org.safegrid.server.geojson;

/**
 * A WGS84 bounding box from a {@code bbox=minLon,minLat,maxLon,maxLat} request parameter.
 *
 * @param minLon west edge
 * @param minLat south edge
 * @param maxLon east edge
 * @param maxLat north edge
 */
public record BoundingBox(double minLon, double minLat, double maxLon, double maxLat) {

  public BoundingBox {
    if (!(minLon >= -180 && maxLon <= 180 && minLat >= -90 && maxLat <= 90)) {
      throw new IllegalArgumentException("bbox must lie within lon -180..180 and lat -90..90");
    }
    if (!(minLon <= maxLon && minLat <= maxLat)) {
      throw new IllegalArgumentException("bbox must be minLon,minLat,maxLon,maxLat with min <= max");
    }
  }

  /** Parses {@code minLon,minLat,maxLon,maxLat}; null or blank gives null. */
  public static BoundingBox parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String[] parts = text.split(",");
    if (parts.length != 4) {
      throw new IllegalArgumentException("bbox needs four numbers: minLon,minLat,maxLon,maxLat");
    }
    double[] v = new double[4];
    for (int i = 0; i < 4; i++) {
      try {
        v[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bbox value '" + parts[i].trim() + "' is not a number");
      }
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException("bbox values must be finite numbers");
      }
    }
    return new BoundingBox(v[0], v[1], v[2], v[3]);
  }
}
