package org.safegrid.gisdata.boundary;

import java.util.List;

/**
 * The features of a boundary file with what the file says about its coordinates.
 *
 * @param format     the file's format
 * @param features   features in file order
 * @param fieldNames attribute names in file order
 * @param crsWkt     the coordinate system as the file declares it (WKT, an "EPSG:n" code, or null if it declares none)
 * @param encoding   the character set the attributes were decoded with, when the format has one to choose
 */
public record SourceLayer(
    BoundaryFormat format, List<SourceFeature> features, List<String> fieldNames, String crsWkt, String encoding) {}
