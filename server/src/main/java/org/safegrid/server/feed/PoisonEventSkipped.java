package org.safegrid.server.feed;

import java.time.Instant;

/**
 * Published (as a Spring application event) when a feed consumer skips an event that failed every
 * delivery attempt; the alert engine raises an alert for it.
 *
 * @param consumer  the consumer that skipped it (alerts, live stream, risk engine, feed health)
 * @param eventId   the skipped event
 * @param source    its source
 * @param kind      its kind
 * @param observedAt when it happened
 * @param attempts  deliveries that failed
 * @param failure   the last failure, as text
 * @param at        when it was skipped
 */
public record PoisonEventSkipped(String consumer, String eventId, String source, String kind, Instant observedAt,
                                 int attempts, String failure, Instant at) {
}
