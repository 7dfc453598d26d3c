package org.safegrid.server.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.safegrid.server.hotspot.LocalMetricProjection;
import org.safegrid.server.stats.forecast.EventPoint;
import org.safegrid.server.stats.forecast.GaussianSmoothing;
import org.safegrid.server.stats.forecast.NegativeBinomial;
import org.safegrid.server.stats.forecast.Poisson;
import org.safegrid.server.stats.forecast.RankingAccuracy;
import org.safegrid.server.stats.forecast.Raster;
import org.safegrid.server.stats.forecast.CategoryForecasts;
import org.safegrid.server.stats.forecast.SelfExcitingModel;

/**
 * Rolling-origin backtest of cell forecasts on an incident CSV: SafeGrid's self-exciting forecast
 * against four baselines on the same cells and steps, with hit rate, PAI and PEI* at 1, 5 and 10 %
 * of the study area, the Poisson log score per cell, a paired bootstrap interval of
 * {@code safegrid − best baseline}, and the coverage of the negative binomial intervals: the
 * randomised central intervals as {@code coverage} (exactly nominal when the forecasts are
 * calibrated), the closed quantile intervals the map shows as {@code coverage_closed}.
 *
 * <p>Usage: {@code Backtest --events FILE.csv --cell-size 250 --train FROM/TO --test FROM/TO
 * [--step 7d] [--area boundary.geojson] [--seed 1] [--plots DIR] [--validation-steps 26]}.
 * Dates are inclusive local days. Everything the models choose (background and KDE bandwidths,
 * the dispersion) is chosen on a validation split at the end of the training range, written out
 * under {@code validation}; the test period is only scored. The last stdout line is one JSON object.
 */
public final class Backtest {

  static final String USAGE = "usage: (--events FILE.csv | --from-db incident --tz ZONE) [--category violent,...] "
      + "--cell-size 250 --train FROM/TO --test FROM/TO [--step 7d] [--area boundary.geojson] [--seed N] [--plots DIR] "
      + "[--validation-steps 26]";
  static final double[] COVERAGES = {0.01, 0.05, 0.10};
  static final String[] COVERAGE_KEYS = {"1", "5", "10"};
  static final String[] MODELS = {"safegrid", "naive", "recent", "kde", "blend"};
  static final double[] BANDWIDTHS = {250, 500, 1000};
  /** The study area's distance from a training event: the self-exciting background's support (so every scored cell is on one). */
  static final double STUDY_DISTANCE_METERS = SelfExcitingModel.SUPPORT_DISTANCE_METERS;
  static final Duration RECENT = Duration.ofDays(56);
  static final int BOOTSTRAP = 2000;
  static final long DAY_MS = 86_400_000L;
  /** Jeffreys prior: a baseline count c stands for a rate of (c + ½) per period, so no cell has mean 0. */
  static final double JEFFREYS = 0.5;

  private Backtest() {}

  /** Options of a run. */
  public record Options(Path events, boolean fromDb, ZoneId zone, Set<String> kinds, double cellSizeMeters, LocalDate trainFrom, LocalDate trainTo, LocalDate testFrom,
                        LocalDate testTo, Duration step, Path area, long seed, Path plots, int validationSteps) {}

  public static void main(String[] args) throws IOException {
    Options o;
    Map<String, Object> result;
    try {
      o = parse(args);
      result = run(o, System.err);
    } catch (SQLException e) {
      System.err.println("backtest: cannot read the event table: " + e.getMessage());
      System.exit(1);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("backtest: " + e.getMessage());
      System.exit(2);
      return;
    }
    ObjectMapper json = new ObjectMapper();
    System.out.println(json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result.get("report")));
    System.out.println(new ObjectMapper().writeValueAsString(result.get("summary")));
  }

  public static Options parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(USAGE);
      }
      a.put(args[i].substring(2), args[++i]);
    }
    boolean fromDb = a.containsKey("from-db");
    if (fromDb && !List.of("incident").contains(a.get("from-db"))) {
      throw new IllegalArgumentException("--from-db names the source to read; only 'incident' is predicted");
    }
    if (a.containsKey("events") == fromDb || !a.containsKey("train") || !a.containsKey("test")) {
      throw new IllegalArgumentException("one of --events FILE.csv or --from-db incident, and --train and --test, "
          + "are required; " + USAGE);
    }
    if (fromDb && !a.containsKey("tz")) {
      throw new IllegalArgumentException("--from-db needs --tz (the city's time zone, e.g. Asia/Shanghai): "
          + "days and weeks are counted in local time");
    }
    ZoneId zone;
    try {
      zone = a.containsKey("tz") ? ZoneId.of(a.get("tz")) : null;
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("--tz '" + a.get("tz") + "' is not a time zone");
    }
    Set<String> kinds = a.containsKey("category") ? new java.util.TreeSet<>(List.of(a.get("category").split(",")))
        : Set.of();
    double cell = Double.parseDouble(a.getOrDefault("cell-size", "250"));
    String[] train = a.get("train").split("/");
    String[] test = a.get("test").split("/");
    Options o = new Options(fromDb ? null : Path.of(a.get("events")), fromDb, zone, kinds, cell, LocalDate.parse(train[0]), LocalDate.parse(train[1]),
        LocalDate.parse(test[0]), LocalDate.parse(test[1]), a.containsKey("step") ? duration(a.get("step")) : null,
        a.containsKey("area") ? Path.of(a.get("area")) : null, Long.parseLong(a.getOrDefault("seed", "1")),
        a.containsKey("plots") ? Path.of(a.get("plots")) : null,
        Integer.parseInt(a.getOrDefault("validation-steps", "26")));
    if (!o.testFrom().isAfter(o.trainTo())) {
      throw new IllegalArgumentException("--test must start after --train ends");
    }
    return o;
  }

  static Duration duration(String s) {
    String t = s.trim().toLowerCase();
    long v = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 'd' -> Duration.ofDays(v);
      case 'h' -> Duration.ofHours(v);
      case 'w' -> Duration.ofDays(7 * v);
      default -> throw new IllegalArgumentException("--step: use e.g. 7d, 1w or 8h, got " + s);
    };
  }

  public static long millis(LocalDate d) {
    return d.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  /** The study area: raster cells used for scoring, and how they were chosen. */
  public record Study(int[] cells, String definition, int[] position) {

    /** The study cells of a raster; {@code position[rasterCell]} = index among the study cells or −1. */
    static Study of(boolean[] in, String definition) {
      int n = 0;
      for (boolean b : in) {
        n += b ? 1 : 0;
      }
      int[] cells = new int[n];
      int[] pos = new int[in.length];
      Arrays.fill(pos, -1);
      int k = 0;
      for (int c = 0; c < in.length; c++) {
        if (in[c]) {
          pos[c] = k;
          cells[k++] = c;
        }
      }
      return new Study(cells, definition, pos);
    }
  }

  /** Forecast means of every model for one window, over the study cells. */
  interface Models {
    Map<String, double[]> forecast(long origin, long windowMs);
  }

  /**
   * Runs the backtest on the file or the table the options name; returns {@code report} (everything)
   * and {@code summary} (the last-line JSON).
   */
  public static Map<String, Object> run(Options o, java.io.PrintStream log) throws IOException, SQLException {
    if (!o.fromDb()) {
      return run(o, BacktestEvents.readFile(o.events(), o.kinds()), o.events().getFileName().toString(), log);
    }
    String url = System.getenv("SAFEGRID_DB_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("--from-db: SAFEGRID_DB_URL is not set");
    }
    try (Connection c = DriverManager.getConnection(url, System.getenv().getOrDefault("SAFEGRID_DB_USER", "postgres"),
        System.getenv().getOrDefault("SAFEGRID_DB_PASSWORD", ""))) {
      return run(o, BacktestEvents.readTable(c, o.zone(), o.kinds(), null, null), "event table (incident)", log);
    }
  }

  /** Runs the backtest on incidents already read; {@code eventsName} says where they came from. */
  public static Map<String, Object> run(Options o, List<BacktestEvents.Row> rows, String eventsName,
                                        java.io.PrintStream log) throws IOException {
    long trainStart = millis(o.trainFrom());
    long trainEnd = millis(o.trainTo().plusDays(1));
    long testStart = millis(o.testFrom());
    long testEnd = millis(o.testTo().plusDays(1));
    Frame frame = frame(rows, trainStart, trainEnd, o.cellSizeMeters(), o.area());
    List<EventPoint> all = frame.points();
    Raster raster = frame.raster();
    Study study = frame.study();
    double s = o.cellSizeMeters();

    // steps of the test period; the validation split ends where the training range ends
    long step = o.step() == null ? testEnd - testStart : o.step().toMillis();
    int steps = (int) ((testEnd - testStart) / step);
    if (steps < 1) {
      throw new IllegalArgumentException("--step is longer than the test period");
    }
    int vSteps = o.step() == null ? 1 : o.validationSteps();
    long valStart = trainEnd - vSteps * step;
    if (valStart - trainStart < (trainEnd - trainStart) / 2) {
      vSteps = (int) Math.max(1, (trainEnd - trainStart) / 4 / step);
      valStart = trainEnd - vSteps * step;
    }
    log.printf("backtest: %d events read, %d study cells (%s), %d test steps, validation %d steps from %s%n",
        all.size(), study.cells().length, study.definition(), steps, vSteps,
        java.time.Instant.ofEpochMilli(valStart).toString().substring(0, 10));

    // --- validation: choose the bandwidths and the dispersion on data before the training end
    Map<String, Object> validation = new LinkedHashMap<>();
    validation.put("fit", o.trainFrom() + "/" + java.time.Instant.ofEpochMilli(valStart - 1).toString().substring(0, 10));
    validation.put("forecast", java.time.Instant.ofEpochMilli(valStart).toString().substring(0, 10) + "/" + o.trainTo());
    validation.put("steps", vSteps);
    Choice choice = validate(frame, trainStart, valStart, vSteps, step, true, CategoryForecasts.TooFew.THROW,
        validation, log);
    double bestSg = choice.safegridBandwidth();
    double bestKde = choice.kdeBandwidth();
    double size = choice.negativeBinomialSize();

    // --- test: refit on the whole training range, forecast each step, score
    ModelSet ms = new ModelSet(all, raster, study, trainStart, trainEnd, bestSg, bestKde, s, log);
    Random rnd = new Random(o.seed());
    int nm = MODELS.length;
    double[][][] hits = new double[nm][COVERAGES.length][steps];
    long[][] best = new long[COVERAGES.length][steps];
    long[] total = new long[steps];
    double[][] logScore = new double[nm][steps];
    int[] kCells = new int[COVERAGES.length];
    double closed80 = 0;
    double closed95 = 0;
    double in80 = 0;
    double in95 = 0;
    long cellSteps = 0;
    List<double[]> pitPairs = new ArrayList<>();
    for (int st = 0; st < steps; st++) {
      long origin = testStart + st * step;
      int[] y = counts(all, raster, study, origin, origin + step);
      Map<String, double[]> f = ms.forecast(origin, step);
      for (int mi = 0; mi < nm; mi++) {
        double[] mean = f.get(MODELS[mi]);
        RankingAccuracy[] acc = RankingAccuracy.measure(mean, y, COVERAGES, rnd);
        for (int q = 0; q < COVERAGES.length; q++) {
          hits[mi][q][st] = acc[q].hits();
          best[q][st] = acc[q].best();
          kCells[q] = acc[q].cells();
          total[st] = acc[q].total();
        }
        logScore[mi][st] = logScore(mean, y);
      }
      double[] sg = f.get("safegrid");
      for (int c = 0; c < y.length; c++) {
        int[] i80 = NegativeBinomial.centralInterval(sg[c], size, 0.80);
        int[] i95 = NegativeBinomial.centralInterval(sg[c], size, 0.95);
        closed80 += y[c] >= i80[0] && y[c] <= i80[1] ? 1 : 0;
        closed95 += y[c] >= i95[0] && y[c] <= i95[1] ? 1 : 0;
        in80 += NegativeBinomial.randomisedInclusion(y[c], sg[c], size, 0.80);
        in95 += NegativeBinomial.randomisedInclusion(y[c], sg[c], size, 0.95);
        pitPairs.add(new double[] {sg[c], y[c]});
        cellSteps++;
      }
      log.printf("backtest: step %d/%d (%s): %d events%n", st + 1, steps,
          java.time.Instant.ofEpochMilli(origin).toString().substring(0, 10), total[st]);
    }

    long testEvents = Arrays.stream(total).sum();
    Map<String, Object> models = new LinkedHashMap<>();
    double[][] pai = new double[nm][COVERAGES.length];
    for (int mi = 0; mi < nm; mi++) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int q = 0; q < COVERAGES.length; q++) {
        double[] agg = pooled(hits[mi][q], best[q], total, null, kCells[q], study.cells().length);
        pai[mi][q] = agg[1];
        m.put(COVERAGE_KEYS[q], Map.of("hit_rate", round(agg[0]), "pai", round(agg[1]), "pei", round(agg[2])));
      }
      m.put("log_score", round(Arrays.stream(logScore[mi]).sum() / steps / study.cells().length));
      models.put(MODELS[mi], m);
    }
    Map<String, Object> bestBaseline = new LinkedHashMap<>();
    Map<String, Object> diff = new LinkedHashMap<>();
    Random boot = new Random(o.seed() + 1);
    int[][] resamples = new int[BOOTSTRAP][steps];
    for (int b = 0; b < BOOTSTRAP; b++) {
      for (int i = 0; i < steps; i++) {
        resamples[b][i] = boot.nextInt(steps);
      }
    }
    for (int q = 0; q < COVERAGES.length; q++) {
      int bb = 1;
      for (int mi = 2; mi < nm; mi++) {
        if (pai[mi][q] > pai[bb][q]) {
          bb = mi;
        }
      }
      bestBaseline.put(COVERAGE_KEYS[q], MODELS[bb]);
      double[][] d = new double[3][BOOTSTRAP];
      for (int b = 0; b < BOOTSTRAP; b++) {
        double[] sg = pooled(hits[0][q], best[q], total, resamples[b], kCells[q], study.cells().length);
        double[] bl = pooled(hits[bb][q], best[q], total, resamples[b], kCells[q], study.cells().length);
        for (int k = 0; k < 3; k++) {
          d[k][b] = sg[k] - bl[k];
        }
      }
      Map<String, Object> dq = new LinkedHashMap<>();
      dq.put("pai", ci(d[1]));
      dq.put("hit_rate", ci(d[0]));
      dq.put("pei", ci(d[2]));
      diff.put(COVERAGE_KEYS[q], dq);
    }
    int bestLog = 1;
    for (int mi = 2; mi < nm; mi++) {
      if (Arrays.stream(logScore[mi]).sum() > Arrays.stream(logScore[bestLog]).sum()) {
        bestLog = mi;
      }
    }
    double[] dl = new double[BOOTSTRAP];
    for (int b = 0; b < BOOTSTRAP; b++) {
      double sum = 0;
      for (int i : resamples[b]) {
        sum += logScore[0][i] - logScore[bestLog][i];
      }
      dl[b] = sum / steps / study.cells().length;
    }
    bestBaseline.put("log_score", MODELS[bestLog]);
    diff.put("log_score", ci(dl));

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("area_cells", study.cells().length);
    summary.put("test_events", testEvents);
    summary.put("steps", steps);
    summary.put("models", models);
    summary.put("best_baseline", bestBaseline);
    summary.put("diff_ci95", diff);
    // the randomised central intervals: exactly nominal when calibrated, though counts are discrete
    summary.put("coverage", Map.of("80", round(in80 / cellSteps), "95", round(in95 / cellSteps)));
    // the closed quantile intervals the map hatches: at least nominal, mostly [0, 0] on sparse cells
    summary.put("coverage_closed", Map.of("80", round(closed80 / cellSteps), "95", round(closed95 / cellSteps)));
    summary.put("study_area", study.definition());

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("events", eventsName);
    if (!o.kinds().isEmpty()) {
      report.put("categories", o.kinds());
    }
    report.put("cell_size_m", s);
    report.put("study_area", study.definition());
    report.put("train", o.trainFrom() + "/" + o.trainTo());
    report.put("test", o.testFrom() + "/" + o.testTo());
    report.put("step_days", step / (double) DAY_MS);
    report.put("test_days_not_scored", (testEnd - testStart - steps * step) / (double) DAY_MS);
    report.put("test_events_outside_study_area", countOutside(all, raster, study, testStart, testStart + steps * step));
    report.put("validation", validation);
    report.put("safegrid_fits", ms.describeFits());
    report.put("negative_binomial_size", Double.isInfinite(size) ? "Infinity (Poisson)" : round(size));
    report.put("baselines", Map.of(
        "naive", "training-period count per cell, (count + 1/2) × window / training length",
        "recent", "count of the 8 weeks before each origin, (count + 1/2) × window / 8 weeks",
        "kde", "Gaussian kernel density of the training events, bandwidth " + bestKde + " m, scaled to the training rate",
        "blend", "time-decayed counts blended with their quartic KDE (HotspotForecast defaults), events up to each origin"));
    report.put("tie_breaking", "random, hits averaged over " + RankingAccuracy.ORDERS + " orders");
    report.put("bootstrap", BOOTSTRAP + " paired resamples of the steps, percentile interval");
    report.put("summary", summary);
    if (o.plots() != null) {
      Files.createDirectories(o.plots());
      Files.writeString(o.plots().resolve("reliability.svg"), CalibrationPlots.reliability(pitPairs, size));
      Files.writeString(o.plots().resolve("pit_histogram.svg"), CalibrationPlots.pitHistogram(pitPairs, size));
      report.put("plots", List.of("reliability.svg", "pit_histogram.svg"));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("report", report);
    out.put("summary", summary);
    return out;
  }

  /**
   * What a run is computed on: the local metric projection (around the training events' mean
   * latitude), every row as a point sorted by time, the raster covering the training events (and
   * {@code area}) with a margin of four times the widest bandwidth, and the study cells.
   */
  public record Frame(LocalMetricProjection projection, List<EventPoint> points, Raster raster, Study study) {}

  /** The frame of a run on these rows with this training range and cell size ({@code area} may be null). */
  public static Frame frame(List<BacktestEvents.Row> rows, long trainStart, long trainEnd, double cellSizeMeters,
                            Path area) throws IOException {
    double[] trainLats = rows.stream().filter(r -> r.localMillis() >= trainStart && r.localMillis() < trainEnd)
        .mapToDouble(BacktestEvents.Row::lat).toArray();
    if (trainLats.length < 10) {
      throw new IllegalArgumentException("only " + trainLats.length + " events in the training period");
    }
    LocalMetricProjection proj = LocalMetricProjection.around(trainLats);
    List<EventPoint> all = new ArrayList<>();
    for (BacktestEvents.Row r : rows) {
      all.add(new EventPoint(r.localMillis(), proj.x(r.lon()), proj.y(r.lat()), r.category()));
    }
    all.sort(java.util.Comparator.comparingLong(EventPoint::epochMillis));
    double minX = Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (EventPoint p : all) {
      if (p.epochMillis() >= trainStart && p.epochMillis() < trainEnd) {
        minX = Math.min(minX, p.x());
        minY = Math.min(minY, p.y());
        maxX = Math.max(maxX, p.x());
        maxY = Math.max(maxY, p.y());
      }
    }
    List<Polygon> areaPolys = area == null ? List.of() : readArea(area, proj);
    for (Polygon p : areaPolys) {
      minX = Math.min(minX, p.getEnvelopeInternal().getMinX());
      minY = Math.min(minY, p.getEnvelopeInternal().getMinY());
      maxX = Math.max(maxX, p.getEnvelopeInternal().getMaxX());
      maxY = Math.max(maxY, p.getEnvelopeInternal().getMaxY());
    }
    Raster raster = Raster.covering(minX, minY, maxX, maxY, cellSizeMeters, 4 * BANDWIDTHS[BANDWIDTHS.length - 1]);
    Study study = areaPolys.isEmpty() ? nearTraining(all, raster, trainStart, trainEnd) : inside(areaPolys, raster);
    if (study.cells().length < 10) {
      throw new IllegalArgumentException("the study area has only " + study.cells().length + " cells");
    }
    return new Frame(proj, all, raster, study);
  }

  /**
   * The choices made on the validation split.
   *
   * @param safegridBandwidth    background bandwidth of the self-exciting model, metres
   * @param kdeBandwidth         bandwidth of the {@code kde} baseline (NaN when the baselines were not run)
   * @param negativeBinomialSize the predictive distribution's size k (∞: Poisson)
   */
  public record Choice(double safegridBandwidth, double kdeBandwidth, double negativeBinomialSize) {}

  /**
   * The validation split: fit on [trainStart, valStart), forecast {@code vSteps} windows of {@code step}
   * from valStart with the rolling origin, for each of {@link #BANDWIDTHS}; the bandwidths with the best
   * mean Poisson log score over the study cells win, and the negative binomial size is fitted on the
   * winning forecasts. Adds {@code tried}, {@code chosen} and {@code chosen_by} to {@code validation}.
   *
   * @param baselines whether the {@code kde} bandwidth is chosen too (the backtest) or only the
   *                  self-exciting model's (the live forecast)
   */
  public static Choice validate(Frame frame, long trainStart, long valStart, int vSteps, long step, boolean baselines,
                                CategoryForecasts.TooFew tooFew, Map<String, Object> validation,
                                java.io.PrintStream log) {
    List<EventPoint> all = frame.points();
    Raster raster = frame.raster();
    Study study = frame.study();
    double bestSg = Double.NaN;
    double bestSgScore = Double.NEGATIVE_INFINITY;
    double bestKde = Double.NaN;
    double bestKdeScore = Double.NEGATIVE_INFINITY;
    List<Map<String, Object>> tried = new ArrayList<>();
    double[] bestSgMeans = null;
    int[] valCounts = null;
    for (double h : BANDWIDTHS) {
      ModelSet ms = new ModelSet(all, raster, study, trainStart, valStart, h, h, raster.cellMeters(), log, baselines,
          tooFew);
      List<double[]> sgMeans = new ArrayList<>();
      List<int[]> counts = new ArrayList<>();
      double sgScore = 0;
      double kdeScore = 0;
      for (int v = 0; v < vSteps; v++) {
        long origin = valStart + v * step;
        int[] y = counts(all, raster, study, origin, origin + step);
        Map<String, double[]> f = ms.forecast(origin, step);
        sgScore += logScore(f.get("safegrid"), y);
        if (baselines) {
          kdeScore += logScore(f.get("kde"), y);
        }
        sgMeans.add(f.get("safegrid"));
        counts.add(y);
      }
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("bandwidth_m", h);
      t.put("safegrid_log_score", round(sgScore / vSteps / study.cells().length));
      if (baselines) {
        t.put("kde_log_score", round(kdeScore / vSteps / study.cells().length));
      }
      t.put("safegrid_fits", ms.describeFits());
      tried.add(t);
      if (sgScore > bestSgScore) {
        bestSgScore = sgScore;
        bestSg = h;
        bestSgMeans = flatten(sgMeans);
        valCounts = flattenInt(counts);
      }
      if (baselines && kdeScore > bestKdeScore) {
        bestKdeScore = kdeScore;
        bestKde = h;
      }
    }
    double size = NegativeBinomial.fitSize(bestSgMeans, valCounts);
    validation.put("tried", tried);
    Map<String, Object> chosen = new LinkedHashMap<>();
    chosen.put("safegrid_background_bandwidth_m", bestSg);
    if (baselines) {
      chosen.put("kde_bandwidth_m", bestKde);
    }
    chosen.put("negative_binomial_size", Double.isInfinite(size) ? "Infinity (Poisson)" : round(size));
    validation.put("chosen", chosen);
    validation.put("chosen_by", "mean Poisson log score per cell over the validation steps (higher is better)");
    return new Choice(bestSg, bestKde, size);
  }

  /** Pooled hit rate, PAI, PEI* over the steps (or over a bootstrap resample of them). */
  static double[] pooled(double[] hits, long[] best, long[] total, int[] which, int k, int n) {
    double h = 0;
    double b = 0;
    double t = 0;
    int m = which == null ? hits.length : which.length;
    for (int i = 0; i < m; i++) {
      int st = which == null ? i : which[i];
      h += hits[st];
      b += best[st];
      t += total[st];
    }
    double hr = t == 0 ? 0 : h / t;
    return new double[] {hr, hr / ((double) k / n), b == 0 ? 0 : h / b};
  }

  static List<Double> ci(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return List.of(round(s[(int) Math.floor(0.025 * (s.length - 1))]), round(s[(int) Math.ceil(0.975 * (s.length - 1))]));
  }

  static double logScore(double[] mean, int[] y) {
    double s = 0;
    for (int c = 0; c < y.length; c++) {
      s += Poisson.logPmf(y[c], mean[c]);
    }
    return s;
  }

  static int[] counts(List<EventPoint> all, Raster raster, Study study, long from, long to) {
    int[] pos = position(raster, study);
    int[] y = new int[study.cells().length];
    int i = firstAtOrAfter(all, from);
    for (; i < all.size() && all.get(i).epochMillis() < to; i++) {
      int c = raster.index(all.get(i).x(), all.get(i).y());
      if (c >= 0 && pos[c] >= 0) {
        y[pos[c]]++;
      }
    }
    return y;
  }

  static long countOutside(List<EventPoint> all, Raster raster, Study study, long from, long to) {
    int[] pos = position(raster, study);
    long n = 0;
    for (int i = firstAtOrAfter(all, from); i < all.size() && all.get(i).epochMillis() < to; i++) {
      int c = raster.index(all.get(i).x(), all.get(i).y());
      if (c < 0 || pos[c] < 0) {
        n++;
      }
    }
    return n;
  }

  static int firstAtOrAfter(List<EventPoint> all, long t) {
    int lo = 0;
    int hi = all.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (all.get(mid).epochMillis() < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  static int[] position(Raster raster, Study study) {
    return study.position();
  }

  /** Cells within 500 m of any training event (distance from the event to the cell's square). */
  static Study nearTraining(List<EventPoint> all, Raster r, long from, long to) {
    List<EventPoint> training = new ArrayList<>();
    for (EventPoint p : all) {
      if (p.epochMillis() >= from && p.epochMillis() < to) {
        training.add(p);
      }
    }
    return Study.of(r.cellsNear(training, STUDY_DISTANCE_METERS), "cells within 500 m of a training event");
  }

  static Study inside(List<Polygon> polys, Raster r) {
    GeometryFactory gf = new GeometryFactory();
    Geometry union = gf.buildGeometry(polys).union();
    PreparedGeometry pg = PreparedGeometryFactory.prepare(union);
    boolean[] in = new boolean[r.size()];
    for (int c = 0; c < r.size(); c++) {
      in[c] = pg.covers(gf.createPoint(new Coordinate(r.centreX(c), r.centreY(c))));
    }
    return Study.of(in, "cells whose centre lies inside --area");
  }

  /** The polygons of a GeoJSON file (Polygon, MultiPolygon, Feature or FeatureCollection), projected. */
  static List<Polygon> readArea(Path file, LocalMetricProjection proj) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    List<Polygon> out = new ArrayList<>();
    collect(root, proj, new GeometryFactory(), out);
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--area " + file.getFileName() + ": no Polygon or MultiPolygon in it");
    }
    return out;
  }

  private static void collect(JsonNode n, LocalMetricProjection proj, GeometryFactory gf, List<Polygon> out) {
    String type = n.path("type").asText();
    switch (type) {
      case "FeatureCollection" -> n.path("features").forEach(f -> collect(f, proj, gf, out));
      case "Feature" -> collect(n.path("geometry"), proj, gf, out);
      case "Polygon" -> out.add(polygon(n.path("coordinates"), proj, gf));
      case "MultiPolygon" -> n.path("coordinates").forEach(p -> out.add(polygon(p, proj, gf)));
      default -> { }
    }
  }

  private static Polygon polygon(JsonNode rings, LocalMetricProjection proj, GeometryFactory gf) {
    LinearRing[] lr = new LinearRing[rings.size()];
    for (int i = 0; i < rings.size(); i++) {
      JsonNode ring = rings.get(i);
      Coordinate[] cs = new Coordinate[ring.size()];
      for (int k = 0; k < ring.size(); k++) {
        cs[k] = new Coordinate(proj.x(ring.get(k).get(0).asDouble()), proj.y(ring.get(k).get(1).asDouble()));
      }
      lr[i] = gf.createLinearRing(cs);
    }
    return gf.createPolygon(lr[0], Arrays.copyOfRange(lr, 1, lr.length));
  }

  private static double[] flatten(List<double[]> l) {
    return l.stream().flatMapToDouble(Arrays::stream).toArray();
  }

  private static int[] flattenInt(List<int[]> l) {
    return l.stream().flatMapToInt(Arrays::stream).toArray();
  }

  static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  /**
   * The five models fitted on [fitFrom, fitTo) and fed events online up to each origin (origins
   * must not decrease).
   */
  static final class ModelSet {
    final List<EventPoint> all;
    final Raster raster;
    final Study study;
    final long fitFrom;
    final long fitTo;
    final CategoryForecasts safegrid;
    final double[] naive;
    final double[] kde;
    final double fitRatePerMs;
    final double cellSize;
    final boolean baselines;
    int fed;

    ModelSet(List<EventPoint> all, Raster raster, Study study, long fitFrom, long fitTo, double sgBandwidth,
             double kdeBandwidth, double cellSize, java.io.PrintStream log) {
      this(all, raster, study, fitFrom, fitTo, sgBandwidth, kdeBandwidth, cellSize, log, true,
          CategoryForecasts.TooFew.THROW);
    }

    /**
     * @param baselines whether to compute the four baselines too ({@code safegrid} alone otherwise)
     * @param tooFew    what to do with categories too small to fit (the backtest throws)
     */
    ModelSet(List<EventPoint> all, Raster raster, Study study, long fitFrom, long fitTo, double sgBandwidth,
             double kdeBandwidth, double cellSize, java.io.PrintStream log, boolean baselines,
             CategoryForecasts.TooFew tooFew) {
      this.all = all;
      this.raster = raster;
      this.study = study;
      this.fitFrom = fitFrom;
      this.fitTo = fitTo;
      this.cellSize = cellSize;
      this.baselines = baselines;
      long t0 = System.nanoTime();
      safegrid = CategoryForecasts.fit(all, raster, fitFrom, fitTo, sgBandwidth, SelfExcitingModel.Bounds.defaults(),
          tooFew);
      log.printf("backtest: fitted %s (background bandwidth %.0f m) in %d ms%n", describeFits(), sgBandwidth,
          (System.nanoTime() - t0) / 1_000_000);
      double[] counts = new double[raster.size()];
      long n = 0;
      for (int i = firstAtOrAfter(all, fitFrom); i < all.size() && all.get(i).epochMillis() < fitTo; i++) {
        int c = raster.index(all.get(i).x(), all.get(i).y());
        if (c >= 0) {
          counts[c]++;
          n++;
        }
      }
      fitRatePerMs = n / (double) (fitTo - fitFrom);
      naive = new double[study.cells().length];
      for (int i = 0; i < naive.length; i++) {
        naive[i] = counts[study.cells()[i]];
      }
      kde = new double[naive.length];
      if (baselines) {
        double[] k = GaussianSmoothing.smooth(counts, raster, kdeBandwidth);
        for (int i = 0; i < naive.length; i++) {
          kde[i] = k[study.cells()[i]];
        }
      }
      fed = firstAtOrAfter(all, fitFrom);
    }

    Map<String, Object> describeFits() {
      return safegrid.describe();
    }

    /** The self-exciting forecast of every raster cell for [origin, origin + window), events before the origin fed online. */
    double[] safegridExpected(long origin, long windowMs) {
      // online update: every event before the origin, once
      for (; fed < all.size() && all.get(fed).epochMillis() < origin; fed++) {
        safegrid.add(all.get(fed));
      }
      return safegrid.expected(origin, windowMs);
    }

    Map<String, double[]> forecast(long origin, long windowMs) {
      double[] full = safegridExpected(origin, windowMs);
      int n = study.cells().length;
      int[] pos = position(raster, study);
      double expectedTotal = fitRatePerMs * windowMs;
      double floor = 1e-6 * expectedTotal / n;
      Map<String, double[]> out = new LinkedHashMap<>();
      double[] sg = new double[n];
      for (int i = 0; i < n; i++) {
        sg[i] = Math.max(full[study.cells()[i]], floor);
      }
      out.put("safegrid", sg);
      if (!baselines) {
        return out;
      }
      double trainMs = fitTo - fitFrom;
      double[] nv = new double[n];
      for (int i = 0; i < n; i++) {
        nv[i] = (naive[i] + JEFFREYS) * windowMs / trainMs;
      }
      out.put("naive", nv);
      double[] rc = new double[n];
      for (int i = firstAtOrAfter(all, origin - RECENT.toMillis()); i < all.size() && all.get(i).epochMillis() < origin;
           i++) {
        int c = raster.index(all.get(i).x(), all.get(i).y());
        if (c >= 0 && pos[c] >= 0) {
          rc[pos[c]]++;
        }
      }
      for (int i = 0; i < n; i++) {
        rc[i] = (rc[i] + JEFFREYS) * windowMs / RECENT.toMillis();
      }
      out.put("recent", rc);
      double[] kd = new double[n];
      for (int i = 0; i < n; i++) {
        kd[i] = Math.max(kde[i] * expectedTotal, floor);
      }
      out.put("kde", kd);
      out.put("blend", blend(origin, windowMs, expectedTotal, floor));
      return out;
    }

    private double[] blend(long origin, long windowMs, double expectedTotal, double floor) {
      int n = study.cells().length;
      int[] pos = position(raster, study);
      double[] cx = new double[n];
      double[] cy = new double[n];
      double[] area = new double[n];
      for (int i = 0; i < n; i++) {
        cx[i] = raster.centreX(study.cells()[i]);
        cy[i] = raster.centreY(study.cells()[i]);
        area[i] = cellSize * cellSize;
      }
      int from = firstAtOrAfter(all, fitFrom);
      int to = firstAtOrAfter(all, origin);
      int m = to - from;
      int[] cellOf = new int[m];
      double[] ex = new double[m];
      double[] ey = new double[m];
      double[] age = new double[m];
      for (int e = 0; e < m; e++) {
        EventPoint p = all.get(from + e);
        ex[e] = p.x();
        ey[e] = p.y();
        age[e] = (origin - p.epochMillis()) / (double) DAY_MS;
        int c = raster.index(p.x(), p.y());
        cellOf[e] = c >= 0 ? pos[c] : -1;
      }
      double[] score = HotspotForecast.defaults(cellSize).score(cx, cy, area, cellOf, ex, ey, age);
      double sum = Arrays.stream(score).sum();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = Math.max(sum > 0 ? score[i] / sum * expectedTotal : expectedTotal / n, floor);
      }
      return out;
    }
  }
}
