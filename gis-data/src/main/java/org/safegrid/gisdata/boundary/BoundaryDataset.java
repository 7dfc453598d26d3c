package org.safegrid.gisdata.boundary;

import java.util.List;

/**
 * A boundary file read and transformed to WGS84 longitude/latitude, ready to validate.
 *
 * @param format     format of the file
 * @param features   features in file order, geometries in WGS84 (EPSG:4326, longitude first)
 * @param fieldNames attribute names
 * @param crs        the source coordinate system as understood, e.g. "EPSG:4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E"
 * @param epsg       its EPSG code if known
 * @param encoding   attribute character set used
 * @param datum      the datum as stated: "wgs84", "cgcs2000" (both read as they are) or "gcj02" (converted)
 */
public record BoundaryDataset(
    BoundaryFormat format,
    List<SourceFeature> features,
    List<String> fieldNames,
    String crs,
    Integer epsg,
    String encoding,
    String datum) {}
