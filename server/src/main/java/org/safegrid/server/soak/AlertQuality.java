package org.safegrid.server.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores what SafeGrid raised (incidents, or alerts) against a scenario's ground truth. Plain Java,
 * no I/O: the alert-quality benchmark gathers the inputs.
 *
 * <ul>
 *   <li>recall of a severity class: the share of injected incidents of that class matched by at least
 *       one SafeGrid group (incident or alert) that contains one of their events;</li>
 *   <li>precision: the share of SafeGrid groups that contain at least one ground-truth event;</li>
 *   <li>first event → group: for each matched injected incident, from producing its first event to the
 *       first live-stream message about a matching group received at or after that moment.</li>
 * </ul>
 */
final class AlertQuality {

  private AlertQuality() {
  }

  /**
   * One injected real incident.
   *
   * @param id              its id
   * @param severity        critical or high
   * @param eventIds        its events
   * @param firstSentMillis wall time its first event was produced
   */
  record Truth(String id, String severity, List<String> eventIds, long firstSentMillis) {
  }

  /**
   * What SafeGrid raised: an incident with the events of its alerts, or one alert with its event.
   *
   * @param id       incident or alert id
   * @param eventIds the events that raised its alerts
   */
  record Group(long id, Set<String> eventIds) {
  }

  /**
   * The score.
   *
   * @param groups          SafeGrid groups
   * @param truthGroups     groups with at least one ground-truth event
   * @param matched         injected incidents matched, by severity
   * @param injected        injected incidents, by severity
   * @param latenciesMillis first event → first live message, one per matched injected incident seen on the stream
   * @param notSeen         matched injected incidents with no live message at or after their first event
   */
  record Score(int groups, int truthGroups, Map<String, Integer> matched, Map<String, Integer> injected,
               List<Long> latenciesMillis, int notSeen) {

    /** Share of groups with a ground-truth event; null without groups. */
    Double precision() {
      return groups == 0 ? null : truthGroups / (double) groups;
    }

    /** Recall of a severity class; null when none of that class was injected. */
    Double recall(String severity) {
      int n = injected.getOrDefault(severity, 0);
      return n == 0 ? null : matched.getOrDefault(severity, 0) / (double) n;
    }

    /** Nearest-rank percentile of the latencies, null when there are none. */
    Long latencyPercentile(double p) {
      return percentile(latenciesMillis, p);
    }
  }

  /**
   * Scores {@code groups} against {@code truth}; {@code seenAtMillis} gives for a group id the wall
   * times of its live-stream messages (absent: never seen).
   */
  static Score score(List<Truth> truth, List<Group> groups, Map<Long, List<Long>> seenAtMillis) {
    Map<String, Truth> truthByEvent = new HashMap<>();
    for (Truth t : truth) {
      for (String e : t.eventIds()) {
        truthByEvent.put(e, t);
      }
    }
    Map<Truth, List<Group>> matches = new HashMap<>();
    int truthGroups = 0;
    for (Group g : groups) {
      boolean any = false;
      for (String e : g.eventIds()) {
        Truth t = truthByEvent.get(e);
        if (t != null) {
          any = true;
          List<Group> m = matches.computeIfAbsent(t, k -> new ArrayList<>());
          if (!m.contains(g)) {
            m.add(g);
          }
        }
      }
      truthGroups += any ? 1 : 0;
    }
    Map<String, Integer> injected = new HashMap<>();
    Map<String, Integer> matched = new HashMap<>();
    List<Long> latencies = new ArrayList<>();
    int notSeen = 0;
    for (Truth t : truth) {
      injected.merge(t.severity(), 1, Integer::sum);
      List<Group> m = matches.get(t);
      if (m == null) {
        continue;
      }
      matched.merge(t.severity(), 1, Integer::sum);
      long first = Long.MAX_VALUE;
      for (Group g : m) {
        for (long seen : seenAtMillis.getOrDefault(g.id(), List.of())) {
          if (seen >= t.firstSentMillis()) {
            first = Math.min(first, seen);
          }
        }
      }
      if (first == Long.MAX_VALUE) {
        notSeen++;
      } else {
        latencies.add(first - t.firstSentMillis());
      }
    }
    Collections.sort(latencies);
    return new Score(groups.size(), truthGroups, matched, injected, List.copyOf(latencies), notSeen);
  }

  /** Nearest-rank percentile of sorted values, null when empty. */
  static Long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return null;
    }
    return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(sorted.size() * p) - 1)));
  }
}
