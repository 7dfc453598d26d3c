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

class DistrictAssignerTest {

  private static final WKTReader WKT = new WKTReader();

  /*
   * Two districts side by side at lat 23.10–23.20, split at lon 114.50; A in two pieces (as stored
   * subdivided), B in one. Cells:
   *
   *   114.40      114.50      114.60  114.70
   *   +-----+-----+-----------+       |
   *   |  A1 | A2 [s]    B     |  out  |   in: inside A1; s: straddles the border, 30 % in A, 70 % in B;
   *   | in  |     [s]         |       |   out: east of both districts
   *   +-----+-----+-----------+       |
   */
  private static DistrictAssigner districts() throws Exception {
    return new DistrictAssigner(List.of(
        new DistrictAssigner.Piece("441302", "A", WKT.read("POLYGON((114.40 23.10, 114.45 23.10, 114.45 23.20, 114.40 23.20, 114.40 23.10))")),
        new DistrictAssigner.Piece("441302", "A", WKT.read("POLYGON((114.45 23.10, 114.50 23.10, 114.50 23.20, 114.45 23.20, 114.45 23.10))")),
        new DistrictAssigner.Piece("441303", "B", WKT.read("POLYGON((114.50 23.10, 114.60 23.10, 114.60 23.20, 114.50 23.20, 114.50 23.10))"))));
  }

  private static ValidationReport grid(String... codeDistrictWkt) throws Exception {
    List<SourceFeature> fs = new ArrayList<>();
    for (int i = 0; i < codeDistrictWkt.length; i += 3) {
      Geometry g = WKT.read(codeDistrictWkt[i + 2]);
      fs.add(new SourceFeature(fs.size(), g, Map.of("WGBM", codeDistrictWkt[i], "QXDM", codeDistrictWkt[i + 1])));
    }
    BoundaryDataset data = new BoundaryDataset(BoundaryFormat.GEOJSON, fs, List.of("WGBM", "QXDM"), "EPSG:4326", 4326,
        "UTF-8", "wgs84");
    return new BoundaryValidator(BoundaryReader.huizhou(), 1.0).validate(LayerKind.GRID, data, AttributeMapping.none());
  }

  @Test
  void aStraddlingCellTakesTheDistrictItOverlapsMostAcrossPieces() throws Exception {
    // 0.003 of its 0.01 width in A (over both of A's pieces' border side), 0.007 in B
    Geometry straddling = WKT.read("POLYGON((114.497 23.15, 114.507 23.15, 114.507 23.16, 114.497 23.16, 114.497 23.15))");
    assertThat(districts().locate(straddling)).isEqualTo("441303");
    Geometry onPieceBorder = WKT.read("POLYGON((114.449 23.15, 114.452 23.15, 114.452 23.16, 114.449 23.16, 114.449 23.15))");
    assertThat(districts().locate(onPieceBorder)).as("a cell over two pieces of one district").isEqualTo("441302");
    assertThat(districts().locate(WKT.read("POINT(114.55 23.15)"))).isEqualTo("441303");
    assertThat(districts().locate(WKT.read("POINT(114.65 23.15)"))).isNull();
  }

  @Test
  void namesTwelveDigitCodesAndWrongCodesAreWarningsWithBothValuesAndTheLocatedCodeIsStored() throws Exception {
    ValidationReport report = districts().assign(grid(
        "G1", "441302", "POLYGON((114.41 23.11, 114.42 23.11, 114.42 23.12, 114.41 23.12, 114.41 23.11))",
        "G2", "惠城区", "POLYGON((114.42 23.11, 114.43 23.11, 114.43 23.12, 114.42 23.12, 114.42 23.11))",
        "G3", "441302000000", "POLYGON((114.43 23.11, 114.44 23.11, 114.44 23.12, 114.43 23.12, 114.43 23.11))",
        "G4", "441302", "POLYGON((114.497 23.15, 114.507 23.15, 114.507 23.16, 114.497 23.16, 114.497 23.15))",
        "G5", "441303", "POLYGON((114.65 23.15, 114.66 23.15, 114.66 23.16, 114.65 23.16, 114.65 23.15))"));

    assertThat(report.features()).extracting(ValidatedFeature::districtCode)
        .containsExactly("441302", "441302", "441302", "441303", null);
    assertThat(report.blocked()).isFalse();
    List<Problem> mismatches = report.problems().stream().filter(p -> p.type() == ProblemType.DISTRICT_MISMATCH).toList();
    assertThat(mismatches).extracting(Problem::code).containsExactly("G2", "G3", "G4");
    assertThat(mismatches).extracting(Problem::fileValue).containsExactly("惠城区", "441302000000", "441302");
    assertThat(mismatches).extracting(Problem::foundValue).containsExactly("441302", "441302", "441303");
    assertThat(mismatches.get(0).message()).contains("\"QXDM\"").contains("惠城区").contains("441302 (A)");
    assertThat(mismatches).allMatch(p -> !p.blocking());
    Problem outside = report.problems().stream().filter(p -> p.type() == ProblemType.OUTSIDE_DISTRICTS).findFirst()
        .orElseThrow();
    assertThat(outside.code()).isEqualTo("G5");
    assertThat(outside.fileValue()).isEqualTo("441303");
  }

  @Test
  void withoutALiveDistrictsLayerTheFileValuesStand() throws Exception {
    ValidationReport report = grid("G1", "惠城区",
        "POLYGON((114.41 23.11, 114.42 23.11, 114.42 23.12, 114.41 23.12, 114.41 23.11))");
    assertThat(new DistrictAssigner(List.of()).assign(report)).isSameAs(report);
  }
}
