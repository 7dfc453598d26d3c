package org.safegrid.server.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.safegrid.server.hotspot.LocalMetricProjection;

/**
 * Backtest of hotspot forecasts on a CSV of past incidents: SafeGrid's forecast
 * ({@link HotspotForecast}) against a naive baseline (cells ranked by training-period counts),
 * both measured in the same run by hit rate, PAI and PEI* at 1, 5 and 10 % of the study area.
 *
 * <p>Usage: {@code Backtest --events FILE.csv --cell-size 250 --train 2018-01-01/2018-12-31
 * --test 2019-01-01/2019-01-31 [--lon-col lon] [--lat-col lat] [--time-col datetime]
 * [--half-life-days 180] [--bandwidth METRES] [--alpha 0.5]}. Dates are inclusive local days;
 * times without an offset are taken as local time. The study area is the set of square cells
 * (in a local metric projection) that intersect the convex hull of the training events; test
 * events outside it are not counted. Prints a JSON object on the last line.
 */
public final class Backtest {

  private Backtest() {}

  /** Options of a run. */
  public record Options(Path events, double cellSizeMeters, LocalDate trainFrom, LocalDate trainTo, LocalDate testFrom,
                        LocalDate testTo, String lonCol, String latCol, String timeCol, HotspotForecast forecast) {}

  public static void main(String[] args) throws IOException {
    Options o = parse(args);
    Map<String, Object> result = run(o);
    ObjectMapper json = new ObjectMapper();
    System.out.println(json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
    System.out.println(new ObjectMapper().writeValueAsString(result));
  }

  static Options parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: --events FILE.csv --cell-size 250 --train FROM/TO --test FROM/TO "
            + "[--lon-col lon --lat-col lat --time-col datetime --half-life-days D --bandwidth M --alpha A]");
      }
      a.put(args[i].substring(2), args[++i]);
    }
    if (!a.containsKey("events") || !a.containsKey("train") || !a.containsKey("test")) {
      throw new IllegalArgumentException("--events, --train and --test are required");
    }
    double cell = Double.parseDouble(a.getOrDefault("cell-size", "250"));
    HotspotForecast d = HotspotForecast.defaults(cell);
    HotspotForecast f = new HotspotForecast(
        Double.parseDouble(a.getOrDefault("half-life-days", String.valueOf(d.halfLifeDays()))),
        Double.parseDouble(a.getOrDefault("bandwidth", String.valueOf(d.bandwidthMeters()))),
        Double.parseDouble(a.getOrDefault("alpha", String.valueOf(d.alpha()))));
    String[] train = a.get("train").split("/");
    String[] test = a.get("test").split("/");
    return new Options(Path.of(a.get("events")), cell, LocalDate.parse(train[0]), LocalDate.parse(train[1]),
        LocalDate.parse(test[0]), LocalDate.parse(test[1]), a.getOrDefault("lon-col", "lon"),
        a.getOrDefault("lat-col", "lat"), a.getOrDefault("time-col", "datetime"), f);
  }

  /** Runs the backtest and returns the report. */
  public static Map<String, Object> run(Options o) throws IOException {
    List<double[]> train = new ArrayList<>(); // lon, lat, ageDays
    List<double[]> test = new ArrayList<>();
    LocalDateTime trainStart = o.trainFrom().atStartOfDay();
    LocalDateTime trainEnd = o.trainTo().plusDays(1).atStartOfDay();
    LocalDateTime testStart = o.testFrom().atStartOfDay();
    LocalDateTime testEnd = o.testTo().plusDays(1).atStartOfDay();
    long skipped = 0;
    try (BufferedReader r = Files.newBufferedReader(o.events(), StandardCharsets.UTF_8)) {
      List<String> header = splitCsv(r.readLine());
      int iLon = column(header, o.lonCol());
      int iLat = column(header, o.latCol());
      int iTime = column(header, o.timeCol());
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        List<String> f = splitCsv(line);
        if (f.size() <= Math.max(iLon, Math.max(iLat, iTime))) {
          skipped++;
          continue;
        }
        double lon;
        double lat;
        LocalDateTime t;
        try {
          lon = Double.parseDouble(f.get(iLon));
          lat = Double.parseDouble(f.get(iLat));
          t = parseTime(f.get(iTime));
        } catch (NumberFormatException | DateTimeParseException e) {
          skipped++;
          continue;
        }
        if (!t.isBefore(trainStart) && t.isBefore(trainEnd)) {
          train.add(new double[] {lon, lat, ChronoUnit.SECONDS.between(t, trainEnd) / 86400.0});
        } else if (!t.isBefore(testStart) && t.isBefore(testEnd)) {
          test.add(new double[] {lon, lat});
        }
      }
    }
    if (train.size() < 10) {
      throw new IllegalArgumentException("only " + train.size() + " events in the training period");
    }
    double[] lats = train.stream().mapToDouble(v -> v[1]).toArray();
    LocalMetricProjection proj = LocalMetricProjection.around(lats);
    GeometryFactory gf = new GeometryFactory();
    Coordinate[] pts = train.stream().map(v -> new Coordinate(proj.x(v[0]), proj.y(v[1]))).toArray(Coordinate[]::new);
    Geometry hull = gf.createMultiPointFromCoords(pts).convexHull();
    PreparedGeometry hullP = PreparedGeometryFactory.prepare(hull);
    Envelope env = hull.getEnvelopeInternal();
    double s = o.cellSizeMeters();
    int nx = (int) Math.ceil(env.getWidth() / s) + 1;
    int ny = (int) Math.ceil(env.getHeight() / s) + 1;
    // study cells: the grid cells intersecting the hull; index of each grid position or -1
    int[] study = new int[nx * ny];
    List<double[]> centres = new ArrayList<>();
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        double x0 = env.getMinX() + i * s;
        double y0 = env.getMinY() + j * s;
        Geometry cell = gf.toGeometry(new Envelope(x0, x0 + s, y0, y0 + s));
        if (hullP.intersects(cell)) {
          study[j * nx + i] = centres.size();
          centres.add(new double[] {x0 + s / 2, y0 + s / 2});
        } else {
          study[j * nx + i] = -1;
        }
      }
    }
    int n = centres.size();
    double[] cx = centres.stream().mapToDouble(c -> c[0]).toArray();
    double[] cy = centres.stream().mapToDouble(c -> c[1]).toArray();
    double[] area = new double[n];
    java.util.Arrays.fill(area, s * s);
    int m = train.size();
    int[] cellOf = new int[m];
    double[] ex = new double[m];
    double[] ey = new double[m];
    double[] age = new double[m];
    double[] naive = new double[n];
    for (int e = 0; e < m; e++) {
      double[] v = train.get(e);
      ex[e] = proj.x(v[0]);
      ey[e] = proj.y(v[1]);
      age[e] = v[2];
      cellOf[e] = locate(ex[e], ey[e], env, s, nx, ny, study);
      if (cellOf[e] >= 0) {
        naive[cellOf[e]]++;
      }
    }
    long[] testCounts = new long[n];
    long testOutside = 0;
    for (double[] v : test) {
      int c = locate(proj.x(v[0]), proj.y(v[1]), env, s, nx, ny, study);
      if (c >= 0) {
        testCounts[c]++;
      } else {
        testOutside++;
      }
    }
    long t0 = System.nanoTime();
    double[] forecast = o.forecast().score(cx, cy, area, cellOf, ex, ey, age);
    long forecastMs = (System.nanoTime() - t0) / 1_000_000;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("events", o.events().getFileName().toString());
    out.put("cellSizeMeters", s);
    out.put("studyArea", "cells intersecting the convex hull of the training events");
    out.put("studyCells", n);
    out.put("studyAreaKm2", n * s * s / 1e6);
    out.put("train", o.trainFrom() + "/" + o.trainTo());
    out.put("test", o.testFrom() + "/" + o.testTo());
    out.put("trainEvents", m);
    out.put("testEvents", test.size() - testOutside);
    out.put("testEventsOutsideStudyArea", testOutside);
    out.put("skippedRows", skipped);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("halfLifeDays", o.forecast().halfLifeDays());
    model.put("kernel", "quartic");
    model.put("bandwidthMeters", o.forecast().bandwidthMeters());
    model.put("alpha", o.forecast().alpha());
    model.put("forecastMs", forecastMs);
    out.put("safegridModel", model);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (double cov : new double[] {0.01, 0.05, 0.10}) {
      PredictiveAccuracy sg = PredictiveAccuracy.measure(forecast, testCounts, cov);
      PredictiveAccuracy nv = PredictiveAccuracy.measure(naive, testCounts, cov);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("coverage", cov);
      row.put("cells", sg.cells());
      row.put("safegrid", measures(sg));
      row.put("naive", measures(nv));
      rows.add(row);
    }
    out.put("results", rows);
    return out;
  }

  private static Map<String, Object> measures(PredictiveAccuracy p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hits", p.hits());
    m.put("hitRate", round(p.hitRate()));
    m.put("pai", round(p.pai()));
    m.put("peiStar", round(p.peiStar()));
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static int locate(double x, double y, Envelope env, double s, int nx, int ny, int[] study) {
    int i = (int) Math.floor((x - env.getMinX()) / s);
    int j = (int) Math.floor((y - env.getMinY()) / s);
    if (i < 0 || j < 0 || i >= nx || j >= ny) {
      return -1;
    }
    return study[j * nx + i];
  }

  static LocalDateTime parseTime(String s) {
    String t = s.trim();
    try {
      return LocalDateTime.parse(t.replace(' ', 'T'));
    } catch (DateTimeParseException e) {
      // an explicit offset: keep its local clock time, like the offset-free rows
      return OffsetDateTime.parse(t.replace(' ', 'T')).toLocalDateTime();
    }
  }

  private static int column(List<String> header, String name) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no column '" + name + "' in the header " + header);
    }
    return i;
  }

  /** Splits one CSV line (RFC 4180 quotes). */
  static List<String> splitCsv(String line) {
    List<String> out = new ArrayList<>();
    if (line == null) {
      return out;
    }
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
    out.add(cur.toString());
    return out;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
