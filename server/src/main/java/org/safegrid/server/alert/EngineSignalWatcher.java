package org.safegrid.server.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.server.hotspot.EmergingHotspotService;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LoopLifecycle;
import org.safegrid.server.risk.EngineLoadingException;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskLevel;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.stats.hotspot.EmergingCategory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Turns the spatial engine's published state into {@link EngineSignals} for the alert rules: a
 * cell whose risk level rises, a cell whose emerging-hotspot category changes.
 *
 * <p>The first look at a grid set is a baseline and raises nothing, so a restart or an activation
 * does not flood the command center with alerts for what was already there. Runs on its own
 * single thread; keeps only the previous levels and categories.
 */
@Component
class EngineSignalWatcher extends LoopLifecycle {

  private static final Logger log = LoggerFactory.getLogger(EngineSignalWatcher.class);

  private final RiskService risk;
  private final EmergingHotspotService emerging;
  private final ApplicationEventPublisher events;
  private final EngineWatchProperties properties;
  private final Map<String, String> levels = new HashMap<>();
  private final Map<String, String> categories = new HashMap<>();
  private long levelsGridSet = -1;
  private long categoriesGridSet = -1;

  EngineSignalWatcher(RiskService risk, EmergingHotspotService emerging, ApplicationEventPublisher events,
                      EngineWatchProperties properties) {
    this.risk = risk;
    this.emerging = emerging;
    this.events = events;
    this.properties = properties;
  }

  @Override
  protected BackgroundLoop createLoop() {
    if (!properties.enabled()) {
      return null;
    }
    Duration risk = properties.riskInterval();
    Duration emerging = properties.emergingInterval();
    Duration firstEmerging = emerging.compareTo(Duration.ofMinutes(1)) < 0 ? emerging : Duration.ofMinutes(1);
    return BackgroundLoop.named("engine-signal-watch").leaderOnly(leaderGate()).runEach(
        new BackgroundLoop.Task(risk, risk, this::watchRisk),
        new BackgroundLoop.Task(emerging, firstEmerging, this::watchEmerging));
  }


  void watchRisk() {
    if (!properties.enabled()) {
      return;
    }
    RiskSnapshot.WindowScores ws;
    try {
      ws = risk.scores(RiskService.WindowRequest.parse(properties.riskWindow(), null, null), List.of());
    } catch (NoSuchElementException | EngineLoadingException e) {
      return;
    }
    GridModel grid = ws.grid();
    String[] now = new String[grid.size()];
    for (int c = 0; c < now.length; c++) {
      now[c] = ws.level()[c].code();
    }
    boolean baseline = grid.gridSetId() != levelsGridSet;
    levelsGridSet = grid.gridSetId();
    for (int c : levelRises(levels, grid, now, baseline)) {
      events.publishEvent(new EngineSignals.RiskLevelChanged(grid.cell(c).code(), null, now[c],
          grid.centroidLon(c), grid.centroidLat(c), Instant.now()));
    }
  }

  void watchEmerging() {
    if (!properties.enabled()) {
      return;
    }
    GridModel grid;
    try {
      grid = risk.snapshot().grid();
    } catch (NoSuchElementException | EngineLoadingException e) {
      return;
    }
    EmergingHotspotService.Result r;
    try {
      r = emerging.analyse(grid, properties.emergingBin(), properties.emergingBins(), Instant.now(), List.of(), 95);
    } catch (RuntimeException e) {
      log.warn("emerging-hotspot watch failed: {}", e.getMessage());
      return;
    }
    boolean baseline = grid.gridSetId() != categoriesGridSet;
    categoriesGridSet = grid.gridSetId();
    for (int c = 0; c < grid.size(); c++) {
      String code = grid.cell(c).code();
      String now = ruleCategory(r.categories()[c]);
      String before = categories.put(code, now);
      if (!baseline && now != null && !now.equals(before)) {
        events.publishEvent(new EngineSignals.EmergingHotspotChanged(code, before, now, grid.centroidLon(c),
            grid.centroidLat(c), Instant.now()));
      }
    }
  }

  /**
   * The cells whose level went up since the last look (and remembers the new levels). On a
   * baseline look nothing is reported.
   */
  static List<Integer> levelRises(Map<String, String> previous, GridModel grid, String[] now, boolean baseline) {
    if (baseline) {
      previous.clear();
    }
    List<Integer> rises = new ArrayList<>();
    for (int c = 0; c < now.length; c++) {
      String before = previous.put(grid.cell(c).code(), now[c]);
      if (!baseline && before != null && rank(now[c]) > rank(before)) {
        rises.add(c);
      }
    }
    return rises;
  }

  private static int rank(String level) {
    return RiskLevel.valueOf(level.toUpperCase()).ordinal();
  }

  /**
   * The name the alert rules use for an emerging category: hot categories by their first word
   * ({@code new}, {@code intensifying}, ...), cold ones prefixed {@code cold:}; no pattern is null.
   */
  static String ruleCategory(EmergingCategory category) {
    if (category == null || category == EmergingCategory.NO_PATTERN || category == EmergingCategory.NO_NEIGHBOURS) {
      return null;
    }
    String code = category.code();
    if (code.endsWith("_hotspot")) {
      return code.substring(0, code.length() - "_hotspot".length());
    }
    return "cold:" + code.substring(0, code.length() - "_coldspot".length());
  }
}
