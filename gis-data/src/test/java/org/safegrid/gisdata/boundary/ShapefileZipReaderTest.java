package org.safegrid.gisdata.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.algorithm.distance.DiscreteHausdorffDistance;
import org.locationtech.jts.geom.Geometry;
import org.safegrid.gisdata.testing.Fixtures;
import org.safegrid.gisdata.validate.AttributeMapping;
import org.safegrid.gisdata.validate.BoundaryValidator;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.gisdata.validate.ValidationReport;

class ShapefileZipReaderTest {

  private final BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);

  @TempDir
  Path tmp;

  /** The reference districts written by GDAL as CGCS2000 / 3-degree GK CM 114E with a GBK DBF and no .cpg. */
  private Path districtsGk4547Gbk(boolean keepCpg, boolean keepPrj) throws Exception {
    Path src = Fixtures.districtsWgs84(tmp);
    Fixtures.ogr2ogr(tmp, "-f", "ESRI Shapefile", "-t_srs", "EPSG:4547", "-lco", "ENCODING=CP936",
        "-select", "adcode,name", tmp.resolve("districts.shp").toString(), src.toString());
    List<String> excluded = new java.util.ArrayList<>();
    if (!keepCpg) {
      excluded.add("cpg");
    }
    if (!keepPrj) {
      excluded.add("prj");
    }
    return Fixtures.zipShapefile(tmp, "districts", tmp.resolve("districts.zip"), excluded.toArray(String[]::new));
  }

  @Test
  void gbkDistrictsInGaussKrugerComeBackInWgs84WithinOneMetre() throws Exception {
    Path zip = districtsGk4547Gbk(false, true);
    BoundaryDataset data = reader.read(zip, ReadOptions.none());

    assertThat(data.format()).isEqualTo(BoundaryFormat.SHAPEFILE_ZIP);
    assertThat(data.epsg()).isEqualTo(4547);
    assertThat(data.encoding()).startsWith("GBK");
    BoundaryDataset original = reader.read(Fixtures.districtsWgs84(tmp), ReadOptions.none());
    assertThat(data.features()).hasSameSizeAs(original.features());
    for (int i = 0; i < original.features().size(); i++) {
      SourceFeature o = original.features().get(i);
      SourceFeature r = data.features().get(i);
      assertThat(r.properties().get("name")).isEqualTo(o.properties().get("name"));
      Geometry a = o.geometry();
      Geometry b = r.geometry();
      assertThat(b.getNumPoints()).isEqualTo(a.getNumPoints());
      double metres = DiscreteHausdorffDistance.distance(a, b) * 111_319.49;
      assertThat(metres).as("Hausdorff distance of %s in metres", o.properties().get("name")).isLessThan(1.0);
    }
    ValidationReport report = new BoundaryValidator(BoundaryReader.huizhou(), 1.0)
        .validate(LayerKind.DISTRICTS, data, AttributeMapping.none());
    assertThat(report.problems()).isEmpty();
    assertThat(report.mapping().codeField()).isEqualTo("adcode");
    assertThat(report.features()).extracting(f -> f.name()).contains("惠城区", "惠东县");
  }

  @Test
  void explicitEncodingWinsAndCpgIsHonoured() throws Exception {
    Path zip = districtsGk4547Gbk(true, true);
    BoundaryDataset withCpg = reader.read(zip, ReadOptions.none());
    assertThat(withCpg.encoding()).contains(".cpg");
    assertThat(withCpg.features()).extracting(f -> f.properties().get("name")).contains("博罗县");
    BoundaryDataset explicit = reader.read(zip, new ReadOptions(null, "GBK", null, null));
    assertThat(explicit.encoding()).isEqualTo("GBK");
    assertThat(explicit.features()).extracting(f -> f.properties().get("name")).contains("龙门县");
  }

  /**
   * Zips made on Chinese Windows store names in GBK without the zip's UTF-8 flag; the JDK's reader
   * would throw on them (found by fuzzing). They are read, and their names decoded.
   */
  @Test
  void partsNamedInGbkWithoutTheUtf8FlagAreRead() throws Exception {
    districtsGk4547Gbk(true, true);
    Path zip = tmp.resolve("gbk-names.zip");
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip), java.nio.charset.Charset.forName("GBK"))) {
      for (String ext : List.of("shp", "shx", "dbf", "prj", "cpg")) {
        out.putNextEntry(new java.util.zip.ZipEntry("惠州区县/惠州区县." + ext));
        out.write(Files.readAllBytes(tmp.resolve("districts." + ext)));
        out.closeEntry();
      }
    }
    byte[] raw = Files.readAllBytes(zip);
    assertThat(new String(raw, StandardCharsets.ISO_8859_1))
        .contains(new String("惠州区县.shp".getBytes(java.nio.charset.Charset.forName("GBK")), StandardCharsets.ISO_8859_1));
    BoundaryDataset data = reader.read(zip, ReadOptions.none());
    assertThat(data.features()).extracting(f -> f.properties().get("name")).contains("惠城区", "龙门县");
  }

  @Test
  void unflaggedEntryNamesAreDecodedAsUtf8ThenGb18030() {
    java.util.function.Function<byte[], String> unflagged = b -> SafeUnzip.entryName(new String(b, StandardCharsets.ISO_8859_1));
    assertThat(unflagged.apply("区县.shp".getBytes(java.nio.charset.Charset.forName("GBK")))).isEqualTo("区县.shp");
    assertThat(unflagged.apply("区县.shp".getBytes(StandardCharsets.UTF_8))).isEqualTo("区县.shp");
    assertThat(unflagged.apply("plain.shp".getBytes(StandardCharsets.US_ASCII))).isEqualTo("plain.shp");
    // neither: kept byte for byte, extension intact
    assertThat(unflagged.apply(new byte[] {(byte) 0x81, (byte) 0x30, (byte) 0xFF, '.', 's', 'h', 'p'})).endsWith(".shp");
    // flagged UTF-8 names arrive decoded already
    assertThat(SafeUnzip.entryName("区县.shp")).isEqualTo("区县.shp");
  }

  /**
   * An upload cut short inside its entries is refused with a reason, never an I/O error (found by
   * fuzzing). (Cut inside the central directory at the end, every part is still whole and is read.)
   */
  @Test
  void aTruncatedZipIsRefusedWithAReason() throws Exception {
    byte[] whole = Files.readAllBytes(districtsGk4547Gbk(true, true));
    for (int cut : new int[] {10, 30, 31, 64, whole.length / 3, whole.length / 2, whole.length * 2 / 3}) {
      Path part = tmp.resolve("cut-" + cut + ".zip");
      Files.write(part, java.util.Arrays.copyOf(whole, cut));
      assertThatThrownBy(() -> new ShapefileZipReader(ReadLimits.defaults()).read(Files.newInputStream(part), null))
          .as("zip cut at byte %d of %d", cut, whole.length)
          .isInstanceOfSatisfying(BoundaryReadException.class, e -> assertThat(e.reason()).isIn("corrupt_file",
              "shapefile_incomplete", "empty_file"));
    }
  }

  @Test
  void shapefileWithoutPrjIsRefusedUnlessEpsgGiven() throws Exception {
    Path zip = districtsGk4547Gbk(false, false);
    assertThatThrownBy(() -> reader.read(zip, ReadOptions.none()))
        .isInstanceOf(BoundaryReadException.class)
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("unknown_crs"))
        .hasMessageContaining("epsg");
    BoundaryDataset data = reader.read(zip, new ReadOptions("4547", null, null, null));
    assertThat(data.epsg()).isEqualTo(4547);
    assertThat(data.features().get(0).geometry().getEnvelopeInternal().getMinX()).isBetween(113.8, 115.5);
  }

  @Test
  void missingDbfOrShpIsRefused() throws Exception {
    districtsGk4547Gbk(false, true);
    Path noDbf = Fixtures.zipShapefile(tmp, "districts", tmp.resolve("nodbf.zip"), "dbf");
    assertThatThrownBy(() -> reader.read(noDbf, ReadOptions.none())).hasMessageContaining(".dbf missing");
    Path noShp = Fixtures.zipShapefile(tmp, "districts", tmp.resolve("noshp.zip"), "shp");
    assertThatThrownBy(() -> reader.read(noShp, ReadOptions.none())).hasMessageContaining(".shp missing");
  }

  @Test
  void corruptShpIsRefusedWithGdalsReason() throws Exception {
    districtsGk4547Gbk(false, true);
    Path shp = tmp.resolve("districts.shp");
    byte[] bytes = Files.readAllBytes(shp);
    byte[] garbage = "this is not a shapefile at all, just text padding padding padding padding padding"
        .repeat(3).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(garbage, 0, bytes, 0, garbage.length);
    Files.write(shp, bytes);
    Path zip = Fixtures.zipShapefile(tmp, "districts", tmp.resolve("corrupt.zip"), "cpg");
    assertThatThrownBy(() -> reader.read(zip, ReadOptions.none()))
        .isInstanceOf(BoundaryReadException.class)
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("corrupt_file"));
  }

  @Test
  void pathTraversalEntryIsRefused() throws Exception {
    Path zip = Fixtures.zip(tmp.resolve("evil.zip"), "../../evil.shp", new byte[100]);
    assertThatThrownBy(() -> reader.read(zip, ReadOptions.none()))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("unsafe_zip_entry"));
    assertThat(tmp.resolve("../../evil.shp").normalize()).doesNotExist();
  }

  @Test
  void highlyCompressedEntryIsRefusedWhileStreaming() throws Exception {
    Path zip = Fixtures.zip(tmp.resolve("bomb.zip"), "layer.shp", new byte[50 << 20]);
    assertThat(Files.size(zip)).isLessThan(1 << 20);
    assertThatThrownBy(() -> reader.read(zip, ReadOptions.none()))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("zip_bomb"))
        .satisfies(e -> assertThat(((BoundaryReadException) e).tooLarge()).isTrue());
  }

  @Test
  void tooManyEntriesIsRefused() throws Exception {
    Object[] entries = new Object[2 * 200];
    for (int i = 0; i < 200; i++) {
      entries[2 * i] = "e" + i + ".txt";
      entries[2 * i + 1] = new byte[0];
    }
    Path zip = Fixtures.zip(tmp.resolve("many.zip"), entries);
    assertThatThrownBy(() -> reader.read(zip, ReadOptions.none()))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("zip_bomb"));
  }
}
