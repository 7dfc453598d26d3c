package org.safegrid.server.locate;

import java.util.regex.Pattern;

/**
 * The point of a {@code GET /api/locate?lon=..&lat=..} request, validated: both present, plain
 * decimal numbers (no NaN, Infinity, hexadecimal or type suffixes that {@link Double#parseDouble}
 * would take), longitude within −180..180 and latitude within −90..90.
 */
record LocateRequest(double lon, double lat) {

  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d{1,3}(\\.\\d{0,15})?|\\.\\d{1,15})");

  /** Parses the two query parameters; IllegalArgumentException (400) with the reason when either is unusable. */
  static LocateRequest parse(String lon, String lat) {
    return new LocateRequest(number("lon", lon, 180), number("lat", lat, 90));
  }

  private static double number(String name, String text, double limit) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(name + " is required: give the point as lon=<longitude>&lat=<latitude> "
          + "in decimal degrees (WGS84), e.g. lon=114.4152&lat=23.1115");
    }
    String t = text.trim();
    if (!DECIMAL.matcher(t).matches()) {
      throw new IllegalArgumentException(name + " must be a decimal number of degrees (WGS84), e.g. "
          + (name.equals("lon") ? "114.4152" : "23.1115") + ", not \"" + shorten(t) + "\"");
    }
    double v = Double.parseDouble(t);
    if (v < -limit || v > limit) {
      throw new IllegalArgumentException(name + " must lie within -" + (int) limit + ".." + (int) limit
          + " degrees, not " + t + (name.equals("lon") ? "" : "; were lon and lat swapped?"));
    }
    return v;
  }

  private static String shorten(String t) {
    String s = t.length() > 40 ? t.substring(0, 40) + "…" : t;
    // echo only printable ASCII: the reason is shown to people and written to logs
    return s.replaceAll("[^\\x20-\\x7E…]", "?");
  }
}
