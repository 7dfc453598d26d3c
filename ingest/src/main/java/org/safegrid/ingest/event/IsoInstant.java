package org.safegrid.ingest.event;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@link Instant#toString()} without the general formatter, for the instants of years 1000 to 9999:
 * an imported row's time is written three times (reported, occurred, and in its content hash), and
 * the formatter was a tenth of the row's own cost. Same text as {@code toString}, fraction digits in
 * groups of three as needed; any other instant goes to {@code toString} itself. Thread-safe.
 */
final class IsoInstant {

  private static final long FIRST = LocalDate.of(1000, 1, 1).toEpochDay() * 86_400;
  private static final long END = LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400;

  private IsoInstant() {
  }

  static String format(Instant t) {
    long s = t.getEpochSecond();
    if (s < FIRST || s >= END) {
      return t.toString();
    }
    int nano = t.getNano();
    LocalDateTime d = LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC);
    char[] c = new char[30];
    digits(c, 0, d.getYear(), 4);
    c[4] = '-';
    digits(c, 5, d.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, d.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, d.getHour(), 2);
    c[13] = ':';
    digits(c, 14, d.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, d.getSecond(), 2);
    int n = 19;
    if (nano != 0) {
      c[n++] = '.';
      if (nano % 1_000_000 == 0) {
        digits(c, n, nano / 1_000_000, 3);
        n += 3;
      } else if (nano % 1_000 == 0) {
        digits(c, n, nano / 1_000, 6);
        n += 6;
      } else {
        digits(c, n, nano, 9);
        n += 9;
      }
    }
    c[n++] = 'Z';
    return new String(c, 0, n);
  }

  /** Writes {@code v} as exactly {@code width} decimal digits at {@code c[at]}. */
  private static void digits(char[] c, int at, int v, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  }
}
