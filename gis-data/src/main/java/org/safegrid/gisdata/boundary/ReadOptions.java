package org.safegrid.gisdata.boundary;

import java.util.List;

/**
 * What the user says about a file beyond its bytes; every field may be null.
 *
 * @param epsg      coordinate system override, e.g. "4547" or "EPSG:4547"; wins over what the file declares
 * @param encoding  attribute character set of a Shapefile's DBF, e.g. "GBK"
 * @param datum     {@value #WGS84} or {@value #CGCS2000} (the two agree within centimetres and are read alike) or
 *                  {@value #GCJ02} for data traced from Chinese web maps (converted to WGS84 on reading);
 *                  the reader takes null as {@value #WGS84}, while the upload API requires it to be stated
 * @param layerName the table to read from a GeoPackage with several
 */
public record ReadOptions(String epsg, String encoding, String datum, String layerName) {

  /** Coordinates on WGS84 (or CGCS2000): GPS, survey data, Tianditu. */
  public static final String WGS84 = "wgs84";
  /** Coordinates on CGCS2000 (China's geodetic datum, Tianditu, survey data): read as WGS84, within centimetres. */
  public static final String CGCS2000 = "cgcs2000";
  /** Coordinates on GCJ-02, the offset datum of Chinese web maps (AMap, Tencent). */
  public static final String GCJ02 = "gcj02";
  /** The accepted values of {@code datum}. */
  public static final List<String> DATUMS = List.of(WGS84, CGCS2000, GCJ02);

  /** No options: the file's own coordinate system and encoding, datum WGS84. */
  public static ReadOptions none() {
    return new ReadOptions(null, null, null, null);
  }

  /** The datum as stated, lower case: wgs84, cgcs2000 or gcj02 (wgs84 when not stated). */
  public String datumName() {
    return datum == null || datum.isBlank() ? WGS84 : datum.trim().toLowerCase(java.util.Locale.ROOT);
  }

  public boolean gcj02() {
    return datum != null && datum.equalsIgnoreCase(GCJ02);
  }
}
