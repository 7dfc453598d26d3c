package org.safegrid.gisdata.crs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.testing.Fixtures;

class CrsSuggesterTest {

  private final CrsSuggester suggester = new CrsSuggester(BoundaryReader.huizhou());

  /** Huizhou's centre (114.4°E, 23.1°N) written in the given system, as a one-point envelope. */
  private static Envelope huizhouIn(int epsg) throws Exception {
    double[] p = {114.4, 23.1};
    new CrsResolver().fromCode(String.valueOf(epsg)).toWgs84().inverse().transform(p, 0, p, 0, 1);
    return new Envelope(p[0], p[0] + 1000, p[1], p[1] + 1000);
  }

  private List<Integer> codes(Envelope e) {
    return suggester.suggest(e).stream().map(CrsSuggester.Suggestion::epsg).toList();
  }

  @Test
  void zonePrefixedEastingsAreTheirZone() throws Exception {
    assertThat(huizhouIn(4526).getMinX()).as("3-degree zone 38 easting").isBetween(38_000_000.0, 39_000_000.0);
    assertThat(codes(huizhouIn(4526))).containsExactly(4526);
    assertThat(suggester.suggest(huizhouIn(4526)).get(0).description()).contains("zone 38");
    assertThat(codes(huizhouIn(4498))).as("6-degree zone 20").containsExactly(4498);
  }

  @Test
  void eastingsWithoutZoneNumberAreTriedAgainstEachNearbyCentralMeridian() throws Exception {
    assertThat(codes(huizhouIn(4547))).as("3-degree CM 114E").containsExactly(4547);
    // a 6-degree zone on CM 117E is the same projection as the 3-degree one on 117E: both are named
    assertThat(codes(huizhouIn(4509))).as("6-degree CM 117E").containsExactlyInAnyOrder(4548, 4509);
  }

  @Test
  void degreesAndWebMercator() throws Exception {
    assertThat(codes(new Envelope(114.3, 114.5, 23.0, 23.2))).containsExactly(4490, 4326);
    assertThat(codes(huizhouIn(3857))).containsExactly(3857);
    assertThat(codes(new Envelope(-5, -4, 50, 51))).as("Cornwall is not Huizhou").isEmpty();
  }

  @Test
  void aShapefileWithoutPrjIsRefusedNamingTheLikelyCodes(@TempDir Path tmp) throws Exception {
    Fixtures.ogr2ogr(tmp, "-f", "ESRI Shapefile", "-t_srs", "EPSG:4526", tmp.resolve("d.shp").toString(),
        Fixtures.districtsWgs84(tmp).toString());
    Path zip = Fixtures.zipShapefile(tmp, "d", tmp.resolve("d.zip"), "prj");
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
    assertThatThrownBy(() -> reader.read(zip, ReadOptions.none()))
        .isInstanceOfSatisfying(BoundaryReadException.class, e -> {
          assertThat(e.reason()).isEqualTo("unknown_crs");
          assertThat(e.suggestedEpsg()).containsExactly(4526);
          assertThat(e.getMessage()).startsWith("The Shapefile has no .prj").contains("x 38")
              .contains("EPSG:4526").contains("zone 38").contains("epsg=4526");
        });
    // the same file declared as the unprefixed CM 114E system lands far away: the refusal names zone 38
    assertThatThrownBy(() -> reader.read(zip, new ReadOptions("4547", null, "cgcs2000", null)))
        .isInstanceOfSatisfying(BoundaryReadException.class, e -> assertThat(e.suggestedEpsg()).containsExactly(4526));
    assertThat(reader.read(zip, new ReadOptions("4526", null, "cgcs2000", null)).datum()).isEqualTo("cgcs2000");
  }
}
