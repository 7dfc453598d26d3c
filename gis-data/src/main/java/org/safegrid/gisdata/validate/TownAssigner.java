package org.safegrid.gisdata.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Gives each grid cell the town it overlaps most, from the live towns layer, by the same largest-overlap
 * rule as {@link DistrictAssigner} (which it uses over the town pieces). The file's town field is then
 * only checked: a value that differs from the located town code is a {@link ProblemType#TOWN_MISMATCH}
 * warning with both values. A cell in no town keeps no town. Immutable and thread-safe once built.
 */
public final class TownAssigner {

  private final DistrictAssigner locator;
  private final Map<String, String> names = new HashMap<>();

  /** {@code townPieces}: the pieces of the live towns layer, each with its town's code and name. */
  public TownAssigner(List<DistrictAssigner.Piece> townPieces) {
    this.locator = new DistrictAssigner(townPieces);
    townPieces.forEach(p -> names.putIfAbsent(p.code(), p.name()));
  }

  /** True when there is no live towns layer to locate against. */
  public boolean isEmpty() {
    return locator.isEmpty();
  }

  /**
   * The report with every feature's town located: features carry the located code and that town's
   * name, the file's differing values are warnings. Without a live towns layer the report is returned
   * unchanged; the caller says so in the report's notes.
   */
  public ValidationReport assign(ValidationReport report) {
    if (isEmpty()) {
      return report;
    }
    List<Problem> problems = new ArrayList<>(report.problems());
    List<ValidatedFeature> out = new ArrayList<>(report.features().size());
    String field = report.mapping().townField();
    for (ValidatedFeature f : report.features()) {
      if (f.geometry() == null) {
        out.add(f);
        continue;
      }
      String located = locator.locate(f.geometry());
      if (f.townCode() != null && !f.townCode().equals(located)) {
        String label = f.code() == null ? "#" + f.index() : "#" + f.index() + " (" + f.code() + ")";
        String where = located == null ? "lies in no town of the live towns layer; it is stored without a town"
            : "lies in town " + located + (names.get(located) == null ? "" : " (" + names.get(located) + ")")
                + "; it is stored with " + located;
        problems.add(new Problem(ProblemType.TOWN_MISMATCH, false, f.index(), f.code(), null, null,
            String.format(Locale.ROOT, "Feature %s: the file's town field \"%s\" says \"%s\", but it %s.", label, field,
                f.townCode(), where),
            null, null, f.geometry().getInteriorPoint(), f.townCode(), located));
      }
      out.add(new ValidatedFeature(f.index(), f.geometry(), f.code(), f.name(), f.districtCode(), located,
          located == null ? null : names.get(located), f.properties(), f.repaired()));
    }
    return new ValidationReport(report.layer(), report.featureCount(), report.format(), report.crs(),
        report.encoding(), report.datum(), report.mapping(), problems, out);
  }
}
