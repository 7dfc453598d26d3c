package org.safegrid.gisdata.validate;

import java.util.Locale;

/**
 * The documented kinds of problem a validation report lists; {@link #code()} is the JSON {@code type}.
 *
 * <ul>
 *   <li>{@code invalid_geometry}: JTS IsValidOp fails (reason and location given); {@code repairable}
 *       says whether JTS GeometryFixer yields a geometry of the right type (then the repaired one is stored)
 *   <li>{@code wrong_geometry_type}: the geometry is not of a type the layer takes, or missing
 *   <li>{@code missing_code}: the feature has no value in the code field
 *   <li>{@code duplicate_code}: another feature has the same code
 *   <li>{@code overlap}: two cells overlap (pair and area in m²)
 *   <li>{@code gap}: a hole inside the city that no cell covers (area in m²)
 *   <li>{@code outside_city}: the feature is not inside the jurisdiction
 *   <li>{@code unknown_crs}: the coordinate system cannot be determined (file refused)
 * </ul>
 */
public enum ProblemType {
  INVALID_GEOMETRY,
  WRONG_GEOMETRY_TYPE,
  MISSING_CODE,
  DUPLICATE_CODE,
  OVERLAP,
  GAP,
  OUTSIDE_CITY,
  UNKNOWN_CRS;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
