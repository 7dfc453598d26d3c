package org.safegrid.gisdata.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.testing.Fixtures;

class GeoPackageReaderTest {

  @TempDir
  Path tmp;

  /** The reference districts written by GDAL into a GeoPackage in EPSG:4490 (CGCS2000 geographic). */
  private Path districtsGpkg(String... extra) throws Exception {
    Path gpkg = tmp.resolve("districts.gpkg");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("-f", "GPKG", "-t_srs", "EPSG:4490",
        "-select", "adcode,name", "-nln", "districts", gpkg.toString(), Fixtures.districtsWgs84(tmp).toString()));
    args.addAll(java.util.List.of(extra));
    Fixtures.ogr2ogr(tmp, args.toArray(String[]::new));
    return gpkg;
  }

  @Test
  void readsFeaturesAndTheirSpatialReference() throws Exception {
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
    BoundaryDataset data = reader.read(districtsGpkg(), ReadOptions.none());
    assertThat(data.format()).isEqualTo(BoundaryFormat.GEOPACKAGE);
    assertThat(data.epsg()).isEqualTo(4490);
    assertThat(data.features()).hasSize(5);
    assertThat(data.features()).extracting(f -> f.properties().get("name")).contains("惠阳区");
    assertThat(data.features().get(0).geometry().getEnvelopeInternal().getMinX()).isBetween(113.8, 115.5);
  }

  /**
   * An uploaded GeoPackage is opened read-only by SQLite itself, for the library's own tables as for the
   * features: nothing the reader or the library does can change the file, and reading leaves it byte for
   * byte as it was.
   */
  @Test
  void theGeoPackageIsOpenedReadOnlyAndLeftAsItWas() throws Exception {
    Path gpkg = districtsGpkg();
    byte[] before = java.nio.file.Files.readAllBytes(gpkg);
    try (mil.nga.geopackage.GeoPackage g = GeoPackageReader.openReadOnly(gpkg)) {
      assertThat(g.isWritable()).isFalse();
      assertThat(g.getFeatureTables()).containsExactly("districts");
      assertThatThrownBy(() -> g.getConnection().execSQL("CREATE TABLE planted (a)"))
          .hasStackTraceContaining("readonly");
      assertThatThrownBy(() -> g.getConnection().execSQL("DELETE FROM districts"))
          .hasStackTraceContaining("readonly");
    }
    assertThat(new GeoPackageReader(ReadLimits.defaults()).read(gpkg, null).features()).hasSize(5);
    assertThat(java.nio.file.Files.readAllBytes(gpkg)).as("the file after reading").isEqualTo(before);
    assertThat(java.nio.file.Files.exists(tmp.resolve("districts.gpkg-journal"))).isFalse();
  }

  /** Open file descriptors of this JVM (Linux). */
  private static int openFiles() {
    String[] fds = new java.io.File("/proc/self/fd").list();
    if (fds == null) {
      throw new IllegalStateException("/proc/self/fd is not readable: this test needs Linux");
    }
    return fds.length;
  }

  /**
   * A file that is not a database is refused and leaves no SQLite connection open behind it (the
   * GeoPackage library kept one per refused file: a fuzzing session ran out of file handles).
   */
  @Test
  void refusedFilesLeaveNoOpenFileBehind() throws Exception {
    byte[] valid = java.nio.file.Files.readAllBytes(districtsGpkg());
    java.util.Random random = new java.util.Random(7);
    byte[] noise = new byte[4096];
    random.nextBytes(noise);
    GeoPackageReader reader = new GeoPackageReader(ReadLimits.defaults());
    for (byte[] bad : java.util.List.of(java.util.Arrays.copyOf(valid, valid.length / 2),
        java.util.Arrays.copyOf(valid, 100), noise)) {
      Path f = tmp.resolve("bad.gpkg");
      java.nio.file.Files.write(f, bad);
      int before = openFiles();
      for (int i = 0; i < 50; i++) {
        assertThatThrownBy(() -> reader.read(f, null))
            .isInstanceOfSatisfying(BoundaryReadException.class, e -> assertThat(e.reason()).isEqualTo("corrupt_file"));
      }
      assertThat(openFiles() - before).as("files left open by 50 refused reads").isLessThan(5);
    }
  }

  @Test
  void aViewRegisteredAsALayerIsRefused() throws Exception {
    Path gpkg = districtsGpkg();
    // a second layer that is a view over the first: its SQL would run on read
    Fixtures.ogr2ogr(tmp, "-update", "-f", "GPKG", "-sql",
        "SELECT * FROM districts", "-nln", "plain_copy", gpkg.toString(), gpkg.toString());
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + gpkg)) {
      c.createStatement().execute("CREATE VIEW evil AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
          + "LIMIT 5) SELECT d.fid AS fid, d.geom AS geom, d.name AS name FROM districts d");
      c.createStatement().execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
          + "VALUES ('evil', 'features', 'evil', 4490)");
      c.createStatement().execute("INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, "
          + "srs_id, z, m) VALUES ('evil', 'geom', 'GEOMETRY', 4490, 0, 0)");
    }
    assertThatThrownBy(() -> new GeoPackageReader(ReadLimits.defaults()).read(gpkg, "evil"))
        .isInstanceOf(BoundaryReadException.class)
        .hasMessageContaining("view");
    assertThat(new GeoPackageReader(ReadLimits.defaults()).read(gpkg, "plain_copy").features()).hasSize(5);
  }
}
