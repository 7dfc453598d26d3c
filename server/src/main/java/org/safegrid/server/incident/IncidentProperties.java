package org.safegrid.server.incident;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Incidents ({@code safegrid.incidents.*}); how each rule's alerts group is set per rule in
 * {@code alert-rules.yml} ({@code grouping}, {@code inhibit}).
 *
 * @param checkInterval how often quiet incidents are closed and overdue ones escalated
 * @param kafkaTopic    the topic incident changes are sent to (through the outbox)
 */
@ConfigurationProperties("safegrid.incidents")
public record IncidentProperties(@DefaultValue("5s") Duration checkInterval,
                                 @DefaultValue("safegrid.incidents") String kafkaTopic) {

  public IncidentProperties {
    if (checkInterval.isZero() || checkInterval.isNegative() || checkInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("safegrid.incidents.check-interval must be within (0, 1h], got " + checkInterval);
    }
    if (kafkaTopic == null || kafkaTopic.isBlank()) {
      throw new IllegalArgumentException("safegrid.incidents.kafka-topic must name a topic");
    }
  }
}
