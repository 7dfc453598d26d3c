package org.safegrid.server.alert;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.safegrid.server.live.LiveEvent;

/**
 * Judges events and engine signals against the alert rules and returns alert candidates. Plain
 * class: no Spring, no database. Events must be fed in observed-time order per subject (the
 * {@link ReorderBuffer} does that); time-of-day windows are judged at the event's observed time in
 * the configured zone. Not thread-safe: owned by one engine thread.
 */
public final class RuleEngine {

  private static final List<String> RISK_LEVELS = List.of("low", "elevated", "high", "critical");

  private final List<AlertRule> rules;
  private final Map<String, Schedule> schedules = new HashMap<>();
  private final Map<String, GeofenceTracker> trackers = new HashMap<>();
  private final Map<String, Zone> zones;
  private final CellLocator cells;
  private final Map<String, java.util.ArrayDeque<Instant>> counted = new HashMap<>();

  /** Finds the grid cell of a point for threshold rules. */
  @FunctionalInterface
  public interface CellLocator {
    /** The code of the cell at the point, or null outside the grid. */
    String cellCode(double lon, double lat);
  }

  /**
   * An engine without a grid: threshold rules never raise.
   *
   * @param rules rules in order
   * @param zones zone per overlay layer name; a geofence rule whose layer has no zone never fires
   * @param tz    time zone of the schedules (Asia/Shanghai for the reference city)
   */
  public RuleEngine(List<AlertRule> rules, Map<String, Zone> zones, ZoneId tz) {
    this(rules, zones, tz, (lon, lat) -> null);
  }

  /**
   * @param rules rules in order
   * @param zones zone per name ({@link AlertRule.Geofence#zoneName()}); a geofence rule whose zone is missing never fires
   * @param tz    time zone of the schedules (Asia/Shanghai for the reference city)
   * @param cells the grid cell of a point, for threshold rules
   */
  public RuleEngine(List<AlertRule> rules, Map<String, Zone> zones, ZoneId tz, CellLocator cells) {
    this.rules = List.copyOf(rules);
    this.zones = Map.copyOf(zones);
    this.cells = cells;
    for (AlertRule r : rules) {
      schedules.put(r.id(), new Schedule(r.schedule(), tz));
      if (r.geofence() != null && !r.geofence().trigger().equals("inside")) {
        Zone z = zones.get(r.geofence().zoneName());
        if (z != null) {
          trackers.put(r.id(), new GeofenceTracker(z, r.geofence().dwell(), r.geofence().hysteresisMeters()));
        }
      }
    }
  }

  public List<AlertRule> rules() {
    return rules;
  }

  /** Judges one event with its parsed attributes against every event rule. */
  public List<AlertCandidate> judge(LiveEvent e, Map<String, Object> attrs) {
    List<AlertCandidate> out = judgeStateless(e, attrs);
    out.addAll(judgeTracked(e, attrs));
    return out;
  }

  /** Judges an event against the rules that keep no state (may run as soon as the event arrives). */
  public List<AlertCandidate> judgeStateless(LiveEvent e, Map<String, Object> attrs) {
    return judge(e, attrs, false);
  }

  /** Judges an event against the enter/exit rules; feed these in observed-time order per subject. */
  public List<AlertCandidate> judgeTracked(LiveEvent e, Map<String, Object> attrs) {
    return judge(e, attrs, true);
  }

  private List<AlertCandidate> judge(LiveEvent e, Map<String, Object> attrs, boolean tracked) {
    List<AlertCandidate> out = new ArrayList<>();
    for (AlertRule r : rules) {
      if (r.type() != AlertRule.Type.EVENT || trackers.containsKey(r.id()) != tracked || !matches(r.match(), e, attrs)) {
        continue;
      }
      boolean armed = schedules.get(r.id()).isActive(e.observedAt());
      if (r.geofence() != null) {
        Zone zone = zones.get(r.geofence().zoneName());
        if (zone == null) {
          continue;
        }
        String trigger = r.geofence().trigger();
        if (trigger.equals("inside")) {
          if (!armed || !zone.contains(e.lon(), e.lat())) {
            continue;
          }
        } else {
          // the tracker follows the subject even when the rule is not armed, so its side is known
          GeofenceTracker.Transition t = trackers.get(r.id()).observe(subject(e, attrs), e.lon(), e.lat(), e.observedAt());
          boolean fired = trigger.equals("enter") ? t == GeofenceTracker.Transition.ENTERED
              : t == GeofenceTracker.Transition.EXITED;
          if (!fired || !armed) {
            continue;
          }
        }
      } else if (!armed) {
        continue;
      }
      if (r.threshold() != null) {
        thresholdReached(r, e, attrs).ifPresent(out::add);
        continue;
      }
      out.add(new AlertCandidate(r, dedupeKey(r, e, attrs), e.lon(), e.lat(), e.observedAt(), e.id(), detail(e, attrs)));
    }
    return out;
  }

  /**
   * Counts the event in its cell for a threshold rule; a candidate when the count within the window
   * reaches the threshold (the cell then counts afresh). An incident known only to its district's
   * centroid belongs to no cell and is not counted.
   */
  private java.util.Optional<AlertCandidate> thresholdReached(AlertRule r, LiveEvent e, Map<String, Object> attrs) {
    if (attrs.get("location") instanceof Map<?, ?> loc && "district_centroid".equals(loc.get("quality"))) {
      return java.util.Optional.empty();
    }
    String cell = cells.cellCode(e.lon(), e.lat());
    if (cell == null) {
      return java.util.Optional.empty();
    }
    java.util.ArrayDeque<Instant> times = counted.computeIfAbsent(r.id() + "|" + cell, k -> new java.util.ArrayDeque<>());
    times.addLast(e.observedAt());
    // stateless rules see events in commit order, not observed order: the window ends at the newest
    Instant newest = times.stream().max(Instant::compareTo).orElseThrow();
    Instant from = newest.minus(r.threshold().window());
    times.removeIf(t -> t.isBefore(from));
    if (times.size() < r.threshold().count()) {
      return java.util.Optional.empty();
    }
    Map<String, Object> d = detail(e, attrs);
    d.put("cellCode", cell);
    d.put("events", times.size());
    d.put("firstObservedAt", times.stream().min(Instant::compareTo).orElseThrow().toString());
    d.put("window", r.threshold().window().toString());
    times.clear();
    return java.util.Optional.of(new AlertCandidate(r, cell, e.lon(), e.lat(), e.observedAt(), e.id(), d));
  }

  /** Judges a change of a cell's risk level: raises when it rises into one of the rule's levels. */
  public List<AlertCandidate> judge(EngineSignals.RiskLevelChanged c) {
    List<AlertCandidate> out = new ArrayList<>();
    int now = RISK_LEVELS.indexOf(c.level());
    int before = c.previousLevel() == null ? -1 : RISK_LEVELS.indexOf(c.previousLevel());
    for (AlertRule r : rules) {
      if (r.type() == AlertRule.Type.RISK_LEVEL && r.levels().contains(c.level()) && now > before
          && schedules.get(r.id()).isActive(c.at())) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cellCode", c.cellCode());
        d.put("previousLevel", c.previousLevel());
        d.put("level", c.level());
        out.add(new AlertCandidate(r, c.cellCode(), c.lon(), c.lat(), c.at(), null, d));
      }
    }
    return out;
  }

  /** Judges a change of an emerging-hotspot category. */
  public List<AlertCandidate> judge(EngineSignals.EmergingHotspotChanged c) {
    List<AlertCandidate> out = new ArrayList<>();
    for (AlertRule r : rules) {
      if (r.type() == AlertRule.Type.EMERGING_HOTSPOT && r.categories().contains(c.category())
          && !Objects.equals(c.category(), c.previousCategory()) && schedules.get(r.id()).isActive(c.at())) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("hotspotId", c.hotspotId());
        d.put("previousCategory", c.previousCategory());
        d.put("category", c.category());
        out.add(new AlertCandidate(r, c.hotspotId() + ":" + c.category(), c.lon(), c.lat(), c.at(), null, d));
      }
    }
    return out;
  }

  /** Judges a source that feed health found silent for longer than its expected interval. */
  public List<AlertCandidate> judgeSilence(String source, String sourceId, Instant lastSeenAt, java.time.Duration expected,
                                           double lon, double lat, Instant now) {
    List<AlertCandidate> out = new ArrayList<>();
    for (AlertRule r : rules) {
      if (r.type() == AlertRule.Type.SILENCE && source.equals(r.match().source()) && schedules.get(r.id()).isActive(now)) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", source);
        d.put("sourceId", sourceId);
        d.put("lastSeenAt", lastSeenAt.toString());
        d.put("expectedIntervalSeconds", expected.toSeconds());
        out.add(new AlertCandidate(r, sourceId, lon, lat, now, null, d));
      }
    }
    return out;
  }

  /** Whether any enter/exit rule follows this event's subject (those events go through the reorder buffer). */
  public boolean isTracked(LiveEvent e, Map<String, Object> attrs) {
    for (AlertRule r : rules) {
      if (trackers.containsKey(r.id()) && matches(r.match(), e, attrs)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(AlertRule.Match m, LiveEvent e, Map<String, Object> attrs) {
    if (m.source() != null && !m.source().equals(e.source())) {
      return false;
    }
    if (!m.kinds().isEmpty() && !m.kinds().contains(e.kind())) {
      return false;
    }
    for (Map.Entry<String, String> a : m.attrs().entrySet()) {
      Object v = attrs.get(a.getKey());
      if (v == null || !a.getValue().equals(String.valueOf(v))) {
        return false;
      }
    }
    return true;
  }

  /** The moving thing a geofence follows: the patrol unit for patrol events, else the source id. */
  private static String subject(LiveEvent e, Map<String, Object> attrs) {
    Object unit = attrs.get("unitId");
    return unit != null ? unit.toString() : e.sourceId();
  }

  private static String dedupeKey(AlertRule r, LiveEvent e, Map<String, Object> attrs) {
    String by = r.dedupeBy();
    if (by.equals("event")) {
      return e.id();
    }
    if (by.startsWith("attr:")) {
      Object v = attrs.get(by.substring(5));
      return v != null ? v.toString() : e.sourceId();
    }
    return e.sourceId();
  }

  private static Map<String, Object> detail(LiveEvent e, Map<String, Object> attrs) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("source", e.source());
    d.put("sourceId", e.sourceId());
    d.put("kind", e.kind());
    d.put("eventSeverity", e.severity());
    d.put("attrs", attrs);
    return d;
  }
}
