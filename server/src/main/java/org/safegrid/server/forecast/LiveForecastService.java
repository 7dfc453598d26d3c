package org.safegrid.server.forecast;

import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.safegrid.server.backtest.BacktestEvents;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.live.LiveEventListener;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.risk.ForecastBaselines;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.LiveRiskService;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.RiskRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the {@link LiveForecast} for the active grid: refits it on a {@link BackgroundLoop} when the
 * training days move (a new local day of {@code safegrid.risk.zone}) or the active grid set changes,
 * and feeds it every new incident of the predicted sources between refits (the event feed's
 * consumer thread). The fit reads the event table with the backtest's reader
 * ({@link BacktestEvents#readTable}: cell-level events of {@code safegrid.risk.sources}, patrol pings
 * never) and keeps the rows inside the grid, as the live scorecard does.
 *
 * <p>Threading: the refit loop builds a new forecast without holding the lock, then swaps it in and
 * replays the incidents that arrived while it was fitting; {@link #add}, the swap and the readers
 * ({@link #forGrid}) hold this object's lock, for the few milliseconds of an update or of one window's
 * forecast of every cell.
 */
@Component
public class LiveForecastService implements LiveEventListener, SmartLifecycle, ForecastBaselines {

  /** The forecast windows the API offers: a shift, a day and a week. */
  public static final Map<String, Duration> WINDOWS = Map.of("shift", Duration.ofHours(8), "day", Duration.ofDays(1),
      "week", Duration.ofDays(7));

  private static final Logger log = LoggerFactory.getLogger(LiveForecastService.class);
  /** How long a window's baseline for the risk engine is reused before it is replayed again. */
  private static final Duration BASELINE_TTL = Duration.ofMinutes(1);

  private final DataSource dataSource;
  private final ForecastProperties cfg;
  private final RiskProperties risk;
  private final LiveRiskService engine;
  private BackgroundLoop loop;
  private volatile boolean running;

  // guarded by this
  private State state;
  private List<LiveEvent> duringFit;
  private final Map<Duration, Cached> baselines = new java.util.HashMap<>();

  private record Cached(State state, Instant computedAt, double[] expected) {}
  private volatile Status status = new Status("waiting", "no active grid set yet", null, 0, null);

  /** The fitted forecast of one grid set, with what it was fitted on. */
  record State(LiveForecast forecast, GridModel grid, LocalDate today, Instant fittedAt, long fitMillis,
               Set<String> fedIds) {}

  /**
   * What the forecast is doing, for the health detail and the API.
   *
   * @param state     {@code waiting} (no grid), {@code fitting}, {@code fitted} or {@code not_fitted}
   * @param reason    why it is not fitted, or null
   * @param fittedAt  when the current fit was made, or null
   * @param fitMillis how long it took
   * @param fit       the fit's parameters ({@link LiveForecast#describe}), or null
   */
  public record Status(String state, String reason, Instant fittedAt, long fitMillis, Map<String, Object> fit) {}

  public LiveForecastService(DataSource dataSource, ForecastProperties cfg, RiskProperties risk,
                             LiveRiskService engine) {
    this.dataSource = dataSource;
    this.cfg = cfg;
    this.risk = risk;
    this.engine = engine;
  }

  public Status status() {
    return status;
  }

  /** The forecast of every cell of the fitted grid for [now, now + window), if fitted. */
  public synchronized Optional<Answer> forGrid(Instant now, Duration window) {
    if (state == null) {
      return Optional.empty();
    }
    long origin = BacktestEvents.localMillis(now, risk.zone());
    return Optional.of(new Answer(state.grid(), now, window, state.forecast().forGrid(state.grid(), origin, window)));
  }

  /**
   * The forecast as it stood at {@code from} for [from, from + window), per grid cell (replayed at most
   * once a minute per window; a window that has moved by less than that keeps the previous answer).
   */
  @Override
  public synchronized Optional<double[]> expected(GridModel grid, Instant from, Duration window) {
    if (state == null || state.grid().gridSetId() != grid.gridSetId()) {
      return Optional.empty();
    }
    Cached c = baselines.get(window);
    if (c == null || c.state() != state || Duration.between(c.computedAt(), from).abs().compareTo(BASELINE_TTL) > 0) {
      LiveForecast f = state.forecast();
      c = new Cached(state, from, f.onGrid(grid, f.expectedAsOf(BacktestEvents.localMillis(from, risk.zone()), window)));
      baselines.put(window, c);
    }
    return Optional.of(c.expected());
  }

  /** One answer: the grid it is for and each cell's forecast. */
  public record Answer(GridModel grid, Instant origin, Duration window, LiveForecast.CellForecast[] cells) {}

  @Override
  public void onEvents(List<LiveEvent> batch) {
    synchronized (this) {
      for (LiveEvent e : batch) {
        if (!risk.sources().contains(e.source()) || ("patrol".equals(e.source()) && "position".equals(e.kind()))
            || !RiskRepository.isCellLevel(e.source(), e.attrsJson())) {
          continue;
        }
        if (duringFit != null) {
          duringFit.add(e);
        }
        if (state != null) {
          add(state, e);
        }
      }
    }
  }

  private void add(State s, LiveEvent e) {
    if (s.fedIds().contains(e.id()) || s.grid().locate(e.lon(), e.lat()) < 0) {
      return; // the fit read it already, or it lies outside the grid
    }
    s.forecast().add(BacktestEvents.localMillis(e.observedAt(), risk.zone()), e.lon(), e.lat(), e.kind());
  }

  /** One loop step: refit when the local day or the active grid set has changed since the last fit. */
  public void refitIfDue() {
    Optional<GridModel> grid = engine.current().map(s -> s.grid());
    if (grid.isEmpty()) {
      return;
    }
    LocalDate today = LocalDate.now(risk.zone());
    synchronized (this) {
      if (state != null && state.today().equals(today) && state.grid().gridSetId() == grid.get().gridSetId()) {
        return;
      }
      duringFit = new ArrayList<>();
    }
    refit(grid.get(), today);
  }

  private void refit(GridModel grid, LocalDate today) {
    long t0 = System.nanoTime();
    status = new Status("fitting", null, status.fittedAt(), status.fitMillis(), status.fit());
    ZoneId zone = risk.zone();
    try {
      List<BacktestEvents.Row> rows = new ArrayList<>();
      try (Connection c = dataSource.getConnection()) {
        for (BacktestEvents.Row r : BacktestEvents.readTable(c, zone, risk.sources(), Set.of(),
            today.minusDays(cfg.trainingDays()).atStartOfDay(zone).toInstant(), null)) {
          if (grid.locate(r.lon(), r.lat()) >= 0) {
            rows.add(r);
          }
        }
      }
      double gridCell = grid.size() == 0 ? 250 : Math.round(Math.sqrt(grid.totalAreaM2() / grid.size()));
      LiveForecast f = LiveForecast.fit(rows, today, cfg.settings(gridCell),
          new PrintStream(OutputStream.nullOutputStream()));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      Set<String> ids = new HashSet<>();
      long todayStart = org.safegrid.server.backtest.Backtest.millis(today);
      for (BacktestEvents.Row r : rows) {
        if (r.localMillis() >= todayStart) {
          ids.add(r.id());
        }
      }
      Instant fittedAt = Instant.now();
      synchronized (this) {
        state = new State(f, grid, today, fittedAt, ms, ids);
        for (LiveEvent e : duringFit) {
          add(state, e);
        }
        duringFit = null;
      }
      status = new Status("fitted", null, fittedAt, ms, f.describe());
      log.info("risk forecast fitted on grid set {}: {} training incidents in {} ms", grid.gridSetId(),
          f.describe().get("trainEvents"), ms);
    } catch (IllegalArgumentException | SQLException e) {
      synchronized (this) {
        state = null;
        duringFit = null;
      }
      // too few incidents to forecast anything: say so; the risk levels keep their own baselines
      status = new Status("not_fitted", e.getMessage(), null, (System.nanoTime() - t0) / 1_000_000, null);
      log.warn("risk forecast not fitted on grid set {}: {}", grid.gridSetId(), e.getMessage());
    }
  }

  /** The status and fit of the forecast as plain values (health detail, API). */
  public Map<String, Object> describe() {
    Status s = status;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", s.state());
    if (s.reason() != null) {
      m.put("reason", s.reason());
    }
    if (s.fittedAt() != null) {
      m.put("fittedAt", s.fittedAt().toString());
      m.put("fitMillis", s.fitMillis());
    }
    Map<String, Object> fit;
    synchronized (this) {
      // read now: the count of incidents added since the fit moves with every update
      fit = state == null ? s.fit() : state.forecast().describe();
    }
    if (fit != null) {
      m.putAll(fit);
    }
    return m;
  }

  @Override
  public void start() {
    running = true;
    if (!cfg.enabled()) {
      return;
    }
    loop = BackgroundLoop.named("risk-forecast").every(cfg.checkInterval()).firstAfter(Duration.ofSeconds(5))
        .backoff(Duration.ofSeconds(30), Duration.ofMinutes(10)).run(this::refitIfDue);
    loop.start();
  }

  @Override
  public void stop() {
    running = false;
    if (loop != null) {
      loop.stop();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
