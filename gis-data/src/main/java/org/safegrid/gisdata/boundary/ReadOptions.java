package org.safegrid.gisdata.boundary;

import java.util.List;

/**
 * What the user says about a file beyond its bytes; every field may be null.
 *
 * @param epsg      coordinate system override, e.g. "4547" or "EPSG:4547"; wins over what the file declares
 * @param encoding  attribute character set of a Shapefile's DBF, e.g. "GBK"
 * @param datum     {@value #WGS84} (WGS84 or CGCS2000 coordinates, the two agree within centimetres) or
 *                  {@value #GCJ02} for data traced from Chinese web maps (converted to WGS84 on reading);
 *                  the reader takes null as {@value #WGS84}, while the upload API requires it to be stated
 * @param layerName the table to read from a GeoPackage with several
 */
public record ReadOptions(String epsg, String encoding, String datum, String layerName) {

  /** Coordinates on WGS84 (or CGCS2000): GPS, survey data, Tianditu. */
  public static final String WGS84 = "wgs84";
  /** Coordinates on GCJ-02, the offset datum of Chinese web maps (AMap, Tencent). */
  public static final String GCJ02 = "gcj02";
  /** The accepted values of {@code datum}. */
  public static final List<String> DATUMS = List.of(WGS84, GCJ02);

  /** No options: the file's own coordinate system and encoding, datum WGS84. */
  public static ReadOptions none() {
    return new ReadOptions(null, null, null, null);
  }

  public boolean gcj02() {
    return datum != null && datum.equalsIgnoreCase(GCJ02);
  }
}
