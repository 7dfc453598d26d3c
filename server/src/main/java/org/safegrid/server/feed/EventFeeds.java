package org.safegrid.server.feed;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.safegrid.server.live.LiveEventListener;
import org.safegrid.server.loop.BackgroundLoop;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The in-memory consumers of the {@link EventFeed}: one per {@link LiveEventListener} (live stream,
 * risk engine, feed health), each with its own position, starting at the head when the server
 * starts (the listeners load history themselves) and its own loop named {@code event-feed-<name>},
 * so a listener that fails holds back only itself. The alert engine reads the feed on its own, with
 * a position stored in PostgreSQL ({@link org.safegrid.server.alert.AlertEngine}).
 */
@Component
public class EventFeeds implements SmartLifecycle {

  private final EventFeed feed;
  private final List<LiveEventListener> listeners;
  private final EventFeedProperties properties;
  private final MeterRegistry meters;
  private final ApplicationEventPublisher publisher;
  private final List<BackgroundLoop> loops = new ArrayList<>();
  private final List<FeedConsumer> consumers = new ArrayList<>();
  private volatile boolean running;

  public EventFeeds(JdbcTemplate jdbc, List<LiveEventListener> listeners, EventFeedProperties properties,
                    MeterRegistry meters, ApplicationEventPublisher publisher) {
    this.feed = new EventFeed(jdbc, properties.readTimeout());
    this.listeners = listeners;
    this.properties = properties;
    this.meters = meters;
    this.publisher = publisher;
  }

  /** The consumers, once started (for tests and health). */
  public List<FeedConsumer> consumers() {
    return List.copyOf(consumers);
  }

  @Override
  public synchronized void start() {
    if (!properties.enabled() || running) {
      return;
    }
    FeedPosition head = feed.head();
    for (LiveEventListener l : listeners) {
      l.startAt(head.token());
      FeedConsumer c = new FeedConsumer(l.feedName(), feed, head, (events, next) -> l.onEvents(events, next.token()),
          properties.maxBatch(), properties.maxAttempts(), meters, this::report);
      consumers.add(c);
      loops.add(loop("event-feed-" + l.feedName(), properties, meters).step(c::step));
    }
    loops.forEach(BackgroundLoop::start);
    running = true;
  }

  /** The loop shape every feed consumer runs in: the poll interval, the feed's backoff, failures counted. */
  public static BackgroundLoop.Builder loop(String name, EventFeedProperties properties, MeterRegistry meters) {
    return BackgroundLoop.named(name).every(properties.pollInterval()).firstAfter(java.time.Duration.ZERO)
        .backoff(properties.backoff(), properties.maxBackoff()).countFailuresIn(meters);
  }

  private void report(String consumer, org.safegrid.server.live.LiveEvent e, int attempts, Throwable failure) {
    publisher.publishEvent(new PoisonEventSkipped(consumer, e.id(), e.source(), e.kind(), e.observedAt(), attempts,
        String.valueOf(failure), Instant.now()));
  }

  @Override
  public synchronized void stop() {
    running = false;
    loops.forEach(BackgroundLoop::stop);
    loops.clear();
    consumers.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
