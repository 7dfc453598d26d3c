package org.safegrid.ingest.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.safegrid.ingest.SchemaMigration;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.worker.EventWriter;

/**
 * {@code ./safegrid import incidents FILE.csv [--dry-run]}: brings a city's incident history into the
 * event table as {@code incident} events, through the same writer (and so the same idempotency key and
 * integrity check) as live ingest.
 *
 * <p>Two passes over the file. The first reads every row and counts refusals; a file that is not
 * readable as CSV, or whose header is not the layout's, stops there and nothing is written. The
 * second writes the accepted rows in batches, each batch one transaction: every row is stored whole
 * or not at all, and re-running an interrupted or repeated import stores nothing twice (rows already
 * there are counted as {@code already_stored}). {@code --dry-run} runs the first pass only.
 *
 * <p>The last line of standard output is one JSON object with the counts.
 */
public final class IncidentImport {

  /** The outcome of an import. */
  public record Report(long rows, long accepted, long inserted, long alreadyStored, long outsideCity,
                       Map<String, Long> refusedByReason, Map<String, List<Long>> firstLines, double seconds,
                       boolean dryRun) {
    public long refused() {
      return refusedByReason.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Import settings beyond the rows' own. */
  public record Options(Path file, boolean dryRun, IncidentCsv.Settings settings, Path refusedFile, int batchSize) {
  }

  private static final int FIRST_LINES = 10;

  private IncidentImport() {
  }

  /**
   * Imports (or, dry, checks) the file.
   *
   * @param db a connection for the writes; unused (may be null) for a dry run
   * @throws IllegalArgumentException "line N: ..." when the file is not of the layout; nothing was written
   */
  public static Report run(Options o, Connection db) throws IOException, SQLException {
    long t0 = System.nanoTime();
    Map<String, Long> refused = new TreeMap<>();
    Map<String, List<Long>> firstLines = new TreeMap<>();
    long rows = 0;
    long accepted = 0;
    try (BufferedWriter refusedOut = o.refusedFile() == null ? null
        : Files.newBufferedWriter(o.refusedFile(), StandardCharsets.UTF_8);
         IncidentCsv csv = open(o)) {
      if (refusedOut != null) {
        refusedOut.write("line,reason,detail\n");
      }
      while (hasNext(csv, rows)) {
        IncidentCsv.Row row = next(csv, rows);
        rows++;
        if (row instanceof IncidentCsv.Refused r) {
          refused.merge(r.reason(), 1L, Long::sum);
          List<Long> lines = firstLines.computeIfAbsent(r.reason(), k -> new ArrayList<>());
          if (lines.size() < FIRST_LINES) {
            lines.add(r.line());
          }
          if (refusedOut != null) {
            refusedOut.write(r.line() + "," + r.reason() + ",\"" + r.detail().replace("\"", "\"\"") + "\"\n");
          }
        } else {
          accepted++;
        }
      }
    }
    long inserted = 0;
    long already = 0;
    if (!o.dryRun()) {
      EventWriter writer = new EventWriter();
      List<EventDecoder.Accepted> batch = new ArrayList<>(o.batchSize());
      try (IncidentCsv csv = open(o)) {
        long read = 0;
        while (hasNext(csv, read)) {
          IncidentCsv.Row row = next(csv, read);
          read++;
          if (row instanceof IncidentCsv.Parsed p) {
            batch.add(EventDecoder.accepted(p.event()));
            if (batch.size() == o.batchSize()) {
              EventWriter.Result r = writer.write(db, batch, List.of());
              inserted += r.insertedTotal();
              already += r.duplicates();
              batch.clear();
            }
          }
        }
      }
      if (!batch.isEmpty()) {
        EventWriter.Result r = writer.write(db, batch, List.of());
        inserted += r.insertedTotal();
        already += r.duplicates();
      }
    }
    long outside = refused.getOrDefault("outside_city", 0L);
    return new Report(rows, accepted, inserted, already, outside, refused, firstLines,
        (System.nanoTime() - t0) / 1e9, o.dryRun());
  }

  private static IncidentCsv open(Options o) throws IOException {
    Reader reader = Files.newBufferedReader(o.file(), StandardCharsets.UTF_8);
    try {
      return new IncidentCsv(reader, o.settings());
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  private static boolean hasNext(IncidentCsv csv, long rowsSoFar) {
    try {
      return csv.hasNext();
    } catch (IOException | RuntimeException e) {
      throw notCsv(rowsSoFar, e);
    }
  }

  private static IncidentCsv.Row next(IncidentCsv csv, long rowsSoFar) {
    try {
      return csv.next();
    } catch (IOException | RuntimeException e) {
      throw notCsv(rowsSoFar, e);
    }
  }

  private static IllegalArgumentException notCsv(long rowsSoFar, Exception e) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    return new IllegalArgumentException("after data row " + rowsSoFar + ": the file is not valid CSV: " + msg, e);
  }

  /** The report as the one JSON line the command ends with. */
  public static String json(Report r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("rows", r.rows());
    o.put("accepted", r.accepted());
    o.put("inserted", r.inserted());
    o.put("already_stored", r.alreadyStored());
    o.put("refused", r.refused());
    o.put("outside_city", r.outsideCity());
    ObjectNode reasons = o.putObject("refused_by_reason");
    r.refusedByReason().forEach((k, v) -> {
      ObjectNode n = reasons.putObject(k);
      n.put("rows", v);
      r.firstLines().getOrDefault(k, List.of()).forEach(n.putArray("first_lines")::add);
    });
    o.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
    o.put("rows_per_s", r.seconds() > 0 ? Math.round(r.rows() / r.seconds()) : 0);
    o.put("dry_run", r.dryRun());
    try {
      return m.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    // a command-line tool: warnings only from the libraries, so the counts stay readable
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("import incidents: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    Report report;
    try {
      if (o.dryRun()) {
        report = run(o, null);
      } else {
        String url = System.getenv("SAFEGRID_DB_URL");
        if (url == null || url.isBlank()) {
          System.err.println("import incidents: SAFEGRID_DB_URL is not set");
          System.exit(2);
          return;
        }
        String user = System.getenv().getOrDefault("SAFEGRID_DB_USER", "postgres");
        String password = System.getenv().getOrDefault("SAFEGRID_DB_PASSWORD", "");
        // like a standalone ingest worker: the schema is brought up to date first when the owner's
        // credentials are given
        SchemaMigration.migrateIfConfigured(url, System.getenv());
        try (Connection c = DriverManager.getConnection(url, user, password)) {
          report = run(o, c);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("import incidents: " + o.file() + ": " + e.getMessage() + " — nothing was imported");
      System.exit(1);
      return;
    }
    System.out.printf(Locale.ROOT, "%s: %d rows, %d accepted, %d %s, %d already stored, %d refused (%d outside the city)"
        + " in %.1f s%n", o.file(), report.rows(), report.accepted(), report.inserted(),
        report.dryRun() ? "would be written (dry run: nothing written)" : "stored", report.alreadyStored(),
        report.refused(), report.outsideCity(), report.seconds());
    report.refusedByReason().forEach((reason, n) -> System.out.printf(Locale.ROOT, "  refused %-26s %8d  first lines %s%n",
        reason, n, report.firstLines().get(reason)));
    System.out.flush();
    System.out.println(json(report));
  }

  static Options parse(String[] args) {
    Path file = null;
    boolean dry = false;
    String channel = "110";
    double accuracy = 100;
    Datum datum = Datum.WGS84;
    ServiceArea area = ServiceArea.HUIZHOU;
    Path refused = null;
    int batch = 10_000;
    IncidentCategories categories = IncidentCategories.standard();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--dry-run" -> dry = true;
        case "--channel" -> channel = value(args, ++i, a);
        case "--accuracy-m" -> accuracy = number(value(args, ++i, a), a);
        case "--datum" -> datum = switch (value(args, ++i, a)) {
          case "wgs84" -> Datum.WGS84;
          case "gcj02" -> Datum.GCJ02;
          default -> throw new IllegalArgumentException("--datum must be wgs84 or gcj02");
        };
        case "--area" -> {
          String[] b = value(args, ++i, a).split(",");
          if (b.length != 4) {
            throw new IllegalArgumentException("--area takes minLon,minLat,maxLon,maxLat");
          }
          area = new ServiceArea(number(b[0], a), number(b[1], a), number(b[2], a), number(b[3], a), 0);
        }
        case "--refused" -> refused = Path.of(value(args, ++i, a));
        case "--batch" -> batch = (int) number(value(args, ++i, a), a);
        case "--categories" -> {
          Path p = Path.of(value(args, ++i, a));
          try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            categories = IncidentCategories.read(r, p.toString());
          } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage());
          }
        }
        default -> {
          if (a.startsWith("--") || file != null) {
            throw new IllegalArgumentException("unknown argument " + a);
          }
          file = Path.of(a);
        }
      }
    }
    if (file == null) {
      throw new IllegalArgumentException("no file given");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(file + " is not a readable file");
    }
    if (batch < 1 || batch > 100_000) {
      throw new IllegalArgumentException("--batch must be 1 to 100000");
    }
    return new Options(file, dry, new IncidentCsv.Settings(channel, accuracy, datum, area, categories,
        Clock.systemUTC().instant()), refused, batch);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static double number(String s, String flag) {
    try {
      return Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": '" + s + "' is not a number");
    }
  }

  static String usage() {
    return """
        usage: ./safegrid import incidents FILE.csv [--dry-run] [--channel 110|12345|grid] [--accuracy-m M]
                 [--datum wgs84|gcj02] [--area minLon,minLat,maxLon,maxLat] [--refused OUT.csv]
                 [--categories MAP.csv] [--batch N]
          FILE.csv has the columns event_id,city,datetime,tz,category,subcategory,lon,lat,area.""";
  }
}
