package org.safegrid.gisdata.validate;

import java.util.Locale;

/**
 * The documented kinds of problem a validation report lists; {@link #code()} is the JSON {@code type}.
 * Each says how severe it is ({@link #severity()}) and what the GIS officer should do about it
 * ({@link #advice()}): the same words stand in {@code docs/uploads.md} (checked by a test) and on the
 * upload page (the report carries them in {@code problemTypes}).
 */
public enum ProblemType {
  INVALID_GEOMETRY(Severity.BLOCKING_UNLESS_REPAIRED,
      "Repairable ones are stored repaired (the report gives the area the repair changes); check that area. "
          + "Others: fix the geometry at the given location in your GIS (QGIS: Vector > Geometry Tools > Check Validity)."),
  WRONG_GEOMETRY_TYPE(Severity.BLOCKING,
      "Upload polygons for grids, districts and towns, lines for a coastline; remove features without geometry."),
  MISSING_CODE(Severity.BLOCKING_FOR_CODED_LAYERS,
      "Fill the code field, or name the field that holds the codes with codeField."),
  DUPLICATE_CODE(Severity.BLOCKING_FOR_CODED_LAYERS,
      "Give each feature its own code; two cells with one code cannot both receive alerts."),
  OVERLAP(Severity.WARNING,
      "Overlaps of 1 m² or more are listed; events in the overlap count for one of the cells only. Snap the shared "
          + "edges in your GIS if the overlap is not intended."),
  GAP(Severity.WARNING,
      "Holes of 1 m² or more covered by no cell are listed; events there fall in no cell. Extend the cells around "
          + "it if the hole is not intended."),
  OUTSIDE_CITY(Severity.WARNING,
      "Check the coordinate system (epsg) and the datum; a feature really beyond the city's boundary can stay."),
  DISTRICT_MISMATCH(Severity.WARNING,
      "The district is taken from the live districts layer by location and the feature is stored with that code. "
          + "Put the six-digit district code (e.g. 441302) in the district field, not a name or a 12-digit code, "
          + "or check that the right districts layer is live."),
  OUTSIDE_DISTRICTS(Severity.WARNING,
      "The feature lies in no district of the live districts layer, so district-scoped users will not see it. "
          + "Check the coordinate system, or activate a districts layer that covers it."),
  TOWN_MISMATCH(Severity.WARNING,
      "The town is taken from the live towns layer by location and the cell is stored with that code. Put the "
          + "town code of the towns layer in the town field, or check that the right towns layer is live."),
  UNKNOWN_CRS(Severity.BLOCKING,
      "The whole file is refused (422 unknown_crs); give the EPSG code with epsg, e.g. one of the codes the "
          + "refusal suggests.");

  /** How a problem of a type bears on storing the file as a draft. */
  public enum Severity {
    /** The file is refused while it has the problem. */
    BLOCKING("blocking"),
    /** Reported; the file is stored as a draft and can be activated. */
    WARNING("warning"),
    /** Blocking, except when JTS can repair the geometry: then a warning and the repaired geometry is stored. */
    BLOCKING_UNLESS_REPAIRED("blocking unless repairable"),
    /** Blocking for layers whose features need codes (grid, districts, towns), a warning for the others. */
    BLOCKING_FOR_CODED_LAYERS("blocking for grid, districts and towns, else warning");

    private final String label;

    Severity(String label) {
      this.label = label;
    }

    /** The words used in the docs, the schema and on the upload page. */
    public String label() {
      return label;
    }
  }

  private final Severity severity;
  private final String advice;

  ProblemType(Severity severity, String advice) {
    this.severity = severity;
    this.advice = advice;
  }

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Severity severity() {
    return severity;
  }

  /** What to do about it, for a GIS officer. */
  public String advice() {
    return advice;
  }
}
