package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.io.WKTReader;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.validate.AttributeMapping;
import org.safegrid.gisdata.validate.BoundaryValidator;
import org.safegrid.gisdata.validate.DistrictAssigner;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.gisdata.validate.ProblemType;
import org.safegrid.gisdata.validate.ReportJson;
import org.safegrid.gisdata.validate.ValidationReport;

/**
 * The upload report as a contract: reports of real files conform to the documented JSON Schema, and
 * every {@link ProblemType} stands in {@code docs/uploads.md} and the schema with its severity and
 * advice in the same words. (Reports over HTTP are checked against the schema too, in
 * {@code GisOfficerWalkthroughTest}.)
 */
class UploadReportContractTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void everyProblemTypeIsDocumentedWithItsSeverityAndAdviceAndListedInTheSchema() throws Exception {
    String doc = Files.readString(ReportSchema.docs().resolve("uploads.md"), StandardCharsets.UTF_8);
    String schema = Files.readString(ReportSchema.docs().resolve("schema/upload-report.schema.json"));
    for (ProblemType t : ProblemType.values()) {
      String row = doc.lines().filter(l -> l.startsWith("| `" + t.code() + "` |")).findFirst().orElse(null);
      assertThat(row).as("docs/uploads.md has a row for %s", t.code()).isNotNull();
      assertThat(row).as("severity of %s", t.code()).startsWith("| `" + t.code() + "` | " + t.severity().label() + " |");
      assertThat(row).as("advice of %s", t.code()).endsWith("| " + t.advice() + " |");
      assertThat(schema).as("the schema lists %s", t.code()).contains("\"" + t.code() + "\"");
    }
    assertThat(schema).contains(Arrays.stream(ProblemType.Severity.values()).map(s -> "\"" + s.label() + "\"")
        .collect(Collectors.joining(", ")));
  }

  /*
   * A grid with one of every report problem, over two districts split at lon 114.45:
   *
   *   114.40  114.41  114.42  114.43  114.44  114.45   ...   116.40
   *   +-------+-+-----+-------+-------+-------+              +---+
   *   |  A    |#| B   | C  ++ | D \ / | E     |              | F |   A/B overlap (#), C has a gap (++),
   *   |       |#|     |    ++ |    X  | "G"   |              |   |   D is a bowtie, E's district is a name,
   *   +-------+-+-----+-------+-------+-------+              +---+   F is outside the city and the districts;
   *   and one feature without code, one with D's code
   */
  @Test
  void reportsOfRealFilesConformToTheSchema(@TempDir Path tmp) throws Exception {
    String[] cells = {
        cell("A", "441302", "114.40 23.10, 114.411 23.10, 114.411 23.11, 114.40 23.11, 114.40 23.10"),
        cell("B", "441302", "114.41 23.10, 114.42 23.10, 114.42 23.11, 114.41 23.11, 114.41 23.10"),
        "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"C\",\"QXDM\":\"441302\"},\"geometry\":{\"type\":\"Polygon\","
            + "\"coordinates\":[[[114.42,23.10],[114.43,23.10],[114.43,23.11],[114.42,23.11],[114.42,23.10]],"
            + "[[114.422,23.102],[114.428,23.102],[114.428,23.108],[114.422,23.108],[114.422,23.102]]]}}",
        cell("D", "441302", "114.43 23.10, 114.44 23.11, 114.44 23.10, 114.43 23.11, 114.43 23.10"),
        cell("E", "惠城区", "114.44 23.10, 114.45 23.10, 114.45 23.11, 114.44 23.11, 114.44 23.10"),
        cell("F", "441303", "116.40 23.10, 116.41 23.10, 116.41 23.11, 116.40 23.11, 116.40 23.10"),
        cell("", "441302", "114.40 23.12, 114.41 23.12, 114.41 23.13, 114.40 23.13, 114.40 23.12"),
        cell("D", "441302", "114.41 23.12, 114.42 23.12, 114.42 23.13, 114.41 23.13, 114.41 23.12")};
    Path file = tmp.resolve("grid.geojson");
    Files.writeString(file, "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", cells) + "]}");
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
    WKTReader wkt = new WKTReader();
    DistrictAssigner districts = new DistrictAssigner(List.of(
        new DistrictAssigner.Piece("441302", "惠城区", wkt.read("POLYGON((114.3 23.0, 114.5 23.0, 114.5 23.2, 114.3 23.2, 114.3 23.0))"))));
    ValidationReport grid = districts.assign(new BoundaryValidator(BoundaryReader.huizhou(), 1.0).validate(LayerKind.GRID,
        reader.read(file, new ReadOptions(null, null, "cgcs2000", null)), AttributeMapping.none()));
    ObjectNode report = new ReportJson(json).toJson(grid);
    report.put("fileName", "grid.geojson");
    report.put("sha256", "0".repeat(64));
    assertThat(ReportSchema.violations(report)).as("%s", report).isEmpty();
    Map<String, Integer> counts = json.convertValue(report.path("counts"), Map.class);
    assertThat(counts.keySet()).containsExactlyInAnyOrder("overlap", "gap", "invalid_geometry", "district_mismatch",
        "outside_city", "outside_districts", "missing_code", "duplicate_code");
    assertThat(report.path("problemTypes").path("district_mismatch").path("advice").asText())
        .isEqualTo(ProblemType.DISTRICT_MISMATCH.advice());

    // a broken report is caught: the schema is not a rubber stamp
    ObjectNode broken = report.deepCopy();
    ((ObjectNode) broken.path("problems").get(0)).put("type", "no_such_problem");
    broken.remove("crs");
    assertThat(ReportSchema.violations(broken)).hasSizeGreaterThanOrEqualTo(2);
  }

  private static String cell(String code, String district, String ring) {
    String coords = Arrays.stream(ring.split(", ")).map(p -> "[" + p.replace(' ', ',') + "]")
        .collect(Collectors.joining(","));
    return "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"" + code + "\",\"QXDM\":\"" + district + "\"},"
        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[" + coords + "]]}}";
  }
}
