package org.safegrid.gisdata.validate;

import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * A feature after validation, as it would be stored: WGS84 geometry (repaired if it was invalid and
 * repairable) and its mapped attributes.
 *
 * @param index        0-based index in the file
 * @param geometry     WGS84 geometry, valid, or null if it could not be made so
 * @param code         code from the code field (trimmed), or null
 * @param name         name, or null
 * @param districtCode district code, or null
 * @param townCode     town/street code, or null
 * @param townName     town/street name, or null
 * @param properties   all attributes as read
 * @param repaired     true if the geometry was repaired
 */
public record ValidatedFeature(
    int index, Geometry geometry, String code, String name, String districtCode, String townCode, String townName,
    Map<String, Object> properties, boolean repaired) {}
