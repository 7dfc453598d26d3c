package org.safegrid.server.feedhealth;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Feed health ({@code safegrid.feed-health.*}): how often each kind of source is expected to be heard.
 *
 * @param enabled          watch feeds at all
 * @param expectedInterval per source (camera, checkpoint, patrol): a device or unit silent for longer is dead
 * @param checkInterval    how often silence is looked for
 * @param flushInterval    how often last-seen times are written to the database (for restarts)
 * @param ignoreStatuses   patrol statuses whose silence is expected (e.g. off_duty)
 * @param ignoreKinds      event kinds that do not make their sender a watched feed: a campus alarm
 *                         station speaks only when pressed, so its silence means nothing
 */
@ConfigurationProperties("safegrid.feed-health")
public record FeedHealthProperties(@DefaultValue("true") boolean enabled, Map<String, Duration> expectedInterval,
                                   @DefaultValue("5s") Duration checkInterval, @DefaultValue("10s") Duration flushInterval,
                                   Set<String> ignoreStatuses, Set<String> ignoreKinds) {

  public FeedHealthProperties {
    Map<String, Duration> m = new HashMap<>(Map.of("camera", Duration.ofMinutes(10), "checkpoint", Duration.ofMinutes(15),
        "patrol", Duration.ofMinutes(2)));
    if (expectedInterval != null) {
      m.putAll(expectedInterval);
    }
    for (var e : m.entrySet()) {
      if (!Set.of("camera", "checkpoint", "patrol").contains(e.getKey()) || e.getValue().isNegative() || e.getValue().isZero()) {
        throw new IllegalArgumentException("safegrid.feed-health.expected-interval." + e.getKey()
            + " must be a positive duration for camera, checkpoint or patrol");
      }
    }
    expectedInterval = Map.copyOf(m);
    ignoreStatuses = ignoreStatuses == null ? Set.of("off_duty") : Set.copyOf(ignoreStatuses);
    ignoreKinds = ignoreKinds == null ? Set.of("campus_alarm") : Set.copyOf(ignoreKinds);
  }
}
