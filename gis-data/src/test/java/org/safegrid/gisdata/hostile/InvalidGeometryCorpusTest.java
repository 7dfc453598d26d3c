package org.safegrid.gisdata.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.safegrid.gisdata.boundary.BoundaryDataset;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.testing.Fixtures;
import org.safegrid.gisdata.validate.AttributeMapping;
import org.safegrid.gisdata.validate.BoundaryValidator;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.gisdata.validate.Problem;
import org.safegrid.gisdata.validate.ProblemType;
import org.safegrid.gisdata.validate.ValidatedFeature;
import org.safegrid.gisdata.validate.ValidationReport;

/**
 * Check 17: the invalid-geometry corpus, as GeoJSON and as a zipped Shapefile written by GDAL.
 * Every case ends one of three ways, and nothing invalid ever reaches what would be stored:
 * refused with a reason; reported as invalid with its JTS reason and location and either blocking
 * or repaired (flagged, with the area the repair changed); or valid as read (e.g. repeated points,
 * or a Shapefile whose rings GDAL re-assembled).
 */
class InvalidGeometryCorpusTest {

  private final BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
  private final BoundaryValidator validator = new BoundaryValidator(BoundaryReader.huizhou(), 1.0);

  @TempDir
  Path tmp;

  /** Rings in units of 0.01° from (114.40, 23.10). */
  static Stream<Arguments> corpus() {
    return Stream.of(
        Arguments.of("bow-tie", poly("[[0,0],[1,1],[1,0],[0,1],[0,0]]"), "repaired"),
        Arguments.of("unclosed ring", poly("[[0,0],[1,0],[1,1],[0,1]]"), "refused"),
        Arguments.of("ring of 3 points", poly("[[0,0],[1,0],[0,0]]"), "blocked"),
        Arguments.of("repeated points", poly("[[0,0],[1,0],[1,0],[1,0],[1,1],[0,1],[0,0]]"), "valid"),
        Arguments.of("spike", poly("[[0,0],[1,0],[1,1],[1,2],[1,1],[0,1],[0,0]]"), "repaired"),
        Arguments.of("hole outside shell", poly("[[0,0],[1,0],[1,1],[0,1],[0,0]]", "[[2,2],[3,2],[3,3],[2,3],[2,2]]"),
            "repaired"),
        Arguments.of("overlapping holes", poly("[[0,0],[4,0],[4,4],[0,4],[0,0]]", "[[1,1],[2,1],[2,2],[1,2],[1,1]]",
            "[[1.5,1.5],[3,1.5],[3,3],[1.5,3],[1.5,1.5]]"), "repaired"),
        Arguments.of("nested shells in MultiPolygon", multi(List.of("[[0,0],[4,0],[4,4],[0,4],[0,0]]"),
            List.of("[[1,1],[2,1],[2,2],[1,2],[1,1]]")), "repaired"),
        Arguments.of("zero area", poly("[[0,0],[1,0],[2,0],[0,0]]"), "blocked"),
        Arguments.of("collapses to a line", poly("[[0,0],[1,1],[2,2],[1,1],[0,0]]"), "blocked"));
  }

  private static String ring(String units) {
    StringBuilder sb = new StringBuilder("[");
    String[] pts = units.substring(2, units.length() - 2).split("\\],\\[");
    for (int i = 0; i < pts.length; i++) {
      String[] xy = pts[i].split(",");
      sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%.4f,%.4f]",
          114.40 + 0.01 * Double.parseDouble(xy[0]), 23.10 + 0.01 * Double.parseDouble(xy[1])));
    }
    return sb.append("]").toString();
  }

  static String poly(String... rings) {
    List<String> r = new ArrayList<>();
    for (String s : rings) {
      r.add(ring(s));
    }
    return "{\"type\":\"Polygon\",\"coordinates\":[" + String.join(",", r) + "]}";
  }

  static String multi(List<String>... polygons) {
    List<String> ps = new ArrayList<>();
    for (List<String> p : polygons) {
      ps.add("[" + String.join(",", p.stream().map(InvalidGeometryCorpusTest::ring).toList()) + "]");
    }
    return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + String.join(",", ps) + "]}";
  }

  static String collection(String geometry) {
    return "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"adcode\":\"441302\","
        + "\"name\":\"X\"},\"geometry\":" + geometry + "}]}";
  }

  @ParameterizedTest(name = "GeoJSON: {0}")
  @MethodSource("corpus")
  void geoJsonCaseIsRefusedRepairedOrValidAsExpected(String what, String geometry, String expected) throws Exception {
    Path f = Files.writeString(tmp.resolve("case.geojson"), collection(geometry));
    String outcome = outcome(f, ReadOptions.none());
    assertThat(outcome).as(what).isEqualTo(expected);
  }

  @ParameterizedTest(name = "Shapefile: {0}")
  @MethodSource("corpus")
  void shapefileCaseIsNeverStoredInvalid(String what, String geometry, String expected) throws Exception {
    Path src = Files.writeString(tmp.resolve("case.geojson"), collection(geometry));
    org.safegrid.gisdata.boundary.Ogr2Ogr.Result r = new org.safegrid.gisdata.boundary.Ogr2Ogr(
        java.time.Duration.ofSeconds(60)).run(List.of("-f", "ESRI Shapefile", "-skipfailures",
        tmp.resolve("case.shp").toString(), src.toString()), tmp);
    if (!Files.exists(tmp.resolve("case.shp"))) {
      // GDAL itself would not write this geometry as a Shapefile: nothing to upload
      assertThat(expected).as("%s: only a refused case may be unwritable; GDAL said %s", what, r.stderr())
          .isEqualTo("refused");
      return;
    }
    Path zip = Fixtures.zipShapefile(tmp, "case", tmp.resolve("case.zip"));
    String outcome = outcome(zip, ReadOptions.none());
    System.out.printf("Shapefile %s: %s (GeoJSON: %s)%n", what, outcome, expected);
    // GDAL may close, drop or re-assemble rings on the way; whatever arrives is never stored invalid
    assertThat(outcome).as(what).isIn("refused", "repaired", "blocked", "valid", "empty");
  }

  /**
   * Reads and validates; returns refused / blocked / repaired / valid / empty, and asserts the
   * report's promises for each on the way.
   */
  private String outcome(Path file, ReadOptions options) {
    BoundaryDataset data;
    try {
      data = reader.read(file, options);
    } catch (BoundaryReadException e) {
      assertThat(e.reason()).isNotBlank();
      assertThat(e.getMessage()).containsPattern("[Ff]eature 0|LinearRing|ring|geometry");
      return "refused";
    }
    ValidationReport report = validator.validate(LayerKind.DISTRICTS, data, AttributeMapping.none());
    List<Problem> invalid = report.problems().stream().filter(p -> p.type() == ProblemType.INVALID_GEOMETRY).toList();
    for (ValidatedFeature f : report.features()) {
      if (f.geometry() != null) {
        assertThat(f.geometry().isValid()).as("geometry handed on for storage is valid").isTrue();
        assertThat(f.geometry().getGeometryType()).isIn("Polygon", "MultiPolygon");
      }
    }
    if (invalid.isEmpty()) {
      boolean empty = report.problems().stream().anyMatch(p -> p.type() == ProblemType.WRONG_GEOMETRY_TYPE);
      return empty ? "empty" : "valid";
    }
    Problem p = invalid.get(0);
    assertThat(p.location()).as("location of %s", p.message()).isNotNull();
    assertThat(p.message()).containsPattern("at \\d+\\.\\d+, \\d+\\.\\d+");
    if (p.blocking()) {
      assertThat(p.repairable()).isFalse();
      assertThat(report.blocked()).isTrue();
      return "blocked";
    }
    assertThat(p.repairable()).isTrue();
    assertThat(p.areaM2()).as("area delta of the repair").isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(report.features().get(0).repaired()).isTrue();
    return "repaired";
  }
}
