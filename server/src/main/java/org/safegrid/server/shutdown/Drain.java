package org.safegrid.server.shutdown;

import java.time.Instant;
import java.util.Optional;
import org.safegrid.server.live.LiveBroadcaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * The drain before stop: when the server's context closes (SIGTERM, a stop from the operator), it
 * first refuses traffic on its readiness probe (503, {@code ReadinessState.REFUSING_TRAFFIC}) while it
 * goes on serving every request, old and new, for {@code safegrid.shutdown.drain}; the live streams get
 * a reconnect hint at the start and are ended at the end; then the context goes on closing (the
 * leader-only loops stop, the leadership is handed over, and Spring's graceful shutdown lets the
 * requests in flight finish).
 *
 * <p>Runs on the thread that closes the context, before any bean is stopped: everything still works
 * during the drain. Only the first close event of this context drains. Thread-safe.
 */
@Component
public class Drain implements ApplicationListener<ContextClosedEvent> {

  private static final Logger log = LoggerFactory.getLogger(Drain.class);

  private final ShutdownProperties properties;
  private final LiveBroadcaster live;
  private final ApplicationContext context;
  /** When the drain ends; null while the server is not draining. */
  private volatile Instant endsAt;

  public Drain(ShutdownProperties properties, LiveBroadcaster live, ApplicationContext context) {
    this.properties = properties;
    this.live = live;
    this.context = context;
  }

  /** When the drain under way ends; empty when the server is not draining. */
  public Optional<Instant> endsAt() {
    return Optional.ofNullable(endsAt);
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    // a child context (none today) closing is not this server stopping
    if (event.getApplicationContext() != context || endsAt != null) {
      return;
    }
    Instant end = Instant.now().plus(properties.drain());
    endsAt = end;
    // the web context published it already; a context of another kind (tests, a worker) has not
    AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
    live.hintDrain(properties.streamRetry(), end);
    log.info("draining for {} before stopping: readiness refuses traffic, requests are still served",
        properties.drain());
    try {
      Thread.sleep(properties.drain().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("drain interrupted; stopping now");
    }
    int streams = live.clientCount();
    live.endStreams();
    log.info("drain over: {} live streams ended, stopping", streams);
  }
}
