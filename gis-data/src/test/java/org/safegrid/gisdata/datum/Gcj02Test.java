package org.safegrid.gisdata.datum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Gcj02Test {

  private static double metres(double lon1, double lat1, double lon2, double lat2) {
    double r = 6371008.8;
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * r * Math.asin(Math.sqrt(a));
  }

  @Test
  void roundTripOnHundredPointsAcrossHuizhouStaysUnderOneMetre() {
    Random random = new Random(42);
    for (int i = 0; i < 100; i++) {
      double lon = 113.8 + random.nextDouble() * 1.7;
      double lat = 22.3 + random.nextDouble() * 2.1;
      double[] g = Gcj02.fromWgs84(lon, lat);
      double[] w = Gcj02.toWgs84(g[0], g[1]);
      assertThat(metres(lon, lat, w[0], w[1])).as("point %d (%f, %f)", i, lon, lat).isLessThan(1.0);
    }
  }

  @Test
  void offsetInsideChinaIsHundredsOfMetres() {
    // Huizhou city centre: GCJ-02 shifts by a few hundred metres, roughly north-east.
    double[] g = Gcj02.fromWgs84(114.4152, 23.1115);
    double shift = metres(114.4152, 23.1115, g[0], g[1]);
    assertThat(shift).isBetween(100.0, 700.0);
    assertThat(g[0]).isGreaterThan(114.4152);
  }

  @Test
  void knownReferencePointMatchesPublishedValue() {
    // Tiananmen, widely published pair: WGS84 (116.391349, 39.907375) -> GCJ-02 (116.397590, 39.908775) within ~1 m
    double[] g = Gcj02.fromWgs84(116.391349, 39.907375);
    assertThat(metres(g[0], g[1], 116.397590, 39.908775)).isLessThan(15.0);
  }

  @Test
  void pointsOutsideChinaAreUnchanged() {
    double[] london = Gcj02.toWgs84(-0.1276, 51.5072);
    assertThat(london).containsExactly(-0.1276, 51.5072);
  }
}
