package org.safegrid.ingest.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.flywaydb.core.Flyway;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.history.IncidentCsv;
import org.safegrid.ingest.history.IncidentImport;

/**
 * {@code ./safegrid bench import [--rows N]}: the incident history import against the physical limit,
 * in one run on one machine. It generates a file of the shared layout (two years of a city's
 * incidents, time-ordered as exports are, with a few refused rows), imports it into the given, fresh
 * database exactly as {@code ./safegrid import incidents} does, and then COPYs the same rows (same
 * columns, same attrs text) into the emptied event table with one plain binary {@code COPY}
 * ({@link RawCopy}, the ingest benchmark's peer). The last line printed is one JSON object.
 *
 * <p>Options: {@code --db-url --db-user} (the password comes from {@code SAFEGRID_DB_PASSWORD}),
 * {@code --rows} (default 1000000), {@code --writers} and {@code --batch} (default: the import's).
 * The database should be empty: the import is measured as a first import.
 */
public final class ImportBenchmark {

  private String dbUrl;
  private String dbUser = "postgres";
  private String dbPassword = "";
  private int rows = 1_000_000;
  private Integer writers;
  private Integer batch;

  private ImportBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    ImportBenchmark b = new ImportBenchmark();
    b.dbPassword = System.getenv().getOrDefault("SAFEGRID_DB_PASSWORD", "");
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--db-url" -> b.dbUrl = value(args, ++i);
          case "--db-user" -> b.dbUser = value(args, ++i);
          case "--rows" -> b.rows = Integer.parseInt(value(args, ++i));
          case "--writers" -> b.writers = Integer.parseInt(value(args, ++i));
          case "--batch" -> b.batch = Integer.parseInt(value(args, ++i));
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (b.dbUrl == null || b.rows < 1) {
        throw new IllegalArgumentException("usage: ImportBenchmark --db-url jdbc:postgresql://host:port/db [--db-user u] "
            + "[--rows N] [--writers N] [--batch N] (password: env SAFEGRID_DB_PASSWORD)");
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    b.run();
    System.exit(0);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private void run() throws Exception {
    Flyway.configure().dataSource(dbUrl, dbUser, dbPassword).load().migrate();
    Path dir = Files.createTempDirectory("safegrid-bench-import-");
    Path file = dir.resolve("incidents.csv");
    try {
      Instant now = Clock.systemUTC().instant();
      long t0 = System.nanoTime();
      long refusedRows = generate(file, rows, now, 20261202L);
      System.out.printf(Locale.ROOT, "SafeGrid import benchmark: %,d rows (%,d of them to be refused), %.0f MiB, "
              + "generated in %.1f s; %d cores%n", rows, refusedRows, Files.size(file) / 1048576.0,
          (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors());

      String[] args = importArgs(file);
      IncidentImport.Options o = IncidentImport.parse(args);
      CpuMeter meter;
      try (Connection c = connect()) {
        meter = CpuMeter.of(c);
      }
      meter.start();
      IncidentImport.Report r = IncidentImport.runParallel(o, this::connect);
      awaitBackendsGone();
      CpuMeter.Window cpu = meter.stop();
      double clientCpu = cpu.jvmCpu();
      double dbCpu = cpu.postgresCpu();
      System.out.printf(Locale.ROOT, "import: %,d rows, %,d stored, %,d refused in %.1f s = %,.0f rows/s "
              + "(CPU: import %.1f s, PostgreSQL %.1f s)%n", r.rows(), r.inserted(), r.refused(), r.seconds(),
          r.rows() / r.seconds(), clientCpu, dbCpu);
      if (r.inserted() + r.alreadyStored() != r.accepted() || r.inserted() != count("SELECT count(*) FROM event")) {
        throw new IllegalStateException("the import stored " + r.inserted() + " of " + r.accepted() + " accepted rows, "
            + "the event table holds " + count("SELECT count(*) FROM event"));
      }

      // the peer: the same accepted rows, same columns and attrs text, into the same (now empty) partitions
      try (Connection c = connect(); Statement st = c.createStatement()) {
        st.execute("TRUNCATE event");
        st.execute("VACUUM ANALYZE event");
      }
      double copyRowsPerS;
      try (Connection c = connect(); Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
           IncidentCsv csv = new IncidentCsv(in, o.settings())) {
        copyRowsPerS = RawCopy.binary(c, acceptedEvents(csv), e -> EventDecoder.accepted(e).attrsJson());
      }
      long copied = count("SELECT count(*) FROM event");
      // the peer stores every accepted row, the import each key once (the file repeats none)
      double importRowsPerS = r.rows() / r.seconds();
      String load = ProcStat.loadAverage();
      System.out.printf(Locale.ROOT, "raw binary COPY of the %,d accepted rows: %,.0f rows/s; the import runs at "
          + "%.2f of it; load average %s%n", copied, copyRowsPerS, importRowsPerS / copyRowsPerS, load);
      System.out.printf(Locale.ROOT, "{\"import_rows\":%d,\"import_seconds\":%.2f,\"import_rows_per_s\":%.0f,"
              + "\"copy_rows_per_s\":%.0f,\"ratio_copy\":%.3f,\"load_average\":\"%s\",\"stored\":%d,\"refused\":%d,"
              + "\"writers\":%d,\"batch\":%d,\"import_cpu_s\":%.1f,\"postgres_cpu_s\":%.1f}%n",
          r.rows(), r.seconds(), importRowsPerS, copyRowsPerS, importRowsPerS / copyRowsPerS, load, r.inserted(),
          r.refused(), o.writers(), o.batchSize(), clientCpu, dbCpu);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private String[] importArgs(Path file) {
    List<String> a = new ArrayList<>(List.of(file.toString()));
    if (writers != null) {
      a.add("--writers");
      a.add(writers.toString());
    }
    if (batch != null) {
      a.add("--batch");
      a.add(batch.toString());
    }
    return a.toArray(String[]::new);
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(dbUrl, dbUser, dbPassword);
  }

  private long count(String sql) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Waits (at most 5 s) until the import's backends have ended and the postmaster has had a moment
   * to reap them: an ended backend's CPU time counts in the postmaster's only once it is reaped.
   */
  private void awaitBackendsGone() throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline && count("SELECT count(*) FROM pg_stat_activity WHERE datname = "
        + "current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()") > 0) {
      Thread.sleep(20);
    }
    Thread.sleep(200);
  }


  /** The events of the file's accepted rows, read one at a time. */
  private static Iterator<Event> acceptedEvents(IncidentCsv csv) {
    return new Iterator<>() {
      private Event next;

      @Override
      public boolean hasNext() {
        try {
          while (next == null && csv.hasNext()) {
            if (csv.next() instanceof IncidentCsv.Parsed p) {
              next = p.event();
            }
          }
          return next != null;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public Event next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Event e = next;
        next = null;
        return e;
      }
    };
  }

  private static final String[][] CATEGORIES = {
      {"盗窃", "入室盗窃"}, {"盗窃", "扒窃"}, {"盗窃", "盗窃电动车"}, {"诈骗", "电信诈骗"}, {"殴打他人", ""},
      {"故意伤害", ""}, {"抢劫", "持刀抢劫"}, {"赌博", ""}, {"噪音扰民", "夜间施工"}, {"交通事故", "财产损失"},
      {"邻里纠纷", ""}, {"家庭暴力", ""}, {"求助", "走失"}, {"theft", "from vehicle"}, {"assault", "simple"}};
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

  /**
   * Writes a file of the shared layout: {@code rows} rows over the two years before {@code now},
   * time-ordered, local times in {@code Asia/Shanghai} (every tenth with an offset instead), positions
   * inside Huizhou's service area, some subcategories quoted with a comma; one row in 1,000 lies
   * outside the city and one in 2,000 has no valid date-time.
   *
   * @return the rows the import is to refuse
   */
  public static long generate(Path file, int rows, Instant now, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    ZoneId shanghai = ZoneId.of("Asia/Shanghai");
    LocalDateTime start = LocalDate.ofInstant(now, ZoneOffset.UTC).minusYears(2).atStartOfDay();
    long spanSeconds = ChronoUnit.SECONDS.between(start, LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(3)
        .atStartOfDay());
    long refused = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(String.join(",", IncidentCsv.COLUMNS));
      w.write('\n');
      StringBuilder sb = new StringBuilder(160);
      for (int i = 0; i < rows; i++) {
        sb.setLength(0);
        LocalDateTime at = start.plusSeconds(spanSeconds * i / rows + rnd.nextInt(60));
        String[] cat = CATEGORIES[rnd.nextInt(CATEGORIES.length)];
        double lon = 113.9 + rnd.nextDouble() * 1.5;
        double lat = 22.4 + rnd.nextDouble() * 1.9;
        if (i % 1000 == 999) {
          lon += 5;
          refused++;
        }
        sb.append("HZ110-").append(at.toLocalDate()).append('-').append(i).append(",惠州市,");
        if (i % 2000 == 1777) {
          sb.append("unknown");
          refused++;
        } else if (i % 10 == 3) {
          sb.append(at.atZone(shanghai).toOffsetDateTime());
        } else {
          sb.append(LOCAL.format(at));
        }
        sb.append(",Asia/Shanghai,").append(cat[0]).append(',');
        if (i % 7 == 0 && !cat[1].isEmpty()) {
          sb.append('"').append(cat[1]).append(", 夜间\"");
        } else {
          sb.append(cat[1]);
        }
        sb.append(',').append(String.format(Locale.ROOT, "%.6f,%.6f", lon, lat)).append(",4413")
            .append(String.format(Locale.ROOT, "%02d", 1 + rnd.nextInt(24))).append('\n');
        w.append(sb);
      }
    }
    return refused;
  }
}
