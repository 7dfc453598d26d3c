package org.safegrid.server.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.safegrid.server.feed.EventFeed;
import org.safegrid.server.feed.EventFeedProperties;
import org.safegrid.server.feed.EventFeeds;
import org.safegrid.server.feed.FeedConsumer;
import org.safegrid.server.feed.FeedPosition;
import org.safegrid.server.feed.FeedPositions;
import org.safegrid.server.feed.PoisonEventSkipped;
import org.safegrid.server.feedhealth.FeedHealthSignals;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.loop.LeaderGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the alert rules live: reads newly committed events from the event feed with its own position
 * (consumer {@value #CONSUMER}), takes signals from the engine, feed health and the feed's other
 * consumers, judges them on its own loop ({@code alert-engine}) and raises alerts through {@link
 * AlertService}, then publishes {@link AlertEvents} after each commit.
 *
 * <p>Delivery: the alerts raised for a batch of events and the feed position after it are written in
 * one transaction, so after a crash or restart the engine resumes exactly where it stopped: every
 * stored event is judged once by the stateless rules (campus alarm, checkpoint hit, zone at night).
 * A batch that fails is rolled back and read again after a backoff; see {@link FeedConsumer} for
 * poison events. On resuming from a backlog one {@code alerting-gap} alert names it; events stored
 * longer ago than {@code safegrid.feed.resume-horizon} are counted there and not alerted one by one.
 * Enter/exit rules keep their subjects' sides in memory and start afresh after a restart (a
 * subject's first position sets its side), as before.
 *
 * <p>Threading: the signal listeners only enqueue; the loop's thread owns the {@link RuleEngine}
 * (its geofence state) and the {@link ReorderBuffer}. Stateless rules are judged as soon as an event
 * is read; enter/exit rules wait in the reorder buffer and are judged in observed-time order. The
 * same thread escalates overdue alerts and reloads geofence zones when an overlay layer's version
 * changes.
 *
 * <p>Replicas: the loop runs on the elected leader only ({@link LeaderGate}). Each position save is a
 * compare-and-set on the stored generation ({@link FeedPositions#compareAndSave}), so a stale leader
 * that still finishes a step after a newer one took over cannot commit the same events again: its
 * transaction, alerts included, rolls back, and it reads the stored position again. A new term (this
 * replica leads again) after another replica saved the position reads the stored position and
 * forgets the reorder buffer.
 */
@Component
public class AlertEngine implements SmartLifecycle {

  /** The feed consumer name of the alert engine, its row in {@code event_feed_position}. */
  public static final String CONSUMER = "alerts";

  private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };
  private static final AlertRule.Match ANY = new AlertRule.Match(null, Set.of(), Map.of());
  private static final AlertRule POISON_RULE = new AlertRule("feed-poison-event", AlertRule.Type.EVENT,
      "An event was skipped after failing every delivery attempt", AlertSeverity.HIGH, ANY, null, null, "event",
      null, null, false);

  private final AlertProperties properties;
  private final EventFeedProperties feedProperties;
  private final AlertService alerts;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final ApplicationEventPublisher publisher;
  private final MeterRegistry meters;
  private final EventFeed feed;
  private final FeedPositions positions;
  private final ObjectMapper json = new ObjectMapper();
  private final ConcurrentLinkedQueue<Object> signals = new ConcurrentLinkedQueue<>();
  private final LeaderGate leader;
  private ReorderBuffer buffer;
  private final Timer latency;
  private RuleEngine engine;
  private Map<String, Integer> zoneVersions;
  private Instant nextEscalation = Instant.EPOCH;
  private Instant nextFeedRead = Instant.EPOCH;
  private volatile Instant nextZoneCheck = Instant.EPOCH;
  private volatile FeedConsumer consumer;
  private long generation;
  private long term = -1;
  private Instant skipStoredBefore;
  private BackgroundLoop loop;
  private volatile boolean running;

  public AlertEngine(AlertProperties properties, EventFeedProperties feedProperties, AlertService alerts,
                     JdbcTemplate jdbc, TransactionTemplate tx, ApplicationEventPublisher publisher,
                     MeterRegistry meters, LeaderGate leader) {
    this.properties = properties;
    this.feedProperties = feedProperties;
    this.alerts = alerts;
    this.jdbc = jdbc;
    this.tx = tx;
    this.publisher = publisher;
    this.meters = meters;
    this.leader = leader;
    this.feed = new EventFeed(jdbc, feedProperties.readTimeout());
    this.positions = new FeedPositions(jdbc);
    this.buffer = new ReorderBuffer(properties.reorderWindow());
    this.latency = Timer.builder("safegrid.alerts.commit.to.publish").description("event stored to alert published")
        .publishPercentiles(0.5, 0.99).register(meters);
    this.engine = new RuleEngine(properties.rules(), Map.of(), properties.timezone(), alerts::findCellCode);
  }

  /** The configured rules. */
  public List<AlertRule> listRules() {
    return properties.rules();
  }

  /** The engine's feed position (null until its loop has resumed). */
  public FeedPosition feedPosition() {
    FeedConsumer c = consumer;
    return c == null ? null : c.position();
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

  @EventListener
  void on(PoisonEventSkipped skipped) {
    signal(skipped);
  }

  private void signal(Object s) {
    // a follower drops them: the leader's engine gets the same signals from its own replica
    if (running && leader.isLeader()) {
      signals.add(s);
      loop.wake();
    }
  }

  /**
   * One round of the engine's loop: read and judge newly committed events, release what is due in
   * the reorder buffer, judge signals, escalate; returns true when more events are waiting.
   */
  boolean step() throws Exception {
    Instant now = Instant.now();
    long t = leader.term();
    if (t != term) {
      // leading again: if another replica saved the position meanwhile, what this one holds is stale
      // (a database blip that only renewed this replica's lock keeps the reorder buffer)
      if (consumer != null && positions.find(CONSUMER).map(FeedPositions.Stored::generation).orElse(-1L) != generation) {
        consumer = null;
        buffer = new ReorderBuffer(properties.reorderWindow());
      }
      term = t;
    }
    if (!now.isBefore(nextZoneCheck)) {
      nextZoneCheck = now.plus(properties.zoneRefresh());
      reloadZonesIfChanged();
    }
    if (consumer == null && feedProperties.enabled()) {
      resume(now);
    }
    boolean more = false;
    Exception feedFailure = null;
    if (consumer != null && !now.isBefore(nextFeedRead)) {
      try {
        more = consumer.step();
        nextFeedRead = more ? now : now.plus(feedProperties.pollInterval());
        if (!more) {
          skipStoredBefore = null;
        }
      } catch (FeedPositions.StalePositionException stale) {
        log.warn("alert engine: {}", stale.getMessage());
        consumer = null;
        nextFeedRead = now;
      } catch (Exception e) {
        feedFailure = e;
      }
    }
    for (LiveEvent e : buffer.release(now)) {
      raiseAndPublish(engine.judgeTracked(e, attrs(e)), e);
    }
    Object s;
    while ((s = signals.poll()) != null) {
      judgeSignal(s);
    }
    if (!now.isBefore(nextEscalation)) {
      nextEscalation = now.plus(properties.escalationCheck());
      escalate(now);
    }
    if (feedFailure != null) {
      throw feedFailure;
    }
    return more;
  }

  /** Loads the stored position (or starts at the head the first time) and reports a backlog. */
  private void resume(Instant now) {
    Optional<FeedPositions.Stored> stored = positions.find(CONSUMER);
    FeedPosition start;
    if (stored.isEmpty()) {
      positions.insertIfAbsent(CONSUMER, feed.head());
      FeedPositions.Stored first = positions.find(CONSUMER).orElseThrow();
      start = first.position();
      generation = first.generation();
      log.info("alert engine: no stored feed position, starting at the head ({})", start);
    } else {
      start = stored.get().position();
      generation = stored.get().generation();
      Instant cutoff = now.minus(feedProperties.resumeHorizon());
      EventFeed.Backlog backlog = feed.backlog(start, cutoff);
      if (backlog.events() > 0) {
        reportGap(stored.get(), backlog, now);
        if (backlog.olderThanCutoff() > 0) {
          skipStoredBefore = cutoff;
        }
      }
    }
    consumer = new FeedConsumer(CONSUMER, feed, start, new FeedConsumer.Delivery() {
      @Override
      public void deliver(List<LiveEvent> events, FeedPosition next) {
        judgeEvents(events, next);
      }

      @Override
      public void skip(LiveEvent poison, FeedPosition next) {
        generation = tx.execute(st -> positions.compareAndSave(CONSUMER, next, generation));
      }
    }, feedProperties.maxBatch(), feedProperties.maxAttempts(), meters,
        (name, e, attempts, failure) -> signals.add(new PoisonEventSkipped(name, e.id(), e.source(), e.kind(),
            e.observedAt(), attempts, String.valueOf(failure), Instant.now())));
  }

  private void reportGap(FeedPositions.Stored stored, EventFeed.Backlog backlog, Instant now) {
    long late = backlog.events() - backlog.olderThanCutoff();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("events", backlog.events());
    detail.put("firstStoredAt", String.valueOf(backlog.firstStored()));
    detail.put("lastStoredAt", String.valueOf(backlog.lastStored()));
    detail.put("positionStoredAt", stored.storedAt().toString());
    detail.put("resumedAt", now.toString());
    detail.put("judgedLate", late);
    detail.put("notAlertedOneByOne", backlog.olderThanCutoff());
    detail.put("resumeHorizon", feedProperties.resumeHorizon().toString());
    detail.put("notAlertedBySourceKind", backlog.bySourceKind());
    String title = backlog.events() + " events were stored while alerting was down"
        + (backlog.olderThanCutoff() > 0 ? " (" + backlog.olderThanCutoff() + " older than "
        + readable(feedProperties.resumeHorizon()) + " not alerted one by one)" : " (judged late)");
    AlertRule rule = new AlertRule("alerting-gap", AlertRule.Type.EVENT, title,
        backlog.olderThanCutoff() > 0 ? AlertSeverity.HIGH : AlertSeverity.MEDIUM, ANY, null, null, "event", null,
        null, false);
    log.warn("alert engine resumes from a backlog: {}, {}", title, detail);
    raiseAndPublish(List.of(new AlertCandidate(rule, "gap-from-" + stored.position().floor(), Double.NaN, Double.NaN,
        backlog.firstStored() == null ? now : backlog.firstStored(), null, detail)), null);
  }

  /** Judges a batch by the stateless rules and stores the position after it, in one transaction. */
  private void judgeEvents(List<LiveEvent> events, FeedPosition next) {
    Instant arrived = Instant.now();
    List<AlertEvents.AlertRaised> raised = new ArrayList<>();
    List<LiveEvent> tracked = new ArrayList<>();
    Instant skipBefore = skipStoredBefore;
    long expected = generation;
    // the new generation is kept only once the transaction committed
    generation = tx.execute(st -> {
      // the position row first: a racing instance waits here rather than holding locks it judged with
      positions.claim(CONSUMER, expected);
      for (LiveEvent e : events) {
        if (skipBefore != null && e.receivedAt().isBefore(skipBefore)) {
          continue;
        }
        Map<String, Object> attrs = attrs(e);
        for (AlertCandidate c : engine.judgeStateless(e, attrs)) {
          alerts.raise(c).ifPresent(al -> raised.add(new AlertEvents.AlertRaised(al, lagOf(e))));
        }
        if (engine.isTracked(e, attrs)) {
          tracked.add(e);
        }
      }
      return positions.compareAndSave(CONSUMER, next, expected);
    });
    // only after the commit: a rolled-back batch comes again and must not be buffered or published twice
    for (LiveEvent e : tracked) {
      buffer.add(e, arrived);
    }
    for (AlertEvents.AlertRaised r : raised) {
      latency.record(r.eventCommitLagMillis(), TimeUnit.MILLISECONDS);
      publisher.publishEvent(r);
    }
  }

  /** 1 h, 90 min, 2 s: a horizon as a duty officer reads it. */
  static String readable(Duration d) {
    if (d.toSeconds() % 3600 == 0) {
      return d.toHours() + " h";
    }
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  private static long lagOf(LiveEvent cause) {
    return Math.max(0, Instant.now().toEpochMilli() - cause.receivedAt().toEpochMilli());
  }

  private void judgeSignal(Object s) {
    if (s instanceof EngineSignals.RiskLevelChanged r) {
      raiseAndPublish(engine.judge(r), null);
    } else if (s instanceof EngineSignals.EmergingHotspotChanged h) {
      raiseAndPublish(engine.judge(h), null);
    } else if (s instanceof FeedHealthSignals.SourceSilent f) {
      raiseAndPublish(engine.judgeSilence(f.source(), f.sourceId(), f.lastSeenAt(), f.expectedInterval(), f.lon(),
          f.lat(), f.detectedAt()), null);
    } else if (s instanceof FeedHealthSignals.SourceResumed r) {
      for (AlertRule rule : properties.rules()) {
        if (rule.type() == AlertRule.Type.SILENCE && r.source().equals(rule.match().source())) {
          alerts.resolveCause(rule.id(), r.sourceId(), AlertService.Actor.SYSTEM, "feed resumed at " + r.at())
              .ifPresent(al -> publisher.publishEvent(new AlertEvents.AlertChanged(al, "resolve")));
        }
      }
    } else if (s instanceof PoisonEventSkipped p) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("consumer", p.consumer());
      detail.put("eventId", p.eventId());
      detail.put("source", p.source());
      detail.put("kind", p.kind());
      detail.put("attempts", p.attempts());
      detail.put("failure", p.failure());
      raiseAndPublish(List.of(new AlertCandidate(POISON_RULE, p.consumer() + ":" + p.eventId(), Double.NaN,
          Double.NaN, p.observedAt(), p.eventId(), detail)), null);
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

  private void raiseAndPublish(List<AlertCandidate> candidates, LiveEvent cause) {
    for (AlertCandidate c : candidates) {
      Optional<Alert> raised = alerts.raise(c);
      if (raised.isPresent()) {
        long lag = -1;
        if (cause != null) {
          lag = lagOf(cause);
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
    Map<String, AlertRule.Geofence> fences = new HashMap<>();
    properties.rules().stream().filter(r -> r.geofence() != null)
        .forEach(r -> fences.putIfAbsent(r.geofence().zoneName(), r.geofence()));
    if (fences.isEmpty()) {
      return;
    }
    Map<String, Integer> versions = new HashMap<>();
    for (AlertRule.Geofence f : fences.values()) {
      jdbc.query("SELECT version FROM overlay_layer WHERE layer = ?", rs -> {
        versions.put(f.layer(), rs.getInt(1));
      }, f.layer());
    }
    if (versions.equals(zoneVersions)) {
      return;
    }
    Map<String, Zone> zones = new HashMap<>();
    WKBReader wkb = new WKBReader();
    for (Map.Entry<String, AlertRule.Geofence> z : fences.entrySet()) {
      String layer = z.getValue().layer();
      if (!versions.containsKey(layer)) {
        continue;
      }
      Double buffer = z.getValue().bufferMeters();
      // a widened zone is buffered on the sphere (metres), then unioned
      String geom = buffer == null ? "f.geom" : "ST_Buffer(f.geom::geography, " + buffer + ")::geometry";
      byte[] bytes = jdbc.queryForObject("SELECT ST_AsBinary(ST_UnaryUnion(ST_Collect(" + geom + "))) "
          + "FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version WHERE f.layer = ?",
          byte[].class, layer);
      if (bytes != null) {
        try {
          Geometry g = wkb.read(bytes);
          zones.put(z.getKey(), new Zone(z.getKey(), g));
        } catch (ParseException e) {
          log.error("overlay {} could not be read as a zone", z.getKey(), e);
        }
      }
    }
    engine = new RuleEngine(properties.rules(), zones, properties.timezone(), alerts::findCellCode);
    zoneVersions = versions;
    log.info("alert zones loaded: {}", zones.keySet());
  }

  @Override
  public synchronized void start() {
    if (!properties.enabled() || running) {
      return;
    }
    Duration tick = Duration.ofMillis(Math.max(20, properties.reorderWindow().toMillis() / 4));
    loop = EventFeeds.loop("alert-engine", feedProperties, meters).leaderOnly(leader).every(tick).step(this::step);
    running = true;
    loop.start();
  }

  @Override
  public synchronized void stop() {
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
