package org.safegrid.server.live;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Follows the event table and hands every newly committed event, once, to the
 * {@link LiveEventListener}s (live map stream, alerts, engine).
 *
 * <p>Works whether ingest workers run in this process or elsewhere: it reads PostGIS, the source of
 * truth. A transaction's rows carry its start time as {@code received_at} but become visible only at
 * commit, so each poll re-reads an overlap window behind the newest time seen and skips ids already
 * delivered. Single-threaded; listeners are called on the tail thread.
 */
@Component
public class EventTail implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(EventTail.class);
  private static final String IDS = "SELECT event_id, received_at FROM event WHERE received_at > ? ORDER BY received_at LIMIT ?";
  private static final String ROWS = "SELECT event_id, source, source_id, kind, severity, observed_at, received_at, "
      + "ST_X(geom), ST_Y(geom), attrs::text FROM event WHERE received_at > ? AND event_id = ANY (?) ORDER BY received_at";

  private final JdbcTemplate jdbc;
  private final List<LiveEventListener> listeners;
  private final EventTailProperties properties;
  private final Map<String, Instant> delivered = new HashMap<>();
  private final AtomicLong lagMillis = new AtomicLong();
  private ScheduledExecutorService executor;
  private Instant watermark;
  private volatile boolean running;

  public EventTail(JdbcTemplate jdbc, List<LiveEventListener> listeners, EventTailProperties properties,
                   MeterRegistry meters) {
    this.jdbc = jdbc;
    this.listeners = listeners;
    this.properties = properties;
    meters.gauge("safegrid.live.tail.lag.ms", lagMillis);
  }

  /** The newest received_at delivered so far. */
  public Instant watermark() {
    return watermark;
  }

  /** Reads what is new since the last poll and delivers it; returns how many events were new. */
  public synchronized int poll() {
    if (watermark == null) {
      // start from what is already there: listeners load history themselves
      Timestamp newest = jdbc.queryForObject("SELECT max(received_at) FROM event", Timestamp.class);
      watermark = newest == null ? Instant.now().minusSeconds(1) : newest.toInstant();
      jdbc.query("SELECT event_id, received_at FROM event WHERE received_at > ?",
          rs -> {
            delivered.put(rs.getString(1), rs.getTimestamp(2).toInstant());
          }, Timestamp.from(watermark.minus(properties.overlap())));
    }
    Instant from = watermark.minus(properties.overlap());
    // Step 1, ids only: the overlap window is re-read each poll (late commits), so the limit must
    // leave room for maxBatch new rows beyond the ids already delivered there, or a window holding
    // maxBatch old rows would stall the tail for good.
    List<String> newIds = new ArrayList<>();
    jdbc.query(IDS, rs -> {
      String id = rs.getString(1);
      if (!delivered.containsKey(id)) {
        newIds.add(id);
      }
    }, Timestamp.from(from), properties.maxBatch() + delivered.size());
    List<LiveEvent> fresh = new ArrayList<>(newIds.size());
    if (!newIds.isEmpty()) {
      // Step 2, whole rows of the new ids only
      jdbc.query(con -> {
        var ps = con.prepareStatement(ROWS);
        ps.setTimestamp(1, Timestamp.from(from));
        ps.setArray(2, con.createArrayOf("text", newIds.toArray()));
        return ps;
      }, rs -> {
        String id = rs.getString(1);
        Instant received = rs.getTimestamp(7).toInstant();
        if (delivered.putIfAbsent(id, received) == null) {
          fresh.add(new LiveEvent(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
              rs.getTimestamp(6).toInstant(), received, rs.getDouble(8), rs.getDouble(9), rs.getString(10)));
        }
      });
    }
    for (LiveEvent e : fresh) {
      if (e.receivedAt().isAfter(watermark)) {
        watermark = e.receivedAt();
      }
    }
    // forget ids that fell behind the overlap window: they can no longer be read again
    Instant horizon = watermark.minus(properties.overlap()).minusSeconds(1);
    for (Iterator<Instant> it = delivered.values().iterator(); it.hasNext(); ) {
      if (it.next().isBefore(horizon)) {
        it.remove();
      }
    }
    if (!fresh.isEmpty()) {
      lagMillis.set(Math.max(0, Instant.now().toEpochMilli() - fresh.get(fresh.size() - 1).receivedAt().toEpochMilli()));
      for (LiveEventListener l : listeners) {
        try {
          l.onEvents(List.copyOf(fresh));
        } catch (RuntimeException e) {
          log.error("live listener {} failed", l.getClass().getSimpleName(), e);
        }
      }
    }
    return fresh.size();
  }

  @Override
  public void start() {
    if (!properties.enabled()) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "event-tail");
      t.setDaemon(true);
      return t;
    });
    long period = properties.pollInterval().toMillis();
    executor.scheduleWithFixedDelay(() -> {
      try {
        poll();
      } catch (RuntimeException e) {
        log.warn("event tail poll failed: {}", e.getMessage());
      }
    }, period, period, TimeUnit.MILLISECONDS);
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
