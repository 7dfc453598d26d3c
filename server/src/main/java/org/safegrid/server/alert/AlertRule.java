package org.safegrid.server.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * One alert rule as configured in {@code alert-rules.yml} ({@code safegrid.alerts.rules[*]}): a test
 * on events or engine changes, when it is armed, how severe, and what counts as the same cause.
 *
 * @param id          stable rule id (appears in alerts and in de-duplication)
 * @param type        what the rule tests
 * @param title       human title of the alerts it raises
 * @param severity    severity of its alerts
 * @param match       for {@code event} rules: which events (null for other types)
 * @param geofence    for {@code event} rules: a zone the event must be in, or whose entry/exit is the cause
 * @param schedule    windows in which the rule is armed (judged at the event's observed time); empty = always
 * @param dedupeBy    what makes two triggers the same cause: {@code source} (the source id), {@code attr:NAME}
 *                    (an attribute), {@code cell} (the grid cell), {@code event} (every event is its own cause)
 * @param levels      for {@code risk-level} rules: levels that raise (e.g. high, critical)
 * @param categories  for {@code emerging-hotspot} rules: categories that raise (e.g. new, intensifying)
 *                    (silence rules raise when feed health finds a source of {@code match.source} silent
 *                    for longer than its expected interval)
 * @param nearestUnits name the nearest available patrol units in the alert
 * @param grouping    how its alerts join incidents; null = {@link Grouping#DEFAULT}
 * @param inhibit     what an open critical incident of this rule suppresses; null = nothing
 * @param threshold   for {@code event} rules: raise only when this many matching events fall in one
 *                    grid cell within a window; null = every matching event raises
 */
public record AlertRule(String id, Type type, String title, AlertSeverity severity, Match match, Geofence geofence,
                        List<Schedule.Window> schedule, String dedupeBy, Set<String> levels, Set<String> categories,
                        boolean nearestUnits, Grouping grouping, Inhibit inhibit, Threshold threshold) {

  /**
   * A count of matching (armed, in-zone) events per grid cell: the rule raises when the
   * {@code count}-th event within {@code window} of each other falls in the same cell, and then
   * counts afresh in that cell. Events outside every cell are not counted.
   *
   * @param count  events needed, at least 2
   * @param window event-time span they must fall in; positive
   */
  public record Threshold(Integer count, Duration window) {

    public Threshold {
      if (count == null || count < 2) {
        throw new IllegalArgumentException("threshold count must be at least 2, got " + count);
      }
      if (window == null || window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("threshold window must be positive, got " + window);
      }
    }
  }

  /**
   * How a rule's alerts join incidents: alerts with the same key whose observed times lie within
   * {@code window} of each other (and, with a radius, whose places lie within it of an alert of the
   * incident observed within the window) are one incident, until it is quiet for {@code quietPeriod}.
   *
   * @param key          {@code rule} (all alerts of the rule), {@code cause} (the alert's dedupe key),
   *                     {@code source} (the source id), {@code attr:NAME} (an event attribute),
   *                     {@code cell}, {@code town} or {@code district} (of the active grid set); an alert
   *                     without the key's value is an incident of its own
   * @param window       event-time window between an incident's alerts; positive
   * @param radiusMeters distance to an alert of the incident within the window; null = any distance
   * @param quietPeriod  an incident no alert joined for this long (event time or wall clock) is closed
   */
  public record Grouping(String key, Duration window, Double radiusMeters, Duration quietPeriod) {

    /** The grouping keys besides {@code attr:NAME}. */
    public static final List<String> KEYS = List.of("rule", "cause", "source", "cell", "town", "district");

    /** Alerts of one cause within an hour are one incident, closed after 30 quiet minutes. */
    public static final Grouping DEFAULT = new Grouping("cause", Duration.ofHours(1), null, Duration.ofMinutes(30));

    public Grouping {
      key = key == null ? "cause" : key;
      window = window == null ? Duration.ofHours(1) : window;
      quietPeriod = quietPeriod == null ? Duration.ofMinutes(30) : quietPeriod;
      if (window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("grouping window must be positive, got " + window);
      }
      if (quietPeriod.isZero() || quietPeriod.isNegative()) {
        throw new IllegalArgumentException("grouping quiet-period must be positive, got " + quietPeriod);
      }
      if (radiusMeters != null && !(radiusMeters > 0)) {
        throw new IllegalArgumentException("grouping radius-meters must be positive, got " + radiusMeters);
      }
      if (!KEYS.contains(key) && !(key.startsWith("attr:") && key.length() > 5)) {
        throw new IllegalArgumentException("grouping key '" + key + "' is not one of " + String.join(", ", KEYS)
            + " or attr:NAME");
      }
    }
  }

  /**
   * Inhibition: while an incident of this rule is open and critical, alerts of the listed rules (of
   * a lower severity) observed within {@code radiusMeters} of it and within {@code window} of its
   * observed times join it as suppressed alerts instead of becoming incidents of their own.
   *
   * @param rules        ids of the rules whose alerts it explains
   * @param radiusMeters distance from the incident's places
   * @param window       event time before its first and after its last alert
   */
  public record Inhibit(Set<String> rules, Double radiusMeters, Duration window) {

    public Inhibit {
      rules = rules == null ? Set.of() : Set.copyOf(rules);
      window = window == null ? Duration.ofMinutes(30) : window;
      if (radiusMeters == null || !(radiusMeters > 0)) {
        throw new IllegalArgumentException("inhibit radius-meters must be positive, got " + radiusMeters);
      }
      if (window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("inhibit window must be positive, got " + window);
      }
    }
  }

  /** A rule without a threshold: every matching event raises. */
  public AlertRule(String id, Type type, String title, AlertSeverity severity, Match match, Geofence geofence,
                   List<Schedule.Window> schedule, String dedupeBy, Set<String> levels, Set<String> categories,
                   boolean nearestUnits, Grouping grouping, Inhibit inhibit) {
    this(id, type, title, severity, match, geofence, schedule, dedupeBy, levels, categories, nearestUnits, grouping,
        inhibit, null);
  }

  /** A rule without incident grouping or inhibition settings (they take their defaults). */
  public AlertRule(String id, Type type, String title, AlertSeverity severity, Match match, Geofence geofence,
                   List<Schedule.Window> schedule, String dedupeBy, Set<String> levels, Set<String> categories,
                   boolean nearestUnits) {
    this(id, type, title, severity, match, geofence, schedule, dedupeBy, levels, categories, nearestUnits, null, null);
  }

  /** What a rule tests. */
  public enum Type { EVENT, RISK_LEVEL, EMERGING_HOTSPOT, SILENCE }

  /**
   * Which events an {@code event} rule looks at.
   *
   * @param source camera, checkpoint, patrol or incident; null = any
   * @param kinds  event kinds; empty = any
   * @param attrs  attribute values that must all be equal (compared as text)
   */
  public record Match(String source, Set<String> kinds, Map<String, String> attrs) {

    public Match {
      kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
      attrs = attrs == null ? Map.of() : Map.copyOf(attrs);
    }
  }

  /**
   * A zone test.
   *
   * @param layer            overlay layer whose live features make the zone (e.g. coastal_zone, districts)
   * @param trigger          {@code inside}: every matching event inside raises; {@code enter}/{@code exit}:
   *                         the subject's crossing raises, judged with dwell and hysteresis
   * @param dwell            how long the subject must stay on the new side before it counts
   * @param hysteresisMeters band around the boundary in which a position does not change the side
   * @param bufferMeters     the zone is the layer's features widened by this distance (e.g. 300 m around
   *                         each campus); null = the features themselves
   */
  public record Geofence(String layer, String trigger, Duration dwell, Double hysteresisMeters, Double bufferMeters) {

    /** A zone of the layer's features themselves. */
    public Geofence(String layer, String trigger, Duration dwell, Double hysteresisMeters) {
      this(layer, trigger, dwell, hysteresisMeters, null);
    }

    /** The name of the zone this geofence tests: the layer, or {@code layer+bufferMeters} when widened. */
    public String zoneName() {
      return bufferMeters == null ? layer : layer + "+" + Math.round(bufferMeters) + "m";
    }

    @ConstructorBinding
    public Geofence {
      if (bufferMeters != null && !(bufferMeters > 0 && bufferMeters <= 5000)) {
        throw new IllegalArgumentException("geofence buffer-meters must be above 0 and at most 5000, got " + bufferMeters);
      }
      trigger = trigger == null ? "inside" : trigger;
      if (!Set.of("inside", "enter", "exit").contains(trigger)) {
        throw new IllegalArgumentException("geofence trigger '" + trigger + "' must be inside, enter or exit");
      }
      dwell = dwell == null ? Duration.ZERO : dwell;
      hysteresisMeters = hysteresisMeters == null ? 0.0 : hysteresisMeters;
      if (layer == null || layer.isBlank()) {
        throw new IllegalArgumentException("a geofence needs the overlay layer of its zone");
      }
    }
  }

  @ConstructorBinding
  public AlertRule {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("safegrid.alerts.rules[*].id is required");
    }
    if (type == null || severity == null) {
      throw new IllegalArgumentException("alert rule '" + id + "' needs a type and a severity");
    }
    title = title == null ? id : title;
    schedule = schedule == null ? List.of() : List.copyOf(schedule);
    dedupeBy = dedupeBy == null ? "source" : dedupeBy;
    levels = levels == null ? Set.of() : Set.copyOf(levels);
    categories = categories == null ? Set.of() : Set.copyOf(categories);
    grouping = grouping == null ? Grouping.DEFAULT : grouping;
    if (type == Type.EVENT && match == null) {
      throw new IllegalArgumentException("event rule '" + id + "' needs a match");
    }
    if (threshold != null && type != Type.EVENT) {
      throw new IllegalArgumentException("alert rule '" + id + "': a threshold needs an event rule");
    }
    if (type == Type.SILENCE && (match == null || match.source() == null)) {
      throw new IllegalArgumentException("silence rule '" + id + "' needs match.source");
    }
  }
}
