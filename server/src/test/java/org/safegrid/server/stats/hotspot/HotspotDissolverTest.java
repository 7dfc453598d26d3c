package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.safegrid.server.stats.Sampling;

class HotspotDissolverTest {

  private static final GeometryFactory GF = new GeometryFactory();

  private static List<Geometry> squares(int nx, int ny) {
    List<Geometry> out = new ArrayList<>();
    for (int r = 0; r < ny; r++) {
      for (int c = 0; c < nx; c++) {
        out.add(GF.createPolygon(new Coordinate[] {new Coordinate(c, r), new Coordinate(c + 1, r),
            new Coordinate(c + 1, r + 1), new Coordinate(c, r + 1), new Coordinate(c, r)}));
      }
    }
    return out;
  }

  /** Classes from a picture, row 0 at the bottom: 9 = hot99, 5 = hot95, 1 = hot90, . = none, c = cold90. */
  private static HotspotClass[] classes(String... rowsTopFirst) {
    int ny = rowsTopFirst.length;
    int nx = rowsTopFirst[0].length();
    HotspotClass[] out = new HotspotClass[nx * ny];
    for (int r = 0; r < ny; r++) {
      String row = rowsTopFirst[ny - 1 - r];
      for (int c = 0; c < nx; c++) {
        out[r * nx + c] = switch (row.charAt(c)) {
          case '9' -> HotspotClass.HOT99;
          case '5' -> HotspotClass.HOT95;
          case '1' -> HotspotClass.HOT90;
          case 'c' -> HotspotClass.COLD90;
          default -> HotspotClass.NONE;
        };
      }
    }
    return out;
  }

  private static double[] z(HotspotClass[] cls) {
    double[] z = new double[cls.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = cls[i].isHot() ? 2 + cls[i].confidence() / 100.0 : cls[i].isCold() ? -2 : 0;
    }
    return z;
  }

  @Test
  void aNinetyNineCoreWithANinetyRingIsOneHotspot() {
    HotspotClass[] cls = classes(
        ".......",
        ".11111.",
        ".15551.",
        ".15951.",
        ".15551.",
        ".11111.",
        "......c");
    List<Geometry> g = squares(7, 7);
    SpatialWeights queen = WeightsBuilder.queen(g, 0);
    List<Hotspot> hs = HotspotDissolver.dissolve(g, cls, z(cls), queen, null, 90);
    List<Hotspot> hot = hs.stream().filter(h -> h.hotspotClass().isHot()).toList();
    assertThat(hot).hasSize(1);
    Hotspot h = hot.get(0);
    assertThat(h.hotspotClass()).isEqualTo(HotspotClass.HOT99);
    assertThat(h.cellCount()).isEqualTo(25);
    assertThat(h.shareAt(HotspotClass.HOT99)).isCloseTo(1 / 25.0, within(1e-12));
    assertThat(h.shareAt(HotspotClass.HOT95)).isCloseTo(8 / 25.0, within(1e-12));
    assertThat(h.shareAt(HotspotClass.HOT90)).isCloseTo(16 / 25.0, within(1e-12));
    assertThat(h.geometry().getArea()).isCloseTo(25, within(1e-9));
    // at 95 % the ring stays out: the core and its 95 % cells are the hotspot
    List<Hotspot> strict = HotspotDissolver.dissolve(g, cls, z(cls), queen, null, 95);
    assertThat(strict.stream().filter(x -> x.hotspotClass().isHot()).toList()).singleElement()
        .satisfies(x -> assertThat(x.cellCount()).isEqualTo(9));
    assertThat(hs.stream().filter(x -> x.hotspotClass().isCold()).toList()).hasSize(1);
  }

  /*
   *  9 9 9
   *  9 . 9     a U whose centroid (in the gap) lies outside it
   *  9 . 9
   */
  @Test
  void theLabelPointOfAUShapedHotspotIsInsideIt() {
    HotspotClass[] cls = classes(
        "999",
        "9.9",
        "9.9");
    List<Geometry> g = squares(3, 3);
    Hotspot h = HotspotDissolver.dissolve(g, cls, z(cls), WeightsBuilder.queen(g, 0), null, 90).get(0);
    assertThat(h.geometry().contains(GF.createPoint(new Coordinate(h.centroidLon(), h.centroidLat())))).isFalse();
    assertThat(h.geometry().contains(GF.createPoint(new Coordinate(h.labelLon(), h.labelLat())))).isTrue();
  }

  @Test
  void haloCellsAreTheHotspotsCellsWithoutEvents() {
    HotspotClass[] cls = classes(
        "111",
        "191",
        "111");
    List<Geometry> g = squares(3, 3);
    Hotspot h = HotspotDissolver.dissolve(g, cls, z(cls), WeightsBuilder.queen(g, 0),
        i -> new HotspotDissolver.UnitFacts(1, null, i == 4 || i == 5 ? Map.of("fight", 3L) : Map.of()), 90).get(0);
    assertThat(h.cellsWithEvents()).isEqualTo(2);
    assertThat(h.haloCells()).isEqualTo(7);
    assertThat(h.eventCount()).isEqualTo(6);
  }

  @Test
  void aCellWithNoEventsAndNoNeighbourEventsIsNeverHot() {
    // events everywhere but in one 3 x 3 block: its centre and its neighbourhood hold nothing
    int nx = 12;
    double[][] xy = GiStarTest.grid(nx, nx);
    double[] v = new double[nx * nx];
    java.util.Random rnd = new java.util.Random(8);
    for (int i = 0; i < v.length; i++) {
      v[i] = 1 + Sampling.poisson(rnd, 4);
    }
    int centre = 6 * nx + 6;
    SpatialWeights w = WeightsBuilder.distanceBand(xy[0], xy[1], 142);
    v[centre] = 0;
    for (int j : w.neighboursOf(centre)) {
      v[j] = 0;
    }
    GiStarResult gi = GiStar.compute(v, w, null, 999, 5);
    assertThat(gi.z(centre)).isNegative();
    assertThat(FalseDiscoveryRate.classify(gi, gi.pValues(), true)[centre].isHot()).isFalse();
    assertThat(FalseDiscoveryRate.classify(gi, gi.pSimValues(), true)[centre].isHot()).isFalse();
  }
}
