package org.safegrid.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsvNumberTest {

  private static String format(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  @Test
  void writesWhatStringFormatWritesAtTheRoundingAndNotationEdges() {
    double[] edges = {0.0, -0.0, 1, -1, 0.5, 1.5, 0.1, 123456.5, 999999.4, 999999.5, 999995, 1e6, 1234567.0,
        0.0001, 0.00009999995, 0.000099999949, 2.5e-5, 0.000123456789, 9.999995, 99999.95, 12.3456789,
        1e-300, 4.9e-324, Double.MAX_VALUE, 1e100, -1e-100, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY};
    for (double v : edges) {
      assertThat(CsvNumber.g6(v)).as("%s", v).isEqualTo(format(v));
    }
    assertThat(CsvNumber.g6(1234567.0)).isEqualTo("1.23457e+06");
    assertThat(CsvNumber.g6(0.5)).isEqualTo("0.500000");
  }

  @Test
  void writesWhatStringFormatWritesForRandomDoublesOfEveryMagnitude() {
    Random r = new Random(20);
    for (int i = 0; i < 200_000; i++) {
      double v = switch (i % 4) {
        case 0 -> r.nextDouble();
        case 1 -> r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
        case 2 -> Double.longBitsToDouble(r.nextLong());
        // few digits: the halfway cases of the rounding
        default -> Math.round(r.nextDouble() * 1e7) / Math.pow(10, r.nextInt(12));
      };
      assertThat(CsvNumber.g6(v)).as("%s", v).isEqualTo(format(v));
    }
  }
}
