package org.safegrid.gisdata.validate;

import java.util.Locale;
import java.util.Set;

/** The layers a GIS officer can upload, with the geometry they take and the checks that apply to them. */
public enum LayerKind {
  GRID(Set.of("polygon"), true, true),
  DISTRICTS(Set.of("polygon"), true, false),
  /** Towns (streets, 镇/街道): polygons with a code, a name and the district they belong to. */
  TOWNS(Set.of("polygon"), true, false),
  COASTLINE(Set.of("line"), false, false),
  CAMPUSES(Set.of("point", "polygon"), false, false),
  CHECKPOINTS(Set.of("point", "polygon"), false, false),
  CAMERAS(Set.of("point", "polygon"), false, false);

  private final Set<String> families;
  private final boolean codeRequired;
  private final boolean tiling;

  LayerKind(Set<String> families, boolean codeRequired, boolean tiling) {
    this.families = families;
    this.codeRequired = codeRequired;
    this.tiling = tiling;
  }

  /** Parses the API name (grid, districts, towns, coastline, campuses, checkpoints, cameras). */
  public static LayerKind of(String name) {
    if (name == null) {
      throw new IllegalArgumentException("layer is required: grid, districts, towns, coastline, campuses, checkpoints or cameras");
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layer must be grid, districts, towns, coastline, campuses, checkpoints or cameras, not \""
          + name + "\"");
    }
  }

  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Geometry families taken: point, line, polygon. */
  public Set<String> families() {
    return families;
  }

  public boolean codeRequired() {
    return codeRequired;
  }

  /** True if the features must tile the city: overlaps and gaps are reported. */
  public boolean tiling() {
    return tiling;
  }
}
