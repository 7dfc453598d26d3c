package org.safegrid.server.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.safegrid.server.feedhealth.FeedHealthSignals;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.live.LiveEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs the alert rules live: takes newly committed events from the event tail and signals from the
 * engine and feed health, judges them on its own thread and raises alerts through
 * {@link AlertService}, then publishes {@link AlertEvents} after each commit.
 *
 * <p>Threading: {@link #onEvents} and the signal listeners only enqueue; one engine thread owns the
 * {@link RuleEngine} (its geofence state) and the {@link ReorderBuffer}. Stateless rules (campus
 * alarm, checkpoint hit, zone-at-night) are judged as soon as an event arrives; enter/exit rules wait
 * in the reorder buffer and are judged in observed-time order. The same thread escalates overdue
 * alerts and reloads geofence zones when an overlay layer's version changes.
 */
@Component
public class AlertEngine implements LiveEventListener, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

  private record Arrival(LiveEvent event, Instant at) {
  }

  private final AlertProperties properties;
  private final AlertService alerts;
  private final JdbcTemplate jdbc;
  private final ApplicationEventPublisher publisher;
  private final ObjectMapper json = new ObjectMapper();
  private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Object> signals = new ConcurrentLinkedQueue<>();
  private final ReorderBuffer buffer;
  private final Timer latency;
  private RuleEngine engine;
  private Map<String, Integer> zoneVersions;
  private Instant nextEscalation = Instant.EPOCH;
  private volatile Instant nextZoneCheck = Instant.EPOCH;
  private ScheduledExecutorService executor;
  private volatile boolean running;

  public AlertEngine(AlertProperties properties, AlertService alerts, JdbcTemplate jdbc,
                     ApplicationEventPublisher publisher, MeterRegistry meters) {
    this.properties = properties;
    this.alerts = alerts;
    this.jdbc = jdbc;
    this.publisher = publisher;
    this.buffer = new ReorderBuffer(properties.reorderWindow());
    this.latency = Timer.builder("safegrid.alerts.commit.to.publish").description("event stored to alert published")
        .publishPercentiles(0.5, 0.99).register(meters);
    this.engine = new RuleEngine(properties.rules(), Map.of(), properties.timezone());
  }

  /** The configured rules. */
  public List<AlertRule> listRules() {
    return properties.rules();
  }

  @Override
  public void onEvents(List<LiveEvent> batch) {
    if (!running) {
      return;
    }
    Instant now = Instant.now();
    for (LiveEvent e : batch) {
      arrivals.add(new Arrival(e, now));
    }
    executor.execute(this::safeStep);
  }

  /** Once the reference city or uploads are in place, the zones are (re)loaded on the next step. */
  @EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
  void onReady() {
    nextZoneCheck = Instant.EPOCH;
  }

  @EventListener
  void on(EngineSignals.RiskLevelChanged change) {
    signal(change);
  }

  @EventListener
  void on(EngineSignals.EmergingHotspotChanged change) {
    signal(change);
  }

  @EventListener
  void on(FeedHealthSignals.SourceSilent silence) {
    signal(silence);
  }

  @EventListener
  void on(FeedHealthSignals.SourceResumed resumed) {
    signal(resumed);
  }

  private void signal(Object s) {
    if (running) {
      signals.add(s);
      executor.execute(this::safeStep);
    }
  }

  private void safeStep() {
    try {
      step(Instant.now());
    } catch (RuntimeException e) {
      log.error("alert engine step failed", e);
    }
  }

  /** One round of the engine thread: judge what arrived, what is due in the buffer, and escalate. */
  synchronized void step(Instant now) {
    if (!now.isBefore(nextZoneCheck)) {
      nextZoneCheck = now.plus(properties.zoneRefresh());
      reloadZonesIfChanged();
    }
    Arrival a;
    while ((a = arrivals.poll()) != null) {
      Map<String, Object> attrs = attrs(a.event());
      raiseAll(engine.judgeStateless(a.event(), attrs), a.event());
      if (engine.isTracked(a.event(), attrs)) {
        buffer.add(a.event(), a.at());
      }
    }
    for (LiveEvent e : buffer.release(now)) {
      raiseAll(engine.judgeTracked(e, attrs(e)), e);
    }
    Object s;
    while ((s = signals.poll()) != null) {
      if (s instanceof EngineSignals.RiskLevelChanged r) {
        raiseAll(engine.judge(r), null);
      } else if (s instanceof EngineSignals.EmergingHotspotChanged h) {
        raiseAll(engine.judge(h), null);
      } else if (s instanceof FeedHealthSignals.SourceSilent f) {
        raiseAll(engine.judgeSilence(f.source(), f.sourceId(), f.lastSeenAt(), f.expectedInterval(), f.lon(), f.lat(),
            f.detectedAt()), null);
      } else if (s instanceof FeedHealthSignals.SourceResumed r) {
        for (AlertRule rule : properties.rules()) {
          if (rule.type() == AlertRule.Type.SILENCE && r.source().equals(rule.match().source())) {
            alerts.resolveCause(rule.id(), r.sourceId(), AlertService.Actor.SYSTEM, "feed resumed at " + r.at())
                .ifPresent(al -> publisher.publishEvent(new AlertEvents.AlertChanged(al, "resolve")));
          }
        }
      }
    }
    if (!now.isBefore(nextEscalation)) {
      nextEscalation = now.plus(properties.escalationCheck());
      escalate(now);
    }
  }

  /** Escalates overdue alerts as of {@code now} and publishes the changes. */
  public List<Alert> escalate(Instant now) {
    List<Alert> escalated = alerts.escalateDue(now);
    for (Alert al : escalated) {
      publisher.publishEvent(new AlertEvents.AlertChanged(al, "escalate"));
    }
    return escalated;
  }

  private void raiseAll(List<AlertCandidate> candidates, LiveEvent cause) {
    for (AlertCandidate c : candidates) {
      Optional<Alert> raised = alerts.raise(c);
      if (raised.isPresent()) {
        long lag = -1;
        if (cause != null) {
          lag = Math.max(0, Instant.now().toEpochMilli() - cause.receivedAt().toEpochMilli());
          latency.record(lag, TimeUnit.MILLISECONDS);
        }
        publisher.publishEvent(new AlertEvents.AlertRaised(raised.get(), lag));
      }
    }
  }

  private Map<String, Object> attrs(LiveEvent e) {
    try {
      return e.attrsJson() == null ? Map.of() : json.readValue(e.attrsJson(), MAP);
    } catch (java.io.IOException ex) {
      return Map.of();
    }
  }

  /** Rebuilds the rule engine with fresh zones when an overlay used by a geofence rule has a new version. */
  void reloadZonesIfChanged() {
    List<String> layers = properties.rules().stream().filter(r -> r.geofence() != null)
        .map(r -> r.geofence().layer()).distinct().toList();
    if (layers.isEmpty()) {
      return;
    }
    Map<String, Integer> versions = new HashMap<>();
    for (String layer : layers) {
      jdbc.query("SELECT version FROM overlay_layer WHERE layer = ?", rs -> {
        versions.put(layer, rs.getInt(1));
      }, layer);
    }
    if (versions.equals(zoneVersions)) {
      return;
    }
    Map<String, Zone> zones = new HashMap<>();
    WKBReader wkb = new WKBReader();
    for (String layer : versions.keySet()) {
      byte[] bytes = jdbc.queryForObject("SELECT ST_AsBinary(ST_UnaryUnion(ST_Collect(f.geom))) FROM overlay_feature f "
          + "JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version WHERE f.layer = ?", byte[].class, layer);
      if (bytes != null) {
        try {
          Geometry g = wkb.read(bytes);
          zones.put(layer, new Zone(layer, g));
        } catch (ParseException e) {
          log.error("overlay {} could not be read as a zone", layer, e);
        }
      }
    }
    engine = new RuleEngine(properties.rules(), zones, properties.timezone());
    zoneVersions = versions;
    log.info("alert zones loaded: {}", zones.keySet());
  }

  @Override
  public void start() {
    if (!properties.enabled()) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "alert-engine");
      t.setDaemon(true);
      return t;
    });
    long tick = Math.max(20, properties.reorderWindow().toMillis() / 4);
    executor.scheduleWithFixedDelay(this::safeStep, 0, tick, TimeUnit.MILLISECONDS);
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
