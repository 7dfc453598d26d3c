package org.safegrid.gisdata.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.simplify.TopologyPreservingSimplifier;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Gives each feature the district it lies in, from the live districts layer: a polygon's district is
 * the one it overlaps most, a point's or line's the one holding its interior point. The file's own
 * district field is then only checked: a value that differs from the located code (a name, a
 * 12-digit code, another district) is a {@link ProblemType#DISTRICT_MISMATCH} warning with both
 * values; a feature in no district is {@link ProblemType#OUTSIDE_DISTRICTS}.
 *
 * <p>The districts come as their subdivided pieces (a few hundred vertices each, as stored in
 * {@code overlay_feature_part}), so the overlap of a border cell is a handful of small intersections.
 * Immutable and thread-safe once built.
 */
public final class DistrictAssigner {

  /** One piece of a district's polygon. */
  public record Piece(String code, String name, Geometry geometry) {}

  private final STRtree tree = new STRtree();
  private final Map<String, String> names = new HashMap<>();
  private final int pieces;

  public DistrictAssigner(List<Piece> districtPieces) {
    for (Piece p : districtPieces) {
      tree.insert(p.geometry().getEnvelopeInternal(), new Prepared(p, PreparedGeometryFactory.prepare(p.geometry())));
      names.putIfAbsent(p.code(), p.name());
    }
    tree.build();
    this.pieces = districtPieces.size();
  }

  private record Prepared(Piece piece, PreparedGeometry prepared) {}

  private static final int SIMPLIFY_ABOVE_POINTS = 5_000;

  /** True when there is no live districts layer to locate against. */
  public boolean isEmpty() {
    return pieces == 0;
  }

  /** The located district code of a geometry, or null when it lies in none. */
  public String locate(Geometry g) {
    if (g == null || g.isEmpty()) {
      return null;
    }
    @SuppressWarnings("unchecked")
    List<Prepared> candidates = tree.query(g.getEnvelopeInternal());
    if (!(g instanceof Polygonal)) {
      Geometry p = g.getInteriorPoint();
      return candidates.stream().filter(c -> c.prepared().intersects(p)).map(c -> c.piece().code()).sorted()
          .findFirst().orElse(null);
    }
    Map<String, Double> overlap = new HashMap<>();
    // the areas only rank the districts: a cell of many vertices (a coastline cell) is intersected as a
    // copy simplified to ~10 m, or each of its pieces' intersections would walk all its vertices
    Geometry forOverlap = null;
    for (Prepared c : candidates) {
      if (c.prepared().containsProperly(g)) {
        return c.piece().code();
      }
      if (c.prepared().intersects(g)) {
        if (forOverlap == null) {
          forOverlap = g.getNumPoints() > SIMPLIFY_ABOVE_POINTS ? TopologyPreservingSimplifier.simplify(g, 1e-4) : g;
        }
        overlap.merge(c.piece().code(), c.piece().geometry().intersection(forOverlap).getArea(), Double::sum);
      }
    }
    // the largest overlap; ties (a cell split exactly in two) go to the lower code, so the answer is stable
    return overlap.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey).findFirst().orElse(null);
  }

  /**
   * The report with every feature's district located: features carry the located code, the file's
   * differing values are warnings. Without a live districts layer the report is returned unchanged
   * (the file's values stand).
   */
  public ValidationReport assign(ValidationReport report) {
    if (isEmpty()) {
      return report;
    }
    List<Problem> problems = new ArrayList<>(report.problems());
    List<ValidatedFeature> out = new ArrayList<>(report.features().size());
    String field = report.mapping().districtField();
    for (ValidatedFeature f : report.features()) {
      if (f.geometry() == null) {
        out.add(f);
        continue;
      }
      String located = locate(f.geometry());
      String label = f.code() == null ? "#" + f.index() : "#" + f.index() + " (" + f.code() + ")";
      if (located == null) {
        problems.add(new Problem(ProblemType.OUTSIDE_DISTRICTS, false, f.index(), f.code(), null, null,
            "Feature " + label + " lies in no district of the live districts layer: it has no district, so "
                + "district-scoped users will not see it.", null, null, f.geometry().getInteriorPoint(),
            f.districtCode(), null));
      } else if (f.districtCode() != null && !f.districtCode().equals(located)) {
        String name = names.get(located);
        problems.add(new Problem(ProblemType.DISTRICT_MISMATCH, false, f.index(), f.code(), null, null,
            String.format(Locale.ROOT, "Feature %s: the file's district field \"%s\" says \"%s\", but it lies in "
                    + "district %s%s; it is stored with %s. Put the six-digit district code in the field.",
                label, field, f.districtCode(), located, name == null ? "" : " (" + name + ")", located),
            null, null, f.geometry().getInteriorPoint(), f.districtCode(), located));
      }
      out.add(new ValidatedFeature(f.index(), f.geometry(), f.code(), f.name(), located, f.townCode(), f.townName(),
          f.properties(), f.repaired()));
    }
    return new ValidationReport(report.layer(), report.featureCount(), report.format(), report.crs(),
        report.encoding(), report.datum(), report.mapping(), problems, out);
  }
}
