package org.safegrid.server.risk;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.safegrid.server.feedhealth.FeedHealthMonitor;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.live.LiveEventListener;
import org.safegrid.server.loop.BackgroundLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.safegrid.server.reliability.QueryTimeoutProperties;
import org.safegrid.server.upload.GridSetActivated;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the {@link RiskEngine} on the live stream and publishes its snapshots; see the package
 * documentation for the threading model.
 */
@Component
public class LiveRiskService implements LiveEventListener, SmartLifecycle {

  /** The live windows: last hour, day and week. */
  public static final List<Duration> WINDOWS = List.of(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));

  private static final Logger log = LoggerFactory.getLogger(LiveRiskService.class);
  private static final Duration REBUILD_EVERY = Duration.ofMinutes(10);
  private static final Duration GRID_CHECK_EVERY = Duration.ofSeconds(30);

  private final RiskRepository repository;
  private final RiskProperties cfg;
  private final BlockingQueue<LiveEvent> inbox = new ArrayBlockingQueue<>(1_000_000);
  private final AtomicReference<RiskSnapshot> current = new AtomicReference<>();
  private final AtomicLong droppedInbox = new AtomicLong();
  private final AtomicLong newestReceivedMs = new AtomicLong(Long.MIN_VALUE);
  private volatile long appliedReceivedMs = Long.MIN_VALUE;
  // set once a cycle has found no active grid set: then there is nothing to wait for
  private volatile boolean noActiveGrid;
  private BackgroundLoop loop;
  private volatile boolean running;

  // engine-thread state
  private RiskEngine engine;
  private CellEnvironment env;
  private Set<String> loadedIds = new HashSet<>();
  private long loadedUpToMs;
  private long lastRebuildMs;
  private long lastGridCheckMs;

  private final ApplicationEventPublisher events;

  private final ObjectProvider<FeedHealthMonitor> feedHealth;
  private final ObjectProvider<ForecastBaselines> forecast;

  public LiveRiskService(DataSource dataSource, RiskProperties cfg, QueryTimeoutProperties timeouts,
                         ApplicationEventPublisher events, ObjectProvider<FeedHealthMonitor> feedHealth,
                         ObjectProvider<ForecastBaselines> forecast) {
    this.repository = new RiskRepository(dataSource, timeouts.engine());
    this.cfg = cfg;
    this.events = events;
    this.feedHealth = feedHealth;
    this.forecast = forecast;
  }

  /** The newest published snapshot, if the engine has a grid. */
  public Optional<RiskSnapshot> current() {
    return Optional.ofNullable(current.get());
  }

  /**
   * Whether the engine is still loading its first grid: a risk or hotspot question asked now will
   * have an answer once the load (the last week of events) is done, so callers are told to retry
   * rather than that nothing exists.
   */
  public boolean loading() {
    return running && cfg.enabled() && current.get() == null && !noActiveGrid;
  }

  /** The environment of the current grid (for ad-hoc intervals), if loaded. */
  public Optional<CellEnvironment> environment() {
    return Optional.ofNullable(env);
  }

  /** How far the published state trails the newest event handed to the engine, in ms (0 when caught up). */
  public long lagMillis() {
    long newest = newestReceivedMs.get();
    return newest == Long.MIN_VALUE ? 0 : Math.max(0, newest - appliedReceivedMs);
  }

  @Override
  public void onEvents(List<LiveEvent> batch) {
    for (LiveEvent e : batch) {
      if (!inbox.offer(e)) {
        droppedInbox.incrementAndGet();
      } else {
        newestReceivedMs.accumulateAndGet(e.receivedAt().toEpochMilli(), Math::max);
      }
    }
  }

  /**
   * A new grid set went live: look for it at once instead of at the next periodic grid check, so
   * that risk and hotspots follow the activation within a cycle.
   */
  @EventListener
  public void onGridSetActivated(GridSetActivated activated) {
    synchronized (this) {
      lastGridCheckMs = 0;
    }
    BackgroundLoop l = loop;
    if (l != null) {
      l.wake();
    }
  }

  /** One engine cycle: (re)load the grid if needed, apply queued events, advance to now, publish. */
  public synchronized void refresh() {
    long now = System.currentTimeMillis();
    if (engine == null || now - lastGridCheckMs >= GRID_CHECK_EVERY.toMillis()) {
      lastGridCheckMs = now;
      Optional<Long> active = repository.findActiveGridSetId();
      if (active.isEmpty()) {
        engine = null;
        current.set(null);
        noActiveGrid = true;
        inbox.clear();
        return;
      }
      noActiveGrid = false;
      if (engine == null || engine.grid().gridSetId() != active.get()) {
        load(active.get(), now);
      }
    }
    List<LiveEvent> batch = new ArrayList<>();
    inbox.drainTo(batch);
    long applied = appliedReceivedMs;
    for (LiveEvent e : batch) {
      // the history load may already hold events the tail hands over again
      if (e.receivedAt().toEpochMilli() <= loadedUpToMs && loadedIds.contains(e.id())) {
        continue;
      }
      if (RiskRepository.isCellLevel(e.source(), e.attrsJson())) {
        engine.accept(e.observedAt().toEpochMilli(), e.lon(), e.lat(), e.source(), e.kind(), e.severity());
      }
      applied = Math.max(applied, e.receivedAt().toEpochMilli());
    }
    if (!loadedIds.isEmpty() && now - loadedUpToMs > cfg.pollOverlap().toMillis() * 6) {
      loadedIds = new HashSet<>();
    }
    engine.advanceTo(now);
    FeedHealthMonitor health = feedHealth.getIfAvailable();
    if (health != null) {
      // camera uptime as exposure: a silent camera watches nothing from the time it went silent
      engine.setCameraOutages(health.outages("camera", Instant.ofEpochMilli(now)).stream()
          .map(o -> new double[] {o.lon(), o.lat(), o.since().toEpochMilli()}).toList());
    }
    ForecastBaselines f = forecast.getIfAvailable();
    if (f != null) {
      // each window's level is judged against the self-exciting forecast made at the window's start
      Map<Long, double[]> byWindow = new HashMap<>();
      for (Duration w : WINDOWS) {
        f.expected(engine.grid(), Instant.ofEpochMilli(now).minus(w), w).ifPresent(b -> byWindow.put(w.toMillis(), b));
      }
      engine.setForecastBaselines(byWindow);
    }
    if (now - lastRebuildMs >= REBUILD_EVERY.toMillis()) {
      engine.rebuild();
      lastRebuildMs = now;
    }
    current.set(engine.snapshot());
    appliedReceivedMs = applied;
  }

  private void load(long gridSetId, long now) {
    long t0 = System.nanoTime();
    GridModel grid = repository.loadGrid(gridSetId);
    env = repository.loadEnvironment(grid, cfg);
    RiskEngine e = new RiskEngine(grid, cfg, env, WINDOWS);
    e.advanceTo(now);
    Duration longest = WINDOWS.stream().max(Duration::compareTo).orElseThrow();
    Set<String> ids = new HashSet<>();
    long overlapFrom = now - cfg.pollOverlap().toMillis() * 3;
    long[] newest = {Long.MIN_VALUE};
    Instant from = Instant.ofEpochMilli(now).minus(longest);
    Instant to = Instant.ofEpochMilli(now).plusSeconds(3600);
    // older pings arrive aggregated; the recent ones one by one with their ids, so that the tail's
    // copies of them can be recognised and skipped like any other event
    Instant recent = Instant.ofEpochMilli(overlapFrom);
    repository.forEachPingCount(from, to, recent, p -> e.addPings(p.lon(), p.lat(), p.hourStartMs(), p.count()));
    repository.forEachEventObserved(from, to, recent,
        r -> {
          e.accept(r.observedMs(), r.lon(), r.lat(), r.source(), r.kind(), r.severity());
          if (r.receivedMs() >= overlapFrom) {
            ids.add(r.id());
          }
          newest[0] = Math.max(newest[0], r.receivedMs());
        });
    loadedIds = ids;
    loadedUpToMs = Math.max(now, newest[0]);
    // before the first snapshot of this grid is published: whatever is derived per grid (hotspot
    // weights, the default hotspot answers) is ready when the first question about it comes
    events.publishEvent(new RiskGridLoaded(grid, e.snapshot()));
    engine = e;
    lastRebuildMs = now;
    log.info("risk engine loaded grid set {} ({} cells, {} events) in {} ms", gridSetId, grid.size(),
        e.stats()[0], (System.nanoTime() - t0) / 1_000_000);
  }

  @Override
  public void start() {
    running = true;
    if (!cfg.enabled()) {
      return;
    }
    loop = BackgroundLoop.named("risk-engine").every(cfg.pollInterval()).firstAfter(Duration.ZERO)
        .backoff(cfg.pollInterval(), Duration.ofSeconds(10).plus(cfg.pollInterval())).run(this::refresh);
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
