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
