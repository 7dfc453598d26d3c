package org.safegrid.server.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.safegrid.server.live.LiveEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * One consumer of the {@link EventFeed}: its own position, a delivery that may fail, and the rules
 * for failing. Meant to be the step of a {@link org.safegrid.server.loop.BackgroundLoop}, which
 * retries a failed step with backoff.
 *
 * <p>A delivery that throws leaves the position where it was: the same events come again at the next
 * step. Database trouble (no connection, a serialization failure, a cancelled statement) is retried
 * for as long as it lasts and never blames an event. Any other failure counts an attempt; after
 * {@code maxAttempts} in a row the events of the failing batch are delivered one at a time, and an
 * event that fails {@code maxAttempts} times alone is poison: logged, counted in {@code
 * safegrid.feed.poison.events}, reported to the {@link PoisonReport}, and skipped. Events of several
 * devices that share an event id in one transaction share one position, so they are read, and when
 * poison skipped and reported, together.
 *
 * <p>Not thread-safe: one thread (the loop's) calls {@link #step()}; {@link #position()} may be read
 * from any thread.
 */
public final class FeedConsumer {

  /** What a consumer does with the events it reads. */
  public interface Delivery {

    /**
     * Takes a batch; a consumer that stores its position stores {@code next} in the same
     * transaction as what it did with the events. Throwing leaves the position unchanged.
     */
    void deliver(List<LiveEvent> events, FeedPosition next) throws Exception;

    /** Records that {@code poison} is skipped; a consumer that stores its position stores {@code next}. */
    default void skip(LiveEvent poison, FeedPosition next) throws Exception {
    }
  }

  /** Is told of every poison event skipped. */
  @FunctionalInterface
  public interface PoisonReport {
    void poisonSkipped(String consumer, LiveEvent event, int attempts, Throwable lastFailure);
  }

  private static final Logger log = LoggerFactory.getLogger(FeedConsumer.class);

  private final String name;
  private final EventFeed feed;
  private final Delivery delivery;
  private final int maxBatch;
  private final int maxAttempts;
  private final PoisonReport poisonReport;
  private final Counter poisonCounter;
  private final AtomicLong lagMillis = new AtomicLong();
  private volatile FeedPosition position;
  private int attempts;
  private int isolationLeft;
  private Throwable lastFailure;

  /**
   * A consumer named {@code name} (the {@code feed} tag of its metrics) reading from {@code start}.
   */
  public FeedConsumer(String name, EventFeed feed, FeedPosition start, Delivery delivery, int maxBatch,
                      int maxAttempts, MeterRegistry meters, PoisonReport poisonReport) {
    if (maxBatch < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException(name + ": max batch and max attempts must be at least 1");
    }
    this.name = name;
    this.feed = feed;
    this.position = start;
    this.delivery = delivery;
    this.maxBatch = maxBatch;
    this.maxAttempts = maxAttempts;
    this.poisonReport = poisonReport;
    this.poisonCounter = Counter.builder("safegrid.feed.poison.events").tag("feed", name)
        .description("events skipped after failing every delivery attempt").register(meters);
    Gauge.builder("safegrid.feed.lag.ms", lagMillis, AtomicLong::get).tag("feed", name)
        .description("stored to delivered, newest delivered event").register(meters);
  }

  public String name() {
    return name;
  }

  /** The position after the last successful delivery. */
  public FeedPosition position() {
    return position;
  }

  /** Reads and delivers one batch; true when more is waiting. Throws what the delivery threw. */
  public boolean step() throws Exception {
    int limit = isolationLeft > 0 ? 1 : maxBatch;
    EventFeed.Batch batch = feed.read(position, limit);
    if (batch.isEmpty()) {
      position = batch.next();
      return false;
    }
    try {
      delivery.deliver(batch.events(), batch.next());
    } catch (Exception e) {
      if (isDatabaseTrouble(e)) {
        throw e;
      }
      lastFailure = e;
      if (++attempts < maxAttempts) {
        throw e;
      }
      if (limit > 1) {
        log.warn("{}: a batch of {} events failed {} times; delivering them one at a time to find the cause",
            name, batch.events().size(), attempts);
        isolationLeft = batch.events().size();
        attempts = 0;
        throw e;
      }
      // a read of one returns more when devices share the event id in one transaction: a position cannot
      // stand between them, so they are skipped together, and each is reported
      for (LiveEvent poison : batch.events()) {
        delivery.skip(poison, batch.next());
        log.error("{}: event {} ({}/{}/{}) failed {} deliveries and is skipped", name, poison.id(), poison.source(),
            poison.sourceId(), poison.kind(), attempts, e);
        poisonCounter.increment();
      }
      int failed = attempts;
      advance(batch);
      if (poisonReport != null) {
        for (LiveEvent poison : batch.events()) {
          poisonReport.poisonSkipped(name, poison, failed, lastFailure);
        }
      }
      return true;
    }
    advance(batch);
    lagMillis.set(Math.max(0, Instant.now().toEpochMilli()
        - batch.events().get(batch.events().size() - 1).receivedAt().toEpochMilli()));
    return batch.full() || isolationLeft > 0;
  }

  private void advance(EventFeed.Batch batch) {
    position = batch.next();
    attempts = 0;
    if (isolationLeft > 0) {
      isolationLeft--;
    }
  }

  /** True for failures of the database rather than of the events: these never count as attempts. */
  static boolean isDatabaseTrouble(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
          || t instanceof RecoverableDataAccessException || t instanceof CannotCreateTransactionException
          || t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null
          && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P") || s.getSQLState().startsWith("40")
          || s.getSQLState().equals("57014") || s.getSQLState().startsWith("53"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
