package org.safegrid.gisdata.crs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.testing.Fixtures;

/**
 * Round trip against an independent implementation: PROJ (through ogr2ogr) projects a control
 * point in the reference city, SIS must bring it back to WGS84 within 1 m.
 */
class CrsResolverTest {

  private static final double LON = 114.4152;
  private static final double LAT = 23.1115;

  private final CrsResolver resolver = new CrsResolver();

  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(ints = {4326, 4490, 4526, 4547, 3857, 32650})
  void controlPointProjectedByProjComesBackWithinOneMetre(int epsg) throws Exception {
    Path in = tmp.resolve("p.geojson");
    Files.writeString(in, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
        + "\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + LON + "," + LAT + "]}}]}");
    Path out = tmp.resolve("p" + epsg + ".geojson");
    Fixtures.ogr2ogr(tmp, "-f", "GeoJSON", "-lco", "RFC7946=NO", "-t_srs", "EPSG:" + epsg, out.toString(), in.toString());
    JsonNode c = new ObjectMapper().readTree(out.toFile()).at("/features/0/geometry/coordinates");
    // GDAL writes GeoJSON in easting/longitude-first order whatever the EPSG axis order
    double[] pt = {c.get(0).asDouble(), c.get(1).asDouble()};

    CrsResolver.ResolvedCrs crs = resolver.fromCode(String.valueOf(epsg));
    crs.toWgs84().transform(pt, 0, pt, 0, 1);

    double dx = (pt[0] - LON) * 111_319.49 * Math.cos(Math.toRadians(LAT));
    double dy = (pt[1] - LAT) * 110_574.0;
    assertThat(Math.hypot(dx, dy)).as("error in metres for EPSG:%d", epsg).isLessThan(1.0);
    assertThat(crs.epsg()).isEqualTo(epsg);
  }

  @Test
  void zonePrefixedGaussKrugerHasTheZoneInItsEasting() throws Exception {
    double[] pt = {38_540_000, 2_557_000};
    resolver.fromCode("EPSG:4526").toWgs84().transform(pt, 0, pt, 0, 1);
    assertThat(pt[0]).isBetween(114.0, 115.0);
    assertThat(pt[1]).isBetween(23.0, 23.2);
  }

  @Test
  void unknownCodeIsRefusedAsUnknownCrs() {
    assertThatThrownBy(() -> resolver.fromCode("999999"))
        .isInstanceOf(BoundaryReadException.class)
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("unknown_crs"));
    assertThatThrownBy(() -> resolver.resolve(null, null, false))
        .satisfies(e -> assertThat(((BoundaryReadException) e).reason()).isEqualTo("unknown_crs"));
  }
}
