package org.safegrid.gisdata.boundary;

/**
 * What the user says about a file beyond its bytes; every field may be null.
 *
 * @param epsg      coordinate system override, e.g. "4547" or "EPSG:4547"; wins over what the file declares
 * @param encoding  attribute character set of a Shapefile's DBF, e.g. "GBK"
 * @param datum     "wgs84" (default) or "gcj02" for data traced from Chinese web maps
 * @param layerName the table to read from a GeoPackage with several
 */
public record ReadOptions(String epsg, String encoding, String datum, String layerName) {

  public static ReadOptions none() {
    return new ReadOptions(null, null, null, null);
  }

  public boolean gcj02() {
    return datum != null && datum.equalsIgnoreCase("gcj02");
  }
}
