package org.safegrid.gisdata.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;
import org.safegrid.gisdata.boundary.BoundaryDataset;
import org.safegrid.gisdata.boundary.BoundaryFormat;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.SourceFeature;

class TownAssignerTest {

  private static final WKTReader WKT = new WKTReader();

  /*
   * Two towns side by side at lat 23.10–23.20, split at lon 114.45. Cells:
   *
   *   114.40        114.45        114.50   114.60
   *   +-------------+-------------+        |
   *   | T1   c1   [s]     T2      |  c4    |   s: straddles the border, 20 % in T1, 80 % in T2;
   *   |             [s]   c3      |        |   c4: east of both towns
   *   +-------------+-------------+        |
   */
  private static TownAssigner towns() throws Exception {
    return new TownAssigner(List.of(
        new DistrictAssigner.Piece("441302001", "桥东街道", WKT.read("POLYGON((114.40 23.10, 114.45 23.10, 114.45 23.20, 114.40 23.20, 114.40 23.10))")),
        new DistrictAssigner.Piece("441302002", "桥西街道", WKT.read("POLYGON((114.45 23.10, 114.50 23.10, 114.50 23.20, 114.45 23.20, 114.45 23.10))"))));
  }

  private static ValidationReport grid(String... codeTownWkt) throws Exception {
    List<SourceFeature> fs = new ArrayList<>();
    for (int i = 0; i < codeTownWkt.length; i += 3) {
      fs.add(new SourceFeature(fs.size(), WKT.read(codeTownWkt[i + 2]), Map.of("WGBM", codeTownWkt[i], "JDDM", codeTownWkt[i + 1])));
    }
    BoundaryDataset data = new BoundaryDataset(BoundaryFormat.GEOJSON, fs, List.of("WGBM", "JDDM"), "EPSG:4326", 4326,
        "UTF-8", "wgs84");
    return new BoundaryValidator(BoundaryReader.huizhou(), 1.0).validate(LayerKind.GRID, data, AttributeMapping.none());
  }

  @Test
  void cellsTakeTheTownTheyOverlapMostAndDifferingFileValuesAreWarningsWithBothValues() throws Exception {
    ValidationReport report = towns().assign(grid(
        "C1", "441302001", "POLYGON((114.41 23.11, 114.42 23.11, 114.42 23.12, 114.41 23.12, 114.41 23.11))",
        "C2", "441302001", "POLYGON((114.448 23.15, 114.458 23.15, 114.458 23.16, 114.448 23.16, 114.448 23.15))",
        "C3", "桥西街道", "POLYGON((114.46 23.11, 114.47 23.11, 114.47 23.12, 114.46 23.12, 114.46 23.11))",
        "C4", "441302002", "POLYGON((114.55 23.15, 114.56 23.15, 114.56 23.16, 114.55 23.16, 114.55 23.15))"));

    assertThat(report.features()).extracting(ValidatedFeature::townCode)
        .containsExactly("441302001", "441302002", "441302002", null);
    assertThat(report.features()).extracting(ValidatedFeature::townName)
        .containsExactly("桥东街道", "桥西街道", "桥西街道", null);
    List<Problem> mismatches = report.problems().stream().filter(p -> p.type() == ProblemType.TOWN_MISMATCH).toList();
    assertThat(mismatches).extracting(Problem::code).containsExactly("C2", "C3", "C4");
    assertThat(mismatches).extracting(Problem::fileValue).containsExactly("441302001", "桥西街道", "441302002");
    assertThat(mismatches).extracting(Problem::foundValue).containsExactly("441302002", "441302002", null);
    assertThat(mismatches.get(0).message()).contains("\"JDDM\"").contains("441302002 (桥西街道)");
    assertThat(mismatches.get(2).message()).contains("no town");
    assertThat(report.blocked()).isFalse();
  }

  @Test
  void withoutALiveTownsLayerTheReportIsUnchanged() throws Exception {
    ValidationReport report = grid("C1", "441302001",
        "POLYGON((114.41 23.11, 114.42 23.11, 114.42 23.12, 114.41 23.12, 114.41 23.11))");
    TownAssigner none = new TownAssigner(List.of());
    assertThat(none.isEmpty()).isTrue();
    assertThat(none.assign(report)).isSameAs(report);
  }
}
