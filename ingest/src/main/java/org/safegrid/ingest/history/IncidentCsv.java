package org.safegrid.ingest.history;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Reader;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.gisdata.datum.Gcj02;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.IncidentAttrs;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.event.Source;

/**
 * Reads an incident history file of the shared CSV layout
 * ({@code event_id,city,datetime,tz,category,subcategory,lon,lat,area}) one row at a time and turns
 * each row into an incident event, or says on which line and why it cannot be one.
 *
 * <p>{@code datetime} is an ISO-8601 date-time, with an offset or local to {@code tz} (an IANA zone
 * such as {@code Asia/Shanghai}, optionally followed by a remark in parentheses, or an offset such as
 * {@code +08:00}); a space may stand for the {@code T}. Coordinates are WGS84 unless the import says
 * GCJ-02. Quoted fields, a UTF-8 byte-order mark and CRLF line ends are read as CSV allows. Not
 * thread-safe: one reader per file.
 */
public final class IncidentCsv implements AutoCloseable {

  /** The columns of the layout, in order. */
  public static final List<String> COLUMNS = List.of("event_id", "city", "datetime", "tz", "category", "subcategory",
      "lon", "lat", "area");

  /** One row's outcome. */
  public sealed interface Row permits Parsed, Refused {
    /** The line of the file the row ends on (1 = the header). */
    long line();
  }

  /**
   * A row that is a valid incident.
   *
   * @param zone the row's own time zone ({@code tz}, or the offset its {@code datetime} carries), in
   *             which its local clock time is read back (the backtest counts local days and weeks)
   */
  public record Parsed(long line, Event event, ZoneId zone) implements Row {
  }

  /**
   * A row that cannot be imported.
   *
   * @param reason stable reason code: {@code malformed_row}, {@code missing_id}, {@code id_too_long},
   *               {@code bad_datetime}, {@code unknown_time_zone}, {@code coordinates_out_of_range},
   *               {@code timestamp_in_future}, {@code outside_city}
   */
  public record Refused(long line, String reason, String detail) implements Row {
  }

  /**
   * How rows become events.
   *
   * @param channel        the channel the history came from ({@code 110}, {@code 12345}, {@code grid})
   * @param accuracyMeters the stated accuracy of the file's positions
   * @param datum          datum of the file's coordinates
   * @param area           the service area; rows outside it are refused as {@code outside_city}
   * @param categories     category table
   * @param now            rows after now (plus five minutes of skew) are refused
   */
  public record Settings(String channel, double accuracyMeters, Datum datum, ServiceArea area,
                         IncidentCategories categories, Instant now) {
    public Settings {
      if (!List.of("110", "12345", "grid").contains(channel)) {
        throw new IllegalArgumentException("channel must be 110, 12345 or grid, got " + channel);
      }
      if (!(accuracyMeters >= 0 && accuracyMeters <= 100_000)) {
        throw new IllegalArgumentException("accuracy must be 0 to 100000 m, got " + accuracyMeters);
      }
    }
  }

  private final MappingIterator<String[]> rows;
  private final Settings settings;
  private final Map<String, ZoneId> zones = new HashMap<>();
  private final Map<String, IncidentCategories.Mapping> kinds = new HashMap<>();

  /**
   * Opens the file and checks its header.
   *
   * @throws IllegalArgumentException "line 1: ..." when the header is not the layout's
   */
  public IncidentCsv(Reader reader, Settings settings) throws IOException {
    this.settings = settings;
    CsvMapper mapper = new CsvMapper();
    mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
    mapper.enable(CsvParser.Feature.SKIP_EMPTY_LINES);
    this.rows = mapper.readerFor(String[].class).readValues(reader);
    if (!rows.hasNextValue()) {
      throw new IllegalArgumentException("line 1: the file is empty; expected the header " + String.join(",", COLUMNS));
    }
    String[] header = rows.nextValue();
    for (int i = 0; i < header.length; i++) {
      header[i] = header[i].replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT);
    }
    if (!List.of(header).equals(COLUMNS)) {
      throw new IllegalArgumentException("line 1: the header must be " + String.join(",", COLUMNS) + "; got "
          + String.join(",", header));
    }
  }

  /** True while rows remain. */
  public boolean hasNext() throws IOException {
    return rows.hasNextValue();
  }

  /** The next row's outcome. */
  public Row next() throws IOException {
    if (!rows.hasNextValue()) {
      throw new NoSuchElementException();
    }
    String[] f = rows.nextValue();
    long line = rows.getParser().currentTokenLocation().getLineNr();
    return parse(line, f);
  }

  /**
   * Reads the next row as CSV and drops it, without turning it into an event: the cheap check that a
   * whole file is readable before anything of it is written.
   */
  public void skip() throws IOException {
    if (!rows.hasNextValue()) {
      throw new NoSuchElementException();
    }
    rows.nextValue();
  }

  Row parse(long line, String[] f) {
    if (f.length != COLUMNS.size()) {
      return new Refused(line, "malformed_row", f.length + " fields, expected " + COLUMNS.size());
    }
    String id = f[0].strip();
    if (id.isEmpty()) {
      return new Refused(line, "missing_id", "event_id is empty");
    }
    if (id.codePointCount(0, id.length()) > 128) {
      return new Refused(line, "id_too_long", "event_id is longer than 128 characters");
    }
    Instant at;
    ZoneId rowZone;
    try {
      String t = iso(f[2].strip());
      if (hasOffset(t)) {
        OffsetDateTime odt = OffsetDateTime.parse(t);
        at = odt.toInstant();
        rowZone = odt.getOffset();
      } else {
        rowZone = zone(f[3].strip());
        at = localDateTime(t).atZone(rowZone).toInstant();
      }
    } catch (UnknownZone e) {
      return new Refused(line, "unknown_time_zone", e.getMessage());
    } catch (DateTimeException e) {
      return new Refused(line, "bad_datetime", "datetime '" + f[2] + "' is not an ISO-8601 date-time");
    }
    if (at.isAfter(settings.now().plusSeconds(300))) {
      return new Refused(line, "timestamp_in_future", "datetime " + at + " is after now");
    }
    double lon;
    double lat;
    try {
      lon = Double.parseDouble(f[6].strip());
      lat = Double.parseDouble(f[7].strip());
    } catch (NumberFormatException e) {
      return new Refused(line, "coordinates_out_of_range", "lon '" + f[6] + "', lat '" + f[7] + "' are not numbers");
    }
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
      return new Refused(line, "coordinates_out_of_range", "lon " + lon + ", lat " + lat);
    }
    if (settings.datum() == Datum.GCJ02) {
      double[] w = Gcj02.toWgs84(lon, lat);
      lon = w[0];
      lat = w[1];
    }
    if (!settings.area().contains(lon, lat)) {
      return new Refused(line, "outside_city", String.format(Locale.ROOT, "(%.5f, %.5f) is outside the service area",
          lon, lat));
    }
    String category = f[4].strip();
    String subcategory = f[5].strip();
    IncidentCategories.Mapping kind = kinds.computeIfAbsent(category + '\u0000' + subcategory,
        k -> settings.categories().map(category, subcategory));
    Map<String, Object> extra = new LinkedHashMap<>();
    putIfPresent(extra, "city", f[1]);
    putIfPresent(extra, "subcategory", f[5]);
    putIfPresent(extra, "area", f[8]);
    extra.put("imported", true);
    String original = category.isEmpty() ? null : truncate(category, 200);
    IncidentAttrs attrs = new IncidentAttrs(settings.channel(), at, at, null, original, "geocoded_address",
        settings.accuracyMeters(), extra);
    String city = f[1].strip();
    String sourceId = truncate("history:" + (city.isEmpty() ? "import" : city), 128);
    return new Parsed(line, new Event(id, Source.INCIDENT, sourceId, kind.kind(), kind.severity(), at, lon, lat,
        Datum.WGS84, attrs.toMap()), rowZone);
  }

  private static String iso(String datetime) {
    return datetime.length() > 10 && datetime.charAt(10) == ' '
        ? datetime.substring(0, 10) + 'T' + datetime.substring(11) : datetime;
  }

  /**
   * {@link LocalDateTime#parse} of an ISO local date-time, with a fast path for the form nearly every
   * export uses ({@code yyyy-MM-ddTHH:mm:ss}): the general parser was the largest cost of a row. The
   * fast path accepts only what the general one accepts, and refuses the same dates ({@link
   * LocalDateTime#of} checks the day of the month and the ranges as the strict ISO parser does).
   */
  static LocalDateTime localDateTime(String t) {
    if (t.length() == 19 && t.charAt(4) == '-' && t.charAt(7) == '-' && t.charAt(10) == 'T' && t.charAt(13) == ':'
        && t.charAt(16) == ':') {
      int year = digits(t, 0, 4);
      int month = digits(t, 5, 7);
      int day = digits(t, 8, 10);
      int hour = digits(t, 11, 13);
      int minute = digits(t, 14, 16);
      int second = digits(t, 17, 19);
      if ((year | month | day | hour | minute | second) >= 0) {
        return LocalDateTime.of(year, month, day, hour, minute, second);
      }
    }
    return LocalDateTime.parse(t);
  }

  /** The ASCII digits of {@code s[from, to)} as a number, or -1 when one is not a digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** True when the date-time ends in Z or a ±hh:mm offset (the time part holds no other sign). */
  private static boolean hasOffset(String t) {
    int time = t.indexOf('T');
    if (time < 0) {
      return false;
    }
    if (t.endsWith("Z") || t.endsWith("z")) {
      return true;
    }
    return t.indexOf('+', time) >= 0 || t.indexOf('-', time) >= 0;
  }

  private ZoneId zone(String tz) {
    ZoneId z = zones.get(tz);
    if (z == null) {
      String name = tz;
      int paren = name.indexOf('(');
      if (paren >= 0) {
        name = name.substring(0, paren).strip();
      }
      if (name.isEmpty()) {
        throw new UnknownZone("tz is empty and datetime has no offset");
      }
      try {
        z = ZoneId.of(name);
      } catch (DateTimeException e) {
        throw new UnknownZone("tz '" + tz + "' is not a time zone (an IANA name such as Asia/Shanghai, or +08:00)");
      }
      zones.put(tz, z);
    }
    return z;
  }

  private static void putIfPresent(Map<String, Object> m, String key, String value) {
    String v = value.strip();
    if (!v.isEmpty()) {
      m.put(key, truncate(v, 200));
    }
  }

  private static String truncate(String s, int max) {
    return s.codePointCount(0, s.length()) <= max ? s : s.substring(0, s.offsetByCodePoints(0, max));
  }

  @Override
  public void close() throws IOException {
    rows.close();
  }

  private static final class UnknownZone extends DateTimeException {
    UnknownZone(String message) {
      super(message);
    }
  }
}
