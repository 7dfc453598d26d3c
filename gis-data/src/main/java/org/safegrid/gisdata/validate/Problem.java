package org.safegrid.gisdata.validate;

import org.locationtech.jts.geom.Geometry;

/**
 * One problem found in a boundary file.
 *
 * @param type         what kind of problem
 * @param blocking     true if the file cannot be stored as a draft while it has this problem
 * @param featureIndex 0-based index of the feature in the file, null for whole-file problems (gaps)
 * @param code         the feature's code, if it has one
 * @param otherIndex   the other feature of a pair (overlap, duplicate code), else null
 * @param otherCode    that feature's code
 * @param message      what is wrong, for a GIS officer
 * @param areaM2       area concerned (overlap, gap), else null
 * @param repairable   for invalid geometry: whether an automatic repair exists, else null
 * @param location     where, in WGS84, or null
 * @param fileValue    for a mismatch: the value the file holds (e.g. its district field), else null
 * @param foundValue   for a mismatch: the value found by location (e.g. the live district's code), else null
 */
public record Problem(
    ProblemType type,
    boolean blocking,
    Integer featureIndex,
    String code,
    Integer otherIndex,
    String otherCode,
    String message,
    Double areaM2,
    Boolean repairable,
    Geometry location,
    String fileValue,
    String foundValue) {

  /** A problem that compares no file value with a found one. */
  public Problem(ProblemType type, boolean blocking, Integer featureIndex, String code, Integer otherIndex,
      String otherCode, String message, Double areaM2, Boolean repairable, Geometry location) {
    this(type, blocking, featureIndex, code, otherIndex, otherCode, message, areaM2, repairable, location, null, null);
  }
}
