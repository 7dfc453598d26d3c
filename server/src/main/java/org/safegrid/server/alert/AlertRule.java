package org.safegrid.server.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 */
public record AlertRule(String id, Type type, String title, AlertSeverity severity, Match match, Geofence geofence,
                        List<Schedule.Window> schedule, String dedupeBy, Set<String> levels, Set<String> categories,
                        boolean nearestUnits) {

  /** What a rule tests. */
  public enum Type { EVENT, RISK_LEVEL, EMERGING_HOTSPOT, SILENCE }

  /**
   * Which events an {@code event} rule looks at.
   *
   * @param source camera, checkpoint or patrol; null = any
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
   */
  public record Geofence(String layer, String trigger, Duration dwell, Double hysteresisMeters) {

    public Geofence {
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
    if (type == Type.EVENT && match == null) {
      throw new IllegalArgumentException("event rule '" + id + "' needs a match");
    }
    if (type == Type.SILENCE && (match == null || match.source() == null)) {
      throw new IllegalArgumentException("silence rule '" + id + "' needs match.source");
    }
  }
}
