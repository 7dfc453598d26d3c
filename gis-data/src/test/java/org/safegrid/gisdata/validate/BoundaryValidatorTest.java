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

class BoundaryValidatorTest {

  private final BoundaryValidator validator = new BoundaryValidator(BoundaryReader.huizhou(), 1.0);

  private static BoundaryDataset grid(String... codeAndWkt) throws Exception {
    WKTReader r = new WKTReader();
    List<SourceFeature> fs = new ArrayList<>();
    for (int i = 0; i < codeAndWkt.length; i += 2) {
      Geometry g = r.read(codeAndWkt[i + 1]);
      fs.add(new SourceFeature(fs.size(), g, Map.of("WGBM", codeAndWkt[i], "WGMC", "cell " + codeAndWkt[i])));
    }
    return new BoundaryDataset(BoundaryFormat.GEOJSON, fs, List.of("WGBM", "WGMC"), "EPSG:4326", 4326, "UTF-8", "wgs84");
  }

  /*
   * Cells in a row at lon 114.40–114.46, lat 23.10–23.11, with planted defects:
   *
   *   +---+---+-----------+-----+-----+
   *   | A |#B | E  +------|     |\ /| C |   A and B overlap by 0.001° of width (#);
   *   |   |#  |    | gap  |  C  | D  |   |   E is a C shape whose mouth C closes: a gap inside;
   *   |   |#  |    +------|     |/ \|   |   D is a self-intersecting bowtie;
   *   +---+---+-----------+-----+-----+   the last cell repeats C's code.
   */
  @Test
  void plantedDefectsYieldExactlyThoseProblems() throws Exception {
    BoundaryDataset data = grid(
        "A", "POLYGON((114.40 23.10, 114.411 23.10, 114.411 23.11, 114.40 23.11, 114.40 23.10))",
        "B", "POLYGON((114.41 23.10, 114.42 23.10, 114.42 23.11, 114.41 23.11, 114.41 23.10))",
        "E", "POLYGON((114.42 23.10, 114.43 23.10, 114.43 23.101, 114.422 23.101, 114.422 23.109, 114.43 23.109,"
            + " 114.43 23.11, 114.42 23.11, 114.42 23.10))",
        "C", "POLYGON((114.428 23.101, 114.44 23.101, 114.44 23.109, 114.428 23.109, 114.428 23.101))",
        "D", "POLYGON((114.44 23.10, 114.45 23.11, 114.45 23.10, 114.44 23.11, 114.44 23.10))",
        "C", "POLYGON((114.45 23.10, 114.46 23.10, 114.46 23.11, 114.45 23.11, 114.45 23.10))");

    ValidationReport report = validator.validate(LayerKind.GRID, data, AttributeMapping.none());

    assertThat(report.mapping().codeField()).isEqualTo("WGBM");
    assertThat(report.mapping().nameField()).isEqualTo("WGMC");
    assertThat(report.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "invalid_geometry", 1, "overlap", 1, "gap", 1, "duplicate_code", 1));
    Problem bowtie = only(report, ProblemType.INVALID_GEOMETRY);
    assertThat(bowtie.code()).isEqualTo("D");
    assertThat(bowtie.message()).containsIgnoringCase("self-intersection");
    assertThat(bowtie.repairable()).isTrue();
    assertThat(bowtie.location().getCoordinate().x).isCloseTo(114.445, org.assertj.core.data.Offset.offset(1e-9));
    List<Problem> overlaps = report.problems().stream().filter(p -> p.type() == ProblemType.OVERLAP).toList();
    assertThat(overlaps).extracting(Problem::code, Problem::otherCode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("A", "B"));
    Problem ab = overlaps.stream().filter(p -> p.code().equals("A")).findFirst().orElseThrow();
    // 0.001° x 0.01° at lat 23.1: about 102 m x 1113 m
    assertThat(ab.areaM2()).isBetween(110_000.0, 118_000.0);
    Problem gap = only(report, ProblemType.GAP);
    assertThat(gap.location().getEnvelopeInternal().getMinX()).isCloseTo(114.422, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(gap.areaM2()).isGreaterThan(0);
    Problem dup = only(report, ProblemType.DUPLICATE_CODE);
    assertThat(dup.featureIndex()).isEqualTo(5);
    assertThat(dup.otherIndex()).isEqualTo(3);
    assertThat(report.blocked()).isTrue();
    assertThat(report.features().get(4).repaired()).isTrue();
    assertThat(report.features().get(4).geometry().isValid()).isTrue();
  }

  @Test
  void cleanTilingHasNoProblemsAndOutsideCellIsReported() throws Exception {
    BoundaryDataset data = grid(
        "A", "POLYGON((114.40 23.10, 114.41 23.10, 114.41 23.11, 114.40 23.11, 114.40 23.10))",
        "B", "POLYGON((114.41 23.10, 114.42 23.10, 114.42 23.11, 114.41 23.11, 114.41 23.10))");
    assertThat(validator.validate(LayerKind.GRID, data, AttributeMapping.none()).problems()).isEmpty();

    BoundaryDataset outside = grid(
        "A", "POLYGON((116.40 23.10, 116.41 23.10, 116.41 23.11, 116.40 23.11, 116.40 23.10))");
    ValidationReport r = validator.validate(LayerKind.GRID, outside, AttributeMapping.none());
    assertThat(r.counts()).containsExactlyEntriesOf(Map.of("outside_city", 1));
    assertThat(r.blocked()).isFalse();
  }

  @Test
  void pointInGridLayerIsWrongGeometryTypeAndMissingCodeIsReported() throws Exception {
    WKTReader w = new WKTReader();
    BoundaryDataset data = new BoundaryDataset(BoundaryFormat.GEOJSON, List.of(
        new SourceFeature(0, w.read("POINT(114.4 23.1)"), Map.of("code", "X")),
        new SourceFeature(1, w.read("POLYGON((114.40 23.10, 114.41 23.10, 114.41 23.11, 114.40 23.10))"), Map.of())),
        List.of("code"), "EPSG:4326", 4326, "UTF-8", "wgs84");
    ValidationReport r = validator.validate(LayerKind.GRID, data, AttributeMapping.none());
    assertThat(r.counts()).containsExactlyInAnyOrderEntriesOf(Map.of("wrong_geometry_type", 1, "missing_code", 1));
  }

  private static Problem only(ValidationReport r, ProblemType t) {
    List<Problem> ps = r.problems().stream().filter(p -> p.type() == t).toList();
    assertThat(ps).hasSize(1);
    return ps.get(0);
  }
}
