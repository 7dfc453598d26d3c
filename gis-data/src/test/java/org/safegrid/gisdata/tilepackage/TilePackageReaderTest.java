package org.safegrid.gisdata.tilepackage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.testing.TilePackageFixtures;
import org.safegrid.gisdata.testing.TilePackageFixtures.PmTilesWriter;

/** Tile packages made by GDAL and by an independent PMTiles writer: what is accepted, and each refusal. */
class TilePackageReaderTest {

  static final TilePackage.Bounds CITY = new TilePackage.Bounds(113.8, 22.3, 115.5, 24.4);
  static final TilePackageReader READER = new TilePackageReader(TilePackageLimits.DEFAULT);

  @TempDir
  Path tmp;

  @Test
  void gdalRasterMbtilesIsReadWithItsTmsRowsFlipped() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    try (TilePackage p = READER.read(file, CITY)) {
      assertThat(p.format()).isEqualTo("mbtiles");
      assertThat(p.tileType()).isEqualTo(TileType.PNG);
      assertThat(p.gzipped()).isFalse();
      int z = p.maxZoom();
      int x = TileMath.column(114.4, z);
      int y = TileMath.row(23.1, z);
      byte[] tile = p.findTile(z, x, y).orElseThrow();
      assertThat(TileType.sniff(tile)).isEqualTo(TileType.PNG);
      assertThat(p.findTile(z, x, (1 << z) - 1 - y)).as("the TMS row must not answer as an XYZ row").isEmpty();
    }
  }

  @Test
  void gdalVectorMbtilesIsGzippedMvtAtEveryZoom() throws Exception {
    Path file = TilePackageFixtures.vectorMbtiles(tmp, TilePackageFixtures.lineGeoJson(114.3, 23.1, 114.5, 23.1), 8, 12);
    try (TilePackage p = READER.read(file, CITY)) {
      assertThat(p.tileType()).isEqualTo(TileType.MVT);
      assertThat(p.gzipped()).isTrue();
      assertThat(p.minZoom()).isEqualTo(8);
      assertThat(p.maxZoom()).isEqualTo(12);
      for (int z = 8; z <= 12; z++) {
        assertThat(p.findTile(z, TileMath.column(114.4, z), TileMath.row(23.1, z))).as("z%d", z).isPresent();
      }
    }
  }

  @Test
  void pmtilesFromTheIndependentWriterAnswersEveryTileItWrote() throws Exception {
    PmTilesWriter w = writer(11, 12);
    int[][] tiles = {{11, 1674, 888}, {11, 1675, 889}, {12, 3349, 1777}, {12, 3350, 1778}};
    for (int[] t : tiles) {
      byte[] png = TilePackageFixtures.pngStub().clone();
      png[15] = (byte) t[1];
      w.tile(t[0], t[1], t[2], png);
    }
    Path file = write(w.write());
    try (TilePackage p = READER.read(file, CITY)) {
      assertThat(p.format()).isEqualTo("pmtiles");
      assertThat(p.tileType()).isEqualTo(TileType.PNG);
      for (int[] t : tiles) {
        assertThat(p.findTile(t[0], t[1], t[2]).orElseThrow()[15]).isEqualTo((byte) t[1]);
      }
      assertThat(p.findTile(11, 1675, 888)).isEmpty();
      assertThat(p.findTile(12, 0, 0)).isEmpty();
    }
  }

  @Test
  void tileIdsAgreeWithTheWriterAndRoundTrip() {
    for (int z = 0; z <= 14; z += 2) {
      for (int i = 0; i < 50; i++) {
        int x = (int) ((i * 2654435761L) % (1 << z));
        int y = (int) ((i * 40503L + 7) % (1 << z));
        long id = TileMath.tileId(z, x, y);
        assertThat(id).isEqualTo(PmTilesWriter.tileId(z, x, y));
        assertThat(TileMath.zxy(id)).containsExactly(z, x, y);
      }
    }
    // the specification's first ids: z0 is 0, then z1 runs (0,0) (0,1) (1,1) (1,0)
    assertThat(TileMath.tileId(1, 0, 1)).isEqualTo(2);
    assertThat(TileMath.tileId(1, 1, 0)).isEqualTo(4);
  }

  @Test
  void aTextFileIsNotATilePackage() throws Exception {
    refused(write("name,lon,lat\n".getBytes()), "not_a_tile_package");
  }

  @Test
  void sqliteWithoutTheMbtilesTablesIsRefused() throws Exception {
    Path file = tmp.resolve("other.sqlite");
    sql(file, "CREATE TABLE people (name TEXT)");
    refused(file, "not_mbtiles");
  }

  @Test
  void tilesAsAViewIsRefusedUnread() throws Exception {
    Path file = tmp.resolve("view.mbtiles");
    sql(file, "CREATE TABLE metadata (name TEXT, value TEXT)",
        "INSERT INTO metadata VALUES ('format','png'), ('bounds','114.3,23.0,114.5,23.2')",
        "CREATE TABLE map (z INT, x INT, y INT, id TEXT)", "CREATE TABLE images (id TEXT, data BLOB)",
        "CREATE VIEW tiles AS SELECT z AS zoom_level, x AS tile_column, y AS tile_row, data AS tile_data "
            + "FROM map JOIN images USING (id)");
    refused(file, "unsupported_mbtiles_layout");
  }

  @Test
  void aTriggerInTheFileNeverRuns() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    sql(file, "CREATE TABLE pwned (x INT)",
        "CREATE TRIGGER t AFTER INSERT ON metadata BEGIN INSERT INTO pwned VALUES (1); END");
    long size = Files.size(file);
    try (TilePackage p = READER.read(file, CITY)) {
      assertThat(p.tileType()).isEqualTo(TileType.PNG);
    }
    assertThat(Files.size(file)).isEqualTo(size);
  }

  @Test
  void mbtilesWithTilesBeyondItsBoundsIsRefused() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    sql(file, "UPDATE metadata SET value = '114.3,23.0,114.35,23.05' WHERE name = 'bounds'");
    refused(file, "tiles_outside_bounds");
  }

  @Test
  void mbtilesWithTilesOutsideItsZoomRangeIsRefused() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    sql(file, "UPDATE metadata SET value = '5' WHERE name = 'maxzoom'",
        "UPDATE metadata SET value = '3' WHERE name = 'minzoom'");
    refused(file, "zoom_out_of_range");
  }

  @Test
  void mbtilesOfAnotherCityIsRefused() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 116.3, 39.8, 116.5, 40.0, 39.9);
    refused(file, "outside_city");
  }

  @Test
  void mbtilesDeclaringPngHoldingJpegIsRefused() throws Exception {
    Path file = TilePackageFixtures.rasterMbtiles(tmp, 114.3, 23.0, 114.5, 23.2, 23.1);
    sql(file, "UPDATE metadata SET value = 'jpg' WHERE name = 'format'");
    refused(file, "tile_type_mismatch");
  }

  @Test
  void pmtilesWithWrongMagicOrVersionIsRefused() throws Exception {
    byte[] good = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub()).write();
    byte[] magic = good.clone();
    magic[0] = 'X';
    refused(write(magic), "not_a_tile_package");
    byte[] v2 = good.clone();
    v2[7] = 2;
    refused(write(v2), "pmtiles_unsupported_version");
  }

  @Test
  void pmtilesHeaderPointingPastTheEndIsRefused() throws Exception {
    byte[] bytes = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub()).write();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(64, bytes.length); // tile data length
    refused(write(bytes), "pmtiles_bad_header");
    byte[] root = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub()).write();
    ByteBuffer.wrap(root).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE - 3); // root offset
    refused(write(root), "pmtiles_bad_header");
  }

  @Test
  void pmtilesDirectoryThatDoesNotDecompressIsRefused() throws Exception {
    PmTilesWriter w = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub());
    w.internalCompression = 1; // stored plain, then declared gzip below
    byte[] bytes = w.write();
    bytes[97] = 2;
    refused(write(bytes), "pmtiles_bad_directory");
  }

  @Test
  void pmtilesDeclaringMvtHoldingPngIsRefused() throws Exception {
    PmTilesWriter w = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub());
    w.tileType = 1;
    w.tileCompression = 2;
    refused(write(w.write()), "tile_type_mismatch");
  }

  @Test
  void pmtilesWithATileBeyondItsBoundsOrZoomsIsRefused() throws Exception {
    byte[] far = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub())
        .tile(11, 100, 100, TilePackageFixtures.pngStub()).write();
    refused(write(far), "tiles_outside_bounds");
    byte[] deep = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub())
        .tile(13, 6699, 3556, TilePackageFixtures.pngStub()).write();
    refused(write(deep), "zoom_out_of_range");
  }

  @Test
  void pmtilesTileEntryPastTheDataSectionIsRefused() throws Exception {
    byte[] bytes = writer(11, 11).tile(11, 1674, 888, TilePackageFixtures.pngStub()).write();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    // shorten the data section by one byte (and the file with it): the entry's last byte is now beyond it
    b.putLong(64, b.getLong(64) - 1);
    b.putLong(40, b.getLong(40) - 1); // the (empty) leaf section after it moves with it
    refused(write(java.util.Arrays.copyOf(bytes, bytes.length - 1)), "pmtiles_bad_directory");
  }

  private PmTilesWriter writer(int minZoom, int maxZoom) {
    PmTilesWriter w = new PmTilesWriter();
    w.minZoom = minZoom;
    w.maxZoom = maxZoom;
    w.west = 114.3;
    w.south = 23.0;
    w.east = 114.5;
    w.north = 23.2;
    return w;
  }

  private Path write(byte[] bytes) throws Exception {
    Path p = Files.createTempFile(tmp, "package", ".bin");
    Files.write(p, bytes);
    return p;
  }

  private static void sql(Path file, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static void refused(Path file, String reason) {
    assertThatThrownBy(() -> READER.read(file, CITY).close())
        .isInstanceOfSatisfying(TilePackageException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }
}
