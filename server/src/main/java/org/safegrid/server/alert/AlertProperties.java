package org.safegrid.server.alert;

import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Alerts ({@code safegrid.alerts.*}); the rules themselves ship in {@code alert-rules.yml}.
 *
 * @param enabled           judge events and raise alerts at all
 * @param timezone          zone of rule schedules (school hours, night windows)
 * @param reorderWindow     how long an event waits so that slightly late events of its source are judged
 *                          before it, in observed-time order; part of the commit-to-alert latency
 * @param rules             the alert rules
 * @param ackDeadline       per severity: how long an alert may stay unacknowledged before it escalates
 *                          (grid officer, then town, then the district duty desk)
 * @param escalationCheck   how often overdue alerts are looked for
 * @param unitSpeedKmh      speed used for the time a patrol unit needs to reach an alert, straight line
 * @param nearestUnits      how many available units an alert names
 * @param availableStatuses patrol statuses that count as available
 * @param positionMaxAge    a unit whose last position is older than this is not offered
 * @param zoneRefresh       how often geofence zones are reloaded from the overlays
 * @param kafkaBootstrap    Kafka bootstrap servers for the alerts topic; blank = do not publish to Kafka
 * @param kafkaTopic        the alerts topic
 */
@ConfigurationProperties("safegrid.alerts")
public record AlertProperties(@DefaultValue("true") boolean enabled, @DefaultValue("Asia/Shanghai") ZoneId timezone,
                              @DefaultValue("200ms") Duration reorderWindow, List<AlertRule> rules,
                              Map<AlertSeverity, Duration> ackDeadline, @DefaultValue("10s") Duration escalationCheck,
                              @DefaultValue("40") double unitSpeedKmh, @DefaultValue("3") int nearestUnits,
                              Set<String> availableStatuses, @DefaultValue("10m") Duration positionMaxAge,
                              @DefaultValue("30s") Duration zoneRefresh, String kafkaBootstrap,
                              @DefaultValue("safegrid.alerts") String kafkaTopic) {

  public AlertProperties {
    rules = rules == null ? List.of() : List.copyOf(rules);
    Set<String> ids = new HashSet<>();
    for (AlertRule r : rules) {
      if (!ids.add(r.id())) {
        throw new IllegalArgumentException("safegrid.alerts.rules: rule id '" + r.id() + "' is used twice");
      }
    }
    Map<AlertSeverity, Duration> d = new EnumMap<>(Map.of(AlertSeverity.CRITICAL, Duration.ofMinutes(2),
        AlertSeverity.HIGH, Duration.ofMinutes(5), AlertSeverity.MEDIUM, Duration.ofMinutes(15),
        AlertSeverity.LOW, Duration.ofMinutes(60)));
    if (ackDeadline != null) {
      d.putAll(ackDeadline);
    }
    ackDeadline = Map.copyOf(d);
    availableStatuses = availableStatuses == null || availableStatuses.isEmpty()
        ? Set.of("patrolling", "stationary") : Set.copyOf(availableStatuses);
    if (reorderWindow.isNegative() || reorderWindow.compareTo(Duration.ofMillis(600)) > 0) {
      throw new IllegalArgumentException("safegrid.alerts.reorder-window must be 0..600ms to keep alerts within a second");
    }
    if (unitSpeedKmh <= 0) {
      throw new IllegalArgumentException("safegrid.alerts.unit-speed-kmh must be positive");
    }
  }

  /** The acknowledgement deadline of a severity. */
  public Duration deadline(AlertSeverity s) {
    return ackDeadline.get(s);
  }
}
