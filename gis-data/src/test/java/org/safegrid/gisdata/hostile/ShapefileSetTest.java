package org.safegrid.gisdata.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.boundary.BoundaryDataset;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.testing.Fixtures;

/**
 * Check 25, the gaps left by ShapefileZipReaderTest (which covers missing .shp/.dbf, GBK without
 * .cpg, with .cpg and an explicit charset): a missing .shx, and .shp/.dbf record counts that disagree.
 */
class ShapefileSetTest {

  private final BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);

  @TempDir
  Path tmp;

  private void districts() throws Exception {
    Path src = Fixtures.districtsWgs84(tmp);
    Fixtures.ogr2ogr(tmp, "-f", "ESRI Shapefile", "-t_srs", "EPSG:4547", "-lco", "ENCODING=CP936",
        "-select", "adcode,name", tmp.resolve("districts.shp").toString(), src.toString());
  }

  private BoundaryReadException refused(Path zip) {
    Throwable t = catchThrowable(() -> reader.read(zip, ReadOptions.none()));
    assertThat(t).isInstanceOf(BoundaryReadException.class);
    return (BoundaryReadException) t;
  }

  @Test
  void missingShxIsRefused() throws Exception {
    districts();
    Path zip = Fixtures.zipShapefile(tmp, "districts", tmp.resolve("noshx.zip"), "shx", "cpg");
    BoundaryReadException e = refused(zip);
    assertThat(e.reason()).isEqualTo("shapefile_incomplete");
    assertThat(e.getMessage()).contains(".shx missing");
  }

  @Test
  void dbfWithFewerRecordsThanTheShpIsRefused() throws Exception {
    districts();
    int features = reader.read(Fixtures.zipShapefile(tmp, "districts", tmp.resolve("ok.zip"), "cpg"),
        ReadOptions.none()).features().size();
    assertThat(features).isGreaterThan(2);
    Path dbf = tmp.resolve("districts.dbf");
    byte[] bytes = Files.readAllBytes(dbf);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int records = b.getInt(4);
    assertThat(records).isEqualTo(features);
    short header = b.getShort(8);
    short recordLength = b.getShort(10);
    // drop the last record: header count and file length both say one fewer
    b.putInt(4, records - 1);
    byte[] shorter = java.util.Arrays.copyOf(bytes, header + recordLength * (records - 1) + 1);
    shorter[shorter.length - 1] = 0x1A;
    Files.write(dbf, shorter);
    Path zip = Fixtures.zipShapefile(tmp, "districts", tmp.resolve("mismatch.zip"), "cpg");
    Throwable t = catchThrowable(() -> reader.read(zip, ReadOptions.none()));
    if (t == null) {
      BoundaryDataset d = reader.read(zip, ReadOptions.none());
      throw new AssertionError("a .dbf with " + (records - 1) + " records for " + features
          + " shapes was accepted and read as " + d.features().size() + " features");
    }
    BoundaryReadException e = (BoundaryReadException) t;
    assertThat(e.reason()).isEqualTo("shapefile_mismatch");
    assertThat(e.getMessage()).contains(String.valueOf(records - 1)).contains(String.valueOf(features));
  }
}
