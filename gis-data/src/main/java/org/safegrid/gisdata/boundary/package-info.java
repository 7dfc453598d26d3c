/**
 * Readers of the boundary files GIS officers have: GeoJSON (Jackson streaming + JTS), zipped
 * Shapefile (safe unzip, then GDAL's ogr2ogr as a confined subprocess converting to GeoJSON without
 * reprojection) and GeoPackage (NGA's library); {@link org.safegrid.gisdata.boundary.BoundaryReader}
 * ties them to CRS resolution (Apache SIS, package {@code crs}) and the jurisdiction check.
 *
 * <p>Refusals are {@link org.safegrid.gisdata.boundary.BoundaryReadException}s with a stable reason
 * code. Every cap (bytes, zip entries and ratio, features, vertices, JSON nesting, converter CPU
 * time) is enforced while reading, never after loading the whole file.
 */
package org.safegrid.gisdata.boundary;
