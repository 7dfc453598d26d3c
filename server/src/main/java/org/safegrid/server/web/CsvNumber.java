package org.safegrid.server.web;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A number of a CSV export with six significant digits, written exactly as
 * {@code String.format(Locale.ROOT, "%.6g", v)} writes it (fixed point from 1e-4 to below 1e6, else
 * {@code 1.23457e+06}) at a fraction of its cost: the map's risk CSV writes 25,000 of them per answer,
 * and {@code String.format} builds a formatter and its locale's symbols for each one.
 */
public final class CsvNumber {

  private static final MathContext SIX = new MathContext(6, RoundingMode.HALF_UP);

  private CsvNumber() {
  }

  /** Appends v as {@code %.6g} would print it. */
  public static StringBuilder appendG6(StringBuilder sb, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return sb.append(String.format(Locale.ROOT, "%.6g", v));
    }
    if (v == 0) {
      return sb.append(Double.doubleToRawLongBits(v) < 0 ? "-0.00000" : "0.00000");
    }
    if (v < 0) {
      sb.append('-');
    }
    // the shortest decimal of the double, rounded half up: the digits the Formatter rounds as well
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).round(SIX);
    int exp = d.precision() - d.scale() - 1;
    if (exp >= -4 && exp < 6) {
      return sb.append(d.setScale(5 - exp, RoundingMode.UNNECESSARY).toPlainString());
    }
    sb.append(d.movePointLeft(exp).setScale(5, RoundingMode.UNNECESSARY).toPlainString())
        .append('e').append(exp < 0 ? '-' : '+');
    int a = Math.abs(exp);
    if (a < 10) {
      sb.append('0');
    }
    return sb.append(a);
  }

  /** v as {@code %.6g} would print it. */
  public static String g6(double v) {
    return appendG6(new StringBuilder(12), v).toString();
  }
}
