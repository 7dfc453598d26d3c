package org.safegrid.server.backtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an incident CSV of the shared layout ({@code event_id,city,datetime,tz,category,subcategory,lon,lat,area};
 * columns found by name in the header, in any order, extra columns allowed). A malformed file is
 * refused: the exception names the line and the reason. Times are kept as local clock times
 * (a time with an offset keeps its local clock), encoded as if UTC, so days and weeks are local.
 */
final class IncidentCsv {

  static final List<String> REQUIRED = List.of("datetime", "category", "lon", "lat");

  /** One row. */
  record Row(long localMillis, double lon, double lat, String category) {}

  private IncidentCsv() {}

  static List<Row> read(Path file) throws IOException {
    List<Row> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String head = r.readLine();
      if (head == null) {
        throw new IllegalArgumentException(file.getFileName() + " line 1: empty file, expected a header with "
            + String.join(",", REQUIRED));
      }
      List<String> header = splitCsv(stripBom(head), 1);
      int[] col = new int[REQUIRED.size()];
      for (int i = 0; i < col.length; i++) {
        col[i] = header.indexOf(REQUIRED.get(i));
        if (col[i] < 0) {
          throw new IllegalArgumentException(file.getFileName() + " line 1: no column '" + REQUIRED.get(i)
              + "' in the header " + header);
        }
      }
      int lineNo = 1;
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          throw new IllegalArgumentException(file.getFileName() + " line " + lineNo + ": empty line");
        }
        List<String> f = splitCsv(line, lineNo);
        if (f.size() != header.size()) {
          throw new IllegalArgumentException(file.getFileName() + " line " + lineNo + ": " + f.size()
              + " fields, the header has " + header.size());
        }
        double lon = number(f.get(col[2]), "lon", lineNo, file);
        double lat = number(f.get(col[3]), "lat", lineNo, file);
        if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
          throw new IllegalArgumentException(file.getFileName() + " line " + lineNo + ": lon/lat " + lon + ","
              + lat + " outside [-180,180]×[-90,90]");
        }
        LocalDateTime t;
        try {
          t = parseTime(f.get(col[0]));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(file.getFileName() + " line " + lineNo + ": datetime '" + f.get(col[0])
              + "' is not ISO-8601 (yyyy-MM-ddTHH:mm[:ss][offset])");
        }
        String cat = f.get(col[1]).trim();
        if (cat.isEmpty()) {
          throw new IllegalArgumentException(file.getFileName() + " line " + lineNo + ": empty category");
        }
        out.add(new Row(t.toInstant(ZoneOffset.UTC).toEpochMilli(), lon, lat, cat));
      }
    }
    return out;
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  private static double number(String s, String name, int lineNo, Path file) {
    try {
      double v = Double.parseDouble(s.trim());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(file.getFileName() + " line " + lineNo + ": " + name + " '" + s
        + "' is not a number");
  }

  static LocalDateTime parseTime(String s) {
    String t = s.trim().replace(' ', 'T');
    try {
      return LocalDateTime.parse(t);
    } catch (DateTimeParseException e) {
      // an explicit offset: keep its local clock time, like the offset-free rows
      return OffsetDateTime.parse(t).toLocalDateTime();
    }
  }

  /** Splits one CSV line (RFC 4180 quotes; a quoted field may not span lines). */
  static List<String> splitCsv(String line, int lineNo) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean q = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (q) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            q = false;
          }
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        q = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (q) {
      throw new IllegalArgumentException("line " + lineNo + ": unterminated quote");
    }
    out.add(cur.toString());
    return out;
  }
}
