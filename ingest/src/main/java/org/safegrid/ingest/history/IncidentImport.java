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
import org.safegrid.ingest.event.ServiceArea;

/**
 * {@code ./safegrid import incidents FILE.csv [--dry-run]}: brings a city's incident history into the
 * event table as {@code incident} events, through the same writer (and so the same idempotency key and
 * integrity check) as live ingest.
 *
 * <p>Two passes over the file. The first only checks that the whole file reads as CSV under the
 * layout's header (no row is turned into an event); a file that does not stops there and nothing is
 * written. The second parses each row once, counts the refusals, and hands the accepted rows to
 * {@link Options#writers()} writers, each on its own connection and thread, in batches of
 * {@link Options#batchSize()}, each batch one transaction: every row is stored whole or not at all.
 * A row goes to the writer its key hashes to, so the writers' keys are disjoint (no two transactions
 * wait on each other's keys) and the repeats of a key meet in one writer in file order, where the first
 * occurrence is the one stored. Re-running an interrupted or repeated import stores nothing twice
 * (rows already there are counted as {@code already_stored}). Memory is bounded: at most three batches
 * per writer (one filling, one queued, one being written) are held at once. {@code --dry-run} parses
 * and counts in one pass and writes nothing.
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

  /**
   * Import settings beyond the rows' own.
   *
   * @param batchSize rows per transaction
   * @param writers   connections written on in parallel (with {@link #run(Options, Connection)}: one)
   */
  public record Options(Path file, boolean dryRun, IncidentCsv.Settings settings, Path refusedFile, int batchSize,
                        int writers) {
    /** One writer. */
    public Options(Path file, boolean dryRun, IncidentCsv.Settings settings, Path refusedFile, int batchSize) {
      this(file, dryRun, settings, refusedFile, batchSize, 1);
    }

    public Options {
      if (writers < 1 || writers > MAX_WRITERS) {
        throw new IllegalArgumentException("writers must be 1 to " + MAX_WRITERS + ", got " + writers);
      }
    }
  }

  /** Opens a connection for one writer; the import closes it. */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  private static final int FIRST_LINES = 10;
  // small enough that the batches in flight (three per writer) are a few tens of MB: at 10,000 rows
  // 230-390 MB of queued batches survived each young collection and the pauses stopped the import for
  // a quarter of its time (2,500: about 7 %)
  static final int DEFAULT_BATCH = 2_500;
  static final int DEFAULT_WRITERS = 3;
  private static final int MAX_WRITERS = 16;

  private IncidentImport() {
  }

  /**
   * Imports (or, dry, checks) the file, writing on the one connection given.
   *
   * @param db a connection for the writes; unused (may be null) for a dry run
   * @throws IllegalArgumentException "after data row N: ..." or "line 1: ..." when the file is not of
   *                                  the layout; nothing was written
   * @throws SQLException             when a batch could not be written; the batches before it (of every
   *                                  writer) are stored, and running the import again stores the rest
   */
  public static Report run(Options o, Connection db) throws IOException, SQLException {
    if (o.writers() != 1 && !o.dryRun()) {
      throw new IllegalArgumentException("one connection given for " + o.writers() + " writers");
    }
    return runOn(o, o.dryRun() ? List.of() : List.of(db));
  }

  /**
   * Imports (or, dry, checks) the file, each of the {@link Options#writers()} writers on a connection
   * of its own opened here (and closed before this returns); a dry run opens none.
   *
   * @throws IllegalArgumentException as {@link #run(Options, Connection)}
   * @throws SQLException             as {@link #run(Options, Connection)}
   */
  public static Report runParallel(Options o, Connections db) throws IOException, SQLException {
    if (o.dryRun()) {
      return runOn(o, List.of());
    }
    List<Connection> opened = new ArrayList<>();
    try {
      // the whole file is checked before a connection is even opened: a broken file costs the database nothing
      long t0 = System.nanoTime();
      checkStructure(o);
      for (int i = 0; i < o.writers(); i++) {
        opened.add(db.open());
      }
      return write(o, opened, t0);
    } finally {
      for (Connection c : opened) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // closing after the work is done or failed: nothing left to lose
        }
      }
    }
  }

  private static Report runOn(Options o, List<Connection> connections) throws IOException, SQLException {
    long t0 = System.nanoTime();
    if (!o.dryRun()) {
      checkStructure(o);
    }
    return write(o, connections, t0);
  }

  /** The first pass: the whole file reads as CSV under the layout's header; no row becomes an event. */
  private static void checkStructure(Options o) throws IOException {
    try (IncidentCsv csv = open(o)) {
      long rows = 0;
      while (hasNext(csv, rows)) {
        try {
          csv.skip();
        } catch (IOException | RuntimeException e) {
          throw notCsv(rows, e);
        }
        rows++;
      }
    }
  }

  /** The second pass (the only one of a dry run): parse, count, and hand the accepted rows to the writers. */
  private static Report write(Options o, List<Connection> connections, long t0) throws IOException, SQLException {
    Map<String, Long> refused = new TreeMap<>();
    Map<String, List<Long>> firstLines = new TreeMap<>();
    long rows = 0;
    long accepted = 0;
    ImportWriters writers = connections.isEmpty() ? null : new ImportWriters(connections, o.batchSize());
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
        } else if (row instanceof IncidentCsv.Parsed p) {
          accepted++;
          if (writers != null) {
            writers.add(p.event());
          }
        }
      }
      if (writers != null) {
        writers.finish();
      }
    } finally {
      if (writers != null) {
        writers.stop();
      }
    }
    long outside = refused.getOrDefault("outside_city", 0L);
    return new Report(rows, accepted, writers == null ? 0 : writers.inserted(),
        writers == null ? 0 : writers.alreadyStored(), outside, refused, firstLines,
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
        report = runOn(o, List.of());
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
        report = runParallel(o, () -> DriverManager.getConnection(url, user, password));
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

  /**
   * The options of the command line.
   *
   * @throws IllegalArgumentException naming the argument that is wrong
   */
  public static Options parse(String[] args) {
    Path file = null;
    boolean dry = false;
    String channel = "110";
    double accuracy = 100;
    Datum datum = Datum.WGS84;
    ServiceArea area = ServiceArea.HUIZHOU;
    Path refused = null;
    int batch = DEFAULT_BATCH;
    int writers = DEFAULT_WRITERS;
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
        case "--writers" -> writers = (int) number(value(args, ++i, a), a);
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
    if (writers < 1 || writers > MAX_WRITERS) {
      throw new IllegalArgumentException("--writers must be 1 to " + MAX_WRITERS);
    }
    return new Options(file, dry, new IncidentCsv.Settings(channel, accuracy, datum, area, categories,
        Clock.systemUTC().instant()), refused, batch, writers);
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
                 [--categories MAP.csv] [--batch N] [--writers N]
          FILE.csv has the columns event_id,city,datetime,tz,category,subcategory,lon,lat,area.""";
  }
}
