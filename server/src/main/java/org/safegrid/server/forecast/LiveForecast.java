package org.safegrid.server.forecast;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.backtest.Backtest;
import org.safegrid.server.backtest.BacktestEvents;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.stats.forecast.CategoryForecasts;
import org.safegrid.server.stats.forecast.EventPoint;
import org.safegrid.server.stats.forecast.NegativeBinomial;
import org.safegrid.server.stats.forecast.Raster;
import org.safegrid.server.stats.forecast.SelfExcitingModel;

/**
 * The live self-exciting forecast: one fit of the backtest's own code ({@link Backtest#frame},
 * {@link Backtest#validate}, {@link CategoryForecasts}) on the incidents of the training days before
 * today, updated online with every incident since. Times are local clock times encoded as epoch ms
 * read as UTC, as the backtest counts them ({@link BacktestEvents#localMillis}).
 *
 * <p>Fitting: training = the {@code trainingDays} whole local days before {@code today}; the
 * background bandwidth and the negative binomial size are chosen on the last {@code validationSteps}
 * windows of {@code validationStep} inside that range, exactly as the backtest chooses them; a category
 * too small to fit keeps the background-only baseline ({@link CategoryForecasts.Fallback}).
 *
 * <p>Not thread-safe: one writer ({@link #add}); {@link #forGrid} reads the state at the time of the call.
 */
public final class LiveForecast {

  /**
   * How a fit is made.
   *
   * @param trainingDays    whole local days of incidents the model is fitted on
   * @param validationSteps windows at the end of the training range on which the choices are made
   * @param validationStep  length of one validation window
   * @param cellSizeMeters  side of the forecast's square cells
   */
  public record Settings(int trainingDays, int validationSteps, Duration validationStep, double cellSizeMeters) {}

  /** The forecast of one grid cell for a window: expected count and central negative binomial intervals. */
  public record CellForecast(int cell, double expected, int lower80, int upper80, int lower95, int upper95) {}

  private final Backtest.Frame frame;
  private final CategoryForecasts forecasts;
  private final Backtest.Choice choice;
  private final Map<String, Object> validation;
  private final LocalDate trainFrom;
  private final LocalDate trainTo;
  private final long trainEvents;
  /** Incidents taken online since the fit, in arrival order (a day's worth: the fit is redone daily). */
  private final List<EventPoint> online = new java.util.ArrayList<>();
  private long added;

  private LiveForecast(Backtest.Frame frame, CategoryForecasts forecasts, Backtest.Choice choice,
                       Map<String, Object> validation, LocalDate trainFrom, LocalDate trainTo, long trainEvents) {
    this.frame = frame;
    this.forecasts = forecasts;
    this.choice = choice;
    this.validation = validation;
    this.trainFrom = trainFrom;
    this.trainTo = trainTo;
    this.trainEvents = trainEvents;
  }

  /**
   * Fits on {@code rows} (sorted by time, local clock ms) and feeds every row from the start of the
   * training range into the online accumulators.
   *
   * @param today the first local day after the training range
   * @throws IllegalArgumentException when the whole training range holds too few events (or cells) to
   *                                  forecast anything; a category too small to fit does not throw
   */
  public static LiveForecast fit(List<BacktestEvents.Row> rows, LocalDate today, Settings s, PrintStream log) {
    LocalDate trainFrom = today.minusDays(s.trainingDays());
    long trainStart = Backtest.millis(trainFrom);
    long trainEnd = Backtest.millis(today);
    Backtest.Frame frame;
    try {
      frame = Backtest.frame(rows, trainStart, trainEnd, s.cellSizeMeters(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // no area file is read
    }
    long step = s.validationStep().toMillis();
    int vSteps = s.validationSteps();
    long valStart = trainEnd - vSteps * step;
    if (valStart - trainStart < (trainEnd - trainStart) / 2) {
      vSteps = (int) Math.max(1, (trainEnd - trainStart) / 4 / step);
      valStart = trainEnd - vSteps * step;
    }
    Map<String, Object> validation = new LinkedHashMap<>();
    validation.put("fit", trainFrom + "/" + Instant.ofEpochMilli(valStart - 1).toString().substring(0, 10));
    validation.put("forecast", Instant.ofEpochMilli(valStart).toString().substring(0, 10) + "/" + today.minusDays(1));
    validation.put("steps", vSteps);
    Backtest.Choice choice = Backtest.validate(frame, trainStart, valStart, vSteps, step, false,
        CategoryForecasts.TooFew.BACKGROUND_ONLY, validation, log);
    CategoryForecasts f = CategoryForecasts.fit(frame.points(), frame.raster(), trainStart, trainEnd,
        choice.safegridBandwidth(), SelfExcitingModel.Bounds.defaults(), CategoryForecasts.TooFew.BACKGROUND_ONLY);
    long inTraining = 0;
    LiveForecast live = null;
    for (EventPoint p : frame.points()) {
      if (p.epochMillis() >= trainStart && p.epochMillis() < trainEnd) {
        inTraining++;
      }
    }
    live = new LiveForecast(frame, f, choice, validation, trainFrom, today.minusDays(1), inTraining);
    // the accumulators hold every incident from the start of the training range on, as the backtest's
    // model set feeds them before its first origin
    for (EventPoint p : frame.points()) {
      if (p.epochMillis() >= trainStart) {
        live.forecasts.add(p);
        live.added += p.epochMillis() >= trainEnd ? 1 : 0;
      }
    }
    return live;
  }

  /** Adds one incident (O(1) in the number of past incidents: the exponential kernel's accumulators). */
  public void add(long localMillis, double lon, double lat, String kind) {
    EventPoint p = new EventPoint(localMillis, frame.projection().x(lon), frame.projection().y(lat), kind);
    forecasts.add(p);
    online.add(p);
    added++;
  }

  /** Expected count of every forecast cell in [origin, origin + window), origin in local clock ms. */
  public double[] expected(long originLocalMillis, Duration window) {
    return forecasts.expected(originLocalMillis, window.toMillis());
  }

  public Raster raster() {
    return forecasts.raster();
  }

  /** Index of the forecast cell holding a WGS84 point, or −1. */
  public int rasterCell(double lon, double lat) {
    return raster().index(frame.projection().x(lon), frame.projection().y(lat));
  }

  /**
   * The forecast of each grid cell for [origin, origin + window): the density of the forecast cell
   * holding the grid cell's centroid times the grid's mean cell area, and the central 80 % and 95 %
   * intervals of the negative binomial with that mean and the fitted size.
   */
  public CellForecast[] forGrid(GridModel grid, long originLocalMillis, Duration window) {
    double[] m = onGrid(grid, expected(originLocalMillis, window));
    double k = choice.negativeBinomialSize();
    CellForecast[] out = new CellForecast[grid.size()];
    for (int c = 0; c < out.length; c++) {
      out[c] = new CellForecast(c, m[c], NegativeBinomial.quantile(0.10, m[c], k),
          NegativeBinomial.quantile(0.90, m[c], k), NegativeBinomial.quantile(0.025, m[c], k),
          NegativeBinomial.quantile(0.975, m[c], k));
    }
    return out;
  }

  /**
   * The forecast as it stood at {@code originLocalMillis}, for [origin, origin + window): the same fit
   * fed only with the incidents before the origin (replayed into fresh accumulators, O(incidents)).
   * What the risk level compares a window that has just ended with.
   */
  public double[] expectedAsOf(long originLocalMillis, Duration window) {
    CategoryForecasts then = forecasts.fresh();
    for (EventPoint p : frame.points()) {
      if (p.epochMillis() >= originLocalMillis) {
        break; // sorted by time
      }
      then.add(p);
    }
    for (EventPoint p : online) {
      if (p.epochMillis() < originLocalMillis) {
        then.add(p);
      }
    }
    return then.expected(originLocalMillis, window.toMillis());
  }

  /** Per grid cell: the density of the forecast cell holding its centroid times the grid's mean cell area. */
  public double[] onGrid(GridModel grid, double[] expected) {
    double scale = grid.size() == 0 ? 0 : grid.totalAreaM2() / grid.size() / raster().cellAreaM2();
    double[] out = new double[grid.size()];
    for (int c = 0; c < out.length; c++) {
      int r = rasterCell(grid.centroidLon(c), grid.centroidLat(c));
      out[c] = r < 0 ? 0 : expected[r] * scale;
    }
    return out;
  }

  public double negativeBinomialSize() {
    return choice.negativeBinomialSize();
  }

  /** The fit as plain values: training range and events, parameters per category, fallbacks, choices. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("train", trainFrom + "/" + trainTo);
    m.put("trainEvents", trainEvents);
    m.put("eventsSinceFit", added);
    m.put("cellSizeMeters", raster().cellMeters());
    m.put("backgroundBandwidthMeters", choice.safegridBandwidth());
    m.put("negativeBinomialSize", Double.isInfinite(choice.negativeBinomialSize()) ? "Infinity (Poisson)"
        : Math.round(choice.negativeBinomialSize() * 10_000) / 10_000.0);
    m.put("fits", forecasts.describe());
    m.put("fallbacks", forecasts.fallbacks().stream().map(f -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("categories", f.categories());
      d.put("events", f.events());
      d.put("perDay", Math.round(f.perDay() * 10_000) / 10_000.0);
      d.put("baseline", "background only: the categories' Gaussian kernel density (bandwidth "
          + choice.safegridBandwidth() + " m) times their mean daily rate");
      d.put("reason", f.reason());
      return d;
    }).toList());
    m.put("validation", validation);
    return m;
  }
}
