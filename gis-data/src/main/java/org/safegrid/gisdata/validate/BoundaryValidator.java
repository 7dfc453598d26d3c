package org.safegrid.gisdata.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.operation.union.UnaryUnionOp;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;
import org.safegrid.gisdata.boundary.BoundaryDataset;
import org.safegrid.gisdata.boundary.SourceFeature;

/**
 * Checks a boundary file before anything of it goes live: geometry validity (with JTS's reason and
 * location, and whether JTS's GeometryFixer can repair it), geometry type, codes, and for grids
 * whether the cells tile the city: overlapping pairs and gaps.
 *
 * <p>Areas are computed on a local equal-area approximation (degrees scaled by the cosine of the
 * latitude), accurate to well under 1 % at city scale; overlaps and gaps below
 * {@code minAreaM2} are treated as digitising noise and not reported. Plain class, thread-safe.
 */
public final class BoundaryValidator {

  private static final double M_PER_DEG = 111_319.49;

  private final Envelope jurisdiction;
  private final double minAreaM2;

  /**
   * @param jurisdiction lon/lat envelope of the city (features not inside it are reported), or null
   * @param minAreaM2    smallest overlap or gap reported, in m²
   */
  public BoundaryValidator(Envelope jurisdiction, double minAreaM2) {
    this.jurisdiction = jurisdiction;
    this.minAreaM2 = minAreaM2;
  }

  /** Validates a dataset read in WGS84 as the given layer. */
  public ValidationReport validate(LayerKind layer, BoundaryDataset data, AttributeMapping requested) {
    AttributeMapping mapping = requested.resolve(layer, data.fieldNames());
    List<Problem> problems = new ArrayList<>();
    List<ValidatedFeature> out = new ArrayList<>();
    Map<String, Integer> firstByCode = new HashMap<>();
    for (SourceFeature f : data.features()) {
      String code = text(f.properties(), mapping.codeField());
      Geometry g = f.geometry();
      boolean repaired = false;
      if (g == null || g.isEmpty()) {
        problems.add(new Problem(ProblemType.WRONG_GEOMETRY_TYPE, true, f.index(), code, null, null,
            "Feature " + label(f.index(), code) + " has no geometry.", null, null, null));
        g = null;
      } else if (!layer.families().contains(family(g))) {
        problems.add(new Problem(ProblemType.WRONG_GEOMETRY_TYPE, true, f.index(), code, null, null,
            "Feature " + label(f.index(), code) + " is a " + g.getGeometryType() + "; the " + layer.apiName()
                + " layer takes " + String.join(" or ", layer.families()) + " geometries.", null, null,
            g.getInteriorPoint()));
        g = null;
      } else {
        IsValidOp op = new IsValidOp(g);
        TopologyValidationError err = op.getValidationError();
        if (err != null) {
          Geometry fixed = GeometryFixer.fix(g);
          boolean ok = fixed != null && !fixed.isEmpty() && family(fixed) != null
              && family(fixed).equals(family(g)) && fixed.isValid();
          var c = err.getCoordinate();
          // what the repair changes: the area of the symmetric difference, not just the net area change
          Double deltaM2 = ok ? areaChangeM2(g, fixed) : null;
          problems.add(new Problem(ProblemType.INVALID_GEOMETRY, !ok, f.index(), code, null, null,
              String.format(Locale.ROOT, "Feature %s: %s at %.6f, %.6f; %s", label(f.index(), code),
                  err.getMessage(), c.x, c.y, ok ? String.format(Locale.ROOT,
                      "it can be repaired automatically and will be stored repaired (area changes by %.1f m²).", deltaM2)
                      : "it cannot be repaired automatically: fix it in your GIS."),
              deltaM2, ok, g.getFactory().createPoint(c)));
          if (ok) {
            g = fixed;
            repaired = true;
          } else {
            g = null;
          }
        }
      }
      if (g != null && jurisdiction != null && !jurisdiction.contains(g.getEnvelopeInternal())) {
        problems.add(new Problem(ProblemType.OUTSIDE_CITY, false, f.index(), code, null, null,
            "Feature " + label(f.index(), code) + " is not inside the city's area.", null, null,
            g.getInteriorPoint()));
      }
      if (code == null) {
        if (layer.codeRequired()) {
          problems.add(new Problem(ProblemType.MISSING_CODE, true, f.index(), null, null, null,
              mapping.codeField() == null
                  ? "Feature " + f.index() + " has no code: no code field was found; name it with codeField."
                  : "Feature " + f.index() + " has no value in the code field \"" + mapping.codeField() + "\".",
              null, null, g == null ? null : g.getInteriorPoint()));
        }
      } else {
        Integer first = firstByCode.putIfAbsent(code, f.index());
        if (first != null) {
          problems.add(new Problem(ProblemType.DUPLICATE_CODE, layer.codeRequired(), f.index(), code, first, code,
              "Features " + first + " and " + f.index() + " share the code \"" + code + "\".", null, null,
              g == null ? null : g.getInteriorPoint()));
        }
      }
      out.add(new ValidatedFeature(f.index(), g, code, text(f.properties(), mapping.nameField()),
          text(f.properties(), mapping.districtField()), text(f.properties(), mapping.townField()),
          text(f.properties(), mapping.townNameField()), f.properties(), repaired));
    }
    if (layer.tiling()) {
      checkTiling(out, problems);
    }
    return new ValidationReport(layer, data.features().size(), data.format().name(), data.crs(), data.encoding(),
        data.datum(), mapping, problems, out);
  }

  /**
   * Overlapping pairs and holes in the union of all cells. The union comes first: when the cells'
   * areas add up to the union's area there is no overlap to look for, so a clean grid costs one
   * union; otherwise STRtree candidates are intersected pairwise (pairs whose envelopes only touch
   * are skipped: they cannot share area).
   */
  private void checkTiling(List<ValidatedFeature> features, List<Problem> problems) {
    List<Geometry> polys = new ArrayList<>();
    double sumM2 = 0;
    for (ValidatedFeature f : features) {
      if (f.geometry() != null) {
        polys.add(f.geometry());
        sumM2 += areaM2(f.geometry());
      }
    }
    if (polys.isEmpty()) {
      return;
    }
    Geometry union = UnaryUnionOp.union(polys);
    double unionM2 = 0;
    for (int i = 0; i < union.getNumGeometries(); i++) {
      unionM2 += areaM2(union.getGeometryN(i));
    }
    if (sumM2 - unionM2 >= minAreaM2 * 0.5) {
      checkOverlaps(features, problems);
    }
    GeometryFactory gf = union.getFactory();
    for (int i = 0; i < union.getNumGeometries(); i++) {
      if (!(union.getGeometryN(i) instanceof Polygon p)) {
        continue;
      }
      for (int h = 0; h < p.getNumInteriorRing(); h++) {
        Polygon hole = gf.createPolygon(p.getInteriorRingN(h).getCoordinates());
        double area = areaM2(hole);
        if (area >= minAreaM2) {
          var c = hole.getInteriorPoint().getCoordinate();
          problems.add(new Problem(ProblemType.GAP, false, null, null, null, null,
              String.format(Locale.ROOT, "A gap of %.0f m² inside the city is covered by no cell (near %.5f, %.5f).",
                  area, c.x, c.y), area, null, hole));
        }
      }
    }
  }

  private void checkOverlaps(List<ValidatedFeature> features, List<Problem> problems) {
    STRtree tree = new STRtree();
    for (ValidatedFeature f : features) {
      if (f.geometry() != null) {
        tree.insert(f.geometry().getEnvelopeInternal(), f);
      }
    }
    tree.build();
    for (ValidatedFeature a : features) {
      if (a.geometry() == null) {
        continue;
      }
      Envelope ea = a.geometry().getEnvelopeInternal();
      PreparedGeometry pa = null;
      @SuppressWarnings("unchecked")
      List<ValidatedFeature> candidates = tree.query(ea);
      for (ValidatedFeature b : candidates) {
        if (b.index() <= a.index()) {
          continue;
        }
        Envelope common = ea.intersection(b.geometry().getEnvelopeInternal());
        if (common.getWidth() <= 0 || common.getHeight() <= 0) {
          continue;
        }
        if (pa == null) {
          pa = PreparedGeometryFactory.prepare(a.geometry());
        }
        if (!pa.intersects(b.geometry())) {
          continue;
        }
        Geometry inter = a.geometry().intersection(b.geometry());
        double area = areaM2(inter);
        if (area >= minAreaM2) {
          problems.add(new Problem(ProblemType.OVERLAP, false, a.index(), a.code(), b.index(), b.code(),
              String.format(Locale.ROOT, "Cells %s and %s overlap by %.0f m².", label(a.index(), a.code()),
                  label(b.index(), b.code()), area), area, null, polygonal(inter)));
        }
      }
    }
  }

  /**
   * Area in m² by which a repair changes an invalid geometry: the shoelace area of its rings
   * (shells minus holes, as the file describes them) against the repaired area.
   */
  static double areaChangeM2(Geometry invalid, Geometry fixed) {
    double ringArea = 0;
    for (int i = 0; i < invalid.getNumGeometries(); i++) {
      Geometry part = invalid.getGeometryN(i);
      if (part instanceof org.locationtech.jts.geom.Polygon poly) {
        ringArea += Math.abs(org.locationtech.jts.algorithm.Area.ofRingSigned(poly.getExteriorRing().getCoordinates()));
        for (int h = 0; h < poly.getNumInteriorRing(); h++) {
          ringArea -= Math.abs(org.locationtech.jts.algorithm.Area.ofRingSigned(poly.getInteriorRingN(h).getCoordinates()));
        }
      }
    }
    double lat = fixed.getEnvelopeInternal().centre().y;
    double before = ringArea * M_PER_DEG * M_PER_DEG * Math.cos(Math.toRadians(lat));
    return Math.abs(areaM2(fixed) - before);
  }

  /** Area in m² of a lon/lat geometry, by a local equal-area scaling at its centroid latitude. */
  public static double areaM2(Geometry g) {
    if (g == null || g.isEmpty()) {
      return 0;
    }
    double lat = g.getEnvelopeInternal().centre().y;
    return g.getArea() * M_PER_DEG * M_PER_DEG * Math.cos(Math.toRadians(lat));
  }

  private static Geometry polygonal(Geometry g) {
    if (g instanceof Polygonal) {
      return g;
    }
    List<Polygon> ps = new ArrayList<>();
    for (int i = 0; i < g.getNumGeometries(); i++) {
      if (g.getGeometryN(i) instanceof Polygon p) {
        ps.add(p);
      }
    }
    return g.getFactory().createMultiPolygon(ps.toArray(Polygon[]::new));
  }

  static String family(Geometry g) {
    return switch (g.getGeometryType()) {
      case "Point", "MultiPoint" -> "point";
      case "LineString", "LinearRing", "MultiLineString" -> "line";
      case "Polygon", "MultiPolygon" -> "polygon";
      default -> "collection";
    };
  }

  private static String label(int index, String code) {
    return code == null ? "#" + index : "#" + index + " (" + code + ")";
  }

  private static String text(Map<String, Object> props, String field) {
    if (field == null) {
      return null;
    }
    Object v = props.get(field);
    if (v == null) {
      return null;
    }
    String s = v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue())
        : v.toString();
    s = s.trim();
    return s.isEmpty() ? null : s;
  }
}
