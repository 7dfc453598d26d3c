package org.safegrid.gisdata.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;

class BoundaryReaderTest {

  @TempDir
  Path tmp;

  private Path geojson(String text) throws Exception {
    Path p = tmp.resolve("f" + System.nanoTime() + ".geojson");
    Files.writeString(p, text);
    return p;
  }

  private static String point(double lon, double lat) {
    return "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"P\"},"
        + "\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + lon + "," + lat + "]}}]}";
  }

  @Test
  void gcj02DatumShiftIsAppliedAfterReprojection() throws Exception {
    // a stand-in shift with the GCJ-02 API (lon, lat) -> {lon, lat}: 0.005° west, 0.002° south
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(),
        (lon, lat) -> new double[] {lon - 0.005, lat - 0.002});
    BoundaryDataset data = reader.read(geojson(point(114.4152, 23.1115)), new ReadOptions(null, null, "gcj02", null));
    Coordinate c = data.features().get(0).geometry().getCoordinate();
    assertThat(c.x).isCloseTo(114.4102, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.y).isCloseTo(23.1095, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(data.datum()).isEqualTo("gcj02");
    BoundaryReader without = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
    assertThatThrownBy(() -> without.read(geojson(point(114.4, 23.1)), new ReadOptions(null, null, "gcj02", null)))
        .hasMessageContaining("GCJ-02");
  }

  @Test
  void legacyCrsMemberAndEpsgOverrideAreHonoured() throws Exception {
    // EPSG:3857 metres of (114.4152, 23.1115)
    String metres = "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
        + "\"urn:ogc:def:crs:EPSG::3857\"}},\"features\":[{\"type\":\"Feature\",\"properties\":{},"
        + "\"geometry\":{\"type\":\"Point\",\"coordinates\":[12736768.3,2645393.5]}}]}";
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
    Coordinate c = reader.read(geojson(metres), ReadOptions.none()).features().get(0).geometry().getCoordinate();
    assertThat(c.x).isBetween(114.41, 114.42);
    assertThat(c.y).isBetween(23.10, 23.12);
    String bare = metres.replaceFirst("\"crs\":\\{[^}]*\\}\\},", "");
    assertThatThrownBy(() -> reader.read(geojson(bare), ReadOptions.none()))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("implausible_coordinates"));
    assertThat(reader.read(geojson(bare), new ReadOptions("3857", null, null, null)).epsg()).isEqualTo(3857);
  }

  @Test
  void deepNestingAndTooManyFeaturesAreRefusedWhileStreaming() throws Exception {
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults().withMaxFeatures(3), BoundaryReader.huizhou(), null);
    String nested = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
        + "{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}]}";
    assertThatThrownBy(() -> reader.read(geojson(nested), ReadOptions.none()))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("too_complex"));
    String four = point(114.4, 23.1).replace("]}}]}", "]}}" + (",{\"type\":\"Feature\",\"properties\":{},"
        + "\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.4,23.1]}}").repeat(3) + "]}");
    assertThatThrownBy(() -> reader.read(geojson(four), ReadOptions.none()))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("too_many_features"));
  }
}
