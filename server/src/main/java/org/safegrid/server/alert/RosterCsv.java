package org.safegrid.server.alert;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the officer roster CSV: a header {@code level,area_code,officer,contact} then one row per
 * area; level is grid (area = grid cell code), town (town code) or district (district code: the
 * duty desk). Fields may be double-quoted. Errors name the line.
 */
final class RosterCsv {

  static final int MAX_ROWS = 100_000;

  private RosterCsv() {
  }

  static List<String[]> parse(String csv) {
    if (csv == null || csv.isBlank()) {
      throw new IllegalArgumentException("roster CSV is empty; expected header level,area_code,officer,contact");
    }
    String[] lines = csv.replace("\uFEFF", "").split("\r?\n");
    List<String> header = fields(lines[0]);
    if (header.size() < 3 || !header.get(0).equalsIgnoreCase("level") || !header.get(1).equalsIgnoreCase("area_code")
        || !header.get(2).equalsIgnoreCase("officer")) {
      throw new IllegalArgumentException("roster CSV header must be level,area_code,officer[,contact]");
    }
    List<String[]> rows = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      List<String> f = fields(lines[i]);
      int line = i + 1;
      if (f.size() < 3) {
        throw new IllegalArgumentException("roster line " + line + ": expected level,area_code,officer[,contact]");
      }
      String level = f.get(0).toLowerCase(java.util.Locale.ROOT);
      if (!Set.of("grid", "town", "district").contains(level)) {
        throw new IllegalArgumentException("roster line " + line + ": level '" + f.get(0) + "' is not grid, town or district");
      }
      if (f.get(1).isEmpty() || f.get(2).isEmpty()) {
        throw new IllegalArgumentException("roster line " + line + ": area_code and officer are required");
      }
      if (!seen.add(level + "|" + f.get(1))) {
        throw new IllegalArgumentException("roster line " + line + ": " + level + " " + f.get(1) + " is listed twice");
      }
      rows.add(new String[] {level, f.get(1), f.get(2), f.size() > 3 && !f.get(3).isEmpty() ? f.get(3) : null});
      if (rows.size() > MAX_ROWS) {
        throw new IllegalArgumentException("roster has more than " + MAX_ROWS + " rows");
      }
    }
    return rows;
  }

  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString().trim());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString().trim());
    return out;
  }
}
