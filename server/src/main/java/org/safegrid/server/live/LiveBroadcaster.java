package org.safegrid.server.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.safegrid.server.loop.BackgroundLoop;
import org.safegrid.server.security.DataScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live hub: fans new events, alerts and risk/hotspot refreshes out to every open map stream.
 *
 * <p>Other features call {@link #publish(String, Object)} (for example {@code publish("alert", alert)}
 * or {@code publish("risk", Map.of("gridSetId", 1))}); new events arrive from the event feed ({@code feed.EventFeeds}).
 * Events are collected and sent as one {@link EventColumns} batch per flush interval, serialised
 * once for all clients, so a client gets a few updates per second however dense the stream.
 *
 * <p>Each client has a bounded queue of serialised messages and at most one writer at a time, which
 * writes everything queued in one go (queued batches are conflated into one network write); the hub
 * itself never writes to a socket, so one slow client never delays another. A client that does not
 * read is dropped when its queue fills up or when one write has been blocked on its full socket for
 * longer than {@code safegrid.live.send-time-limit}, whichever comes first; dropping unregisters it at
 * once, and the blocked writer ends the response when the container fails its write. A dropped
 * client reconnects with the id of the last message it saw and catches up from the database.
 *
 * <p>A client opened with a district {@link DataScope} gets only the events, and the messages
 * published with a place ({@link #publishAt}), inside its district; the filtered batch is
 * serialised once per district. Thread-safe.
 */
@Component
public class LiveBroadcaster implements LiveEventListener, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LiveBroadcaster.class);
  private static final MediaType UTF8_TEXT = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

  private final LiveProperties properties;
  private final ObjectMapper json;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final Object pendingLock = new Object();
  private List<LiveEvent> pending = new ArrayList<>();
  /** The feed position after the pending events (guarded by pendingLock); null before the feed starts. */
  private String pendingPosition;
  /** Orders a flush against a client joining, so that every event is either replayed to it or sent live. */
  private final Object flushLock = new Object();
  /** The feed position after the events flushed so far (written under flushLock); null before the feed starts. */
  private volatile String sentPosition;
  private final AtomicLong watermark = new AtomicLong();
  private final Counter dropped;
  private final Counter stalled;
  private final Counter sentEvents;
  private final ThreadPoolExecutor writers;
  private BackgroundLoop ticker;
  private volatile boolean running;
  /** The drain hint every stream gets while its server drains before stopping; null when not draining. */
  private volatile Message drainHint;
  /** False once the server has ended its streams before stopping: new streams are refused. */
  private volatile boolean accepting = true;
  private volatile long lastHeartbeat = System.nanoTime();

  public LiveBroadcaster(LiveProperties properties, ObjectMapper json, MeterRegistry meters) {
    this.properties = properties;
    this.json = json;
    this.dropped = meters.counter("safegrid.live.clients.dropped");
    this.stalled = meters.counter("safegrid.live.clients.stalled");
    this.sentEvents = meters.counter("safegrid.live.events.sent");
    meters.gaugeCollectionSize("safegrid.live.clients", List.of(), clients);
    // a writer blocks while a client's socket is full; the pool grows so others are not held up,
    // and is bounded because the hub refuses more than maxClients streams
    this.writers = new ThreadPoolExecutor(0, properties.maxClients() + 4, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "live-writer");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Sends {@code payload} (serialised as JSON) to every client as an SSE event named {@code type}.
   * Never blocks on a client; a client whose queue is full is dropped.
   */
  public void publish(String type, Object payload) {
    publishTo(type, payload, c -> true);
  }

  /**
   * Sends {@code payload} as {@link #publish} does, but to district-scoped clients only when the
   * place ({@code lon}, {@code lat}) lies in their district; with no place, only to city-wide clients.
   */
  public void publishAt(String type, Object payload, Double lon, Double lat) {
    publishTo(type, payload, c -> c.scope.isCity() || (lon != null && lat != null && c.scope.contains(lon, lat)));
  }

  /** Serialises {@code payload} once and offers it to the clients that {@code to} selects. */
  private void publishTo(String type, Object payload, java.util.function.Predicate<Client> to) {
    String data;
    try {
      data = json.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("live payload of type " + type + " is not serialisable", e);
    }
    Message m = new Message(type, null, data);
    for (Client c : clients) {
      if (to.test(c)) {
        offer(c, m);
      }
    }
  }

  @Override
  public void onEvents(List<LiveEvent> batch) {
    synchronized (pendingLock) {
      pending.addAll(batch);
    }
  }

  @Override
  public void onEvents(List<LiveEvent> batch, String positionAfter) {
    synchronized (pendingLock) {
      pending.addAll(batch);
      pendingPosition = positionAfter;
    }
  }

  @Override
  public void startAt(String position) {
    synchronized (flushLock) {
      synchronized (pendingLock) {
        pending.clear();
        pendingPosition = position;
      }
      sentPosition = position;
    }
  }

  /** The feed position after the last events sent to the clients (the id of their last events message); null without a feed. */
  public String sentPosition() {
    return sentPosition;
  }

  /**
   * Opens a stream for a client that resumes after the message id {@code lastId} (a feed position,
   * from {@code Last-Event-ID}; null for a new client). The events after it up to what this hub has
   * sent are read from the database ({@code replay}) and sent first, then the stream goes on live:
   * every event committed after {@code lastId} reaches the client once, whichever replica sent the
   * id. When more than {@code limit} events were missed the client gets a {@code reset} message
   * instead (it reloads the recent events) and the stream goes on live from here.
   *
   * @throws IllegalArgumentException when {@code lastId} is not a position of this stream
   */
  public SseEmitter openAfter(String user, String lastId, LiveReplay replay, int limit, Runnable onEnd,
                              DataScope scope) {
    refuseWhenFullOrStopping();
    SseEmitter emitter = new SseEmitter(0L);
    Client client = new Client(user, emitter, new ArrayBlockingQueue<>(properties.clientQueue()), scope);
    client.writing.set(true); // its first messages are written on this thread (writeFirst)
    client.held = new ArrayList<>();
    // what the client's last replica sent that this one has not sent yet: this hub will send those
    // events live, and the client has them already (two replicas' feeds are never at the same place)
    Set<String> alreadySent = null;
    String before = sentPosition;
    if (lastId != null && before != null) {
      List<LiveEvent> ahead = replay.between(before, lastId, limit + 1);
      if (!ahead.isEmpty() && ahead.size() <= limit) {
        alreadySent = new HashSet<>();
        for (LiveEvent e : ahead) {
          alreadySent.add(sentKey(e));
        }
      }
    }
    String here;
    synchronized (flushLock) {
      clients.add(client);
      here = sentPosition;
      client.skip = alreadySent;
    }
    List<Message> first = new ArrayList<>();
    try {
      first.add(new Message("hello", lastId == null ? here : null, json.writeValueAsString(
          new Hello(Instant.now().toEpochMilli(), properties.flushInterval().toMillis()))));
      if (lastId != null) {
        List<LiveEvent> missed = here == null ? null : replay.between(lastId, here, limit + 1);
        if (missed == null || missed.size() > limit) {
          first.add(new Message("reset", here, json.writeValueAsString(java.util.Map.of("reason", missed == null
              ? "the event feed is not running on this server" : "more than " + limit + " events were missed",
              "action", "reload the recent events"))));
        } else {
          List<LiveEvent> inside = scope.isCity() ? missed
              : missed.stream().filter(e -> scope.contains(e.lon(), e.lat())).toList();
          first.add(new Message("events", here, json.writeValueAsString(EventColumns.of(inside, 0, false))));
        }
      }
      Message hint = drainHint;
      if (hint != null) {
        first.add(hint);
      }
    } catch (JsonProcessingException e) {
      clients.remove(client);
      throw new IllegalStateException(e);
    } catch (RuntimeException e) {
      clients.remove(client);
      throw e;
    }
    endWith(emitter, client, onEnd);
    boolean overflow = false;
    synchronized (client) {
      for (Message m : first) {
        overflow |= !client.queue.offer(m);
      }
      for (Message m : client.held) {
        overflow |= !client.queue.offer(m);
      }
      client.held = null;
    }
    if (overflow) {
      drop(client, "queue full");
    }
    writeFirst(client);
    return emitter;
  }

  /** Opens a stream for one client; {@code catchUp} (may be empty) is sent first. */
  public SseEmitter open(String user, EventColumns catchUp) {
    return open(user, catchUp, () -> { });
  }

  /**
   * Opens a stream for one client; {@code catchUp} (may be empty) is sent first, and {@code onEnd}
   * runs once the stream has ended for any reason (completed, timed out, failed).
   */
  public SseEmitter open(String user, EventColumns catchUp, Runnable onEnd) {
    return open(user, catchUp, onEnd, DataScope.CITY);
  }

  /** As above, for a client that may see only what lies in {@code scope} (catchUp must be filtered already). */
  public SseEmitter open(String user, EventColumns catchUp, Runnable onEnd, DataScope scope) {
    refuseWhenFullOrStopping();
    SseEmitter emitter = new SseEmitter(0L);
    Client client = new Client(user, emitter, new ArrayBlockingQueue<>(properties.clientQueue()), scope);
    client.writing.set(true); // its first messages are written on this thread (writeFirst)
    endWith(emitter, client, onEnd);
    clients.add(client);
    try {
      offer(client, new Message("hello", null, json.writeValueAsString(
          new Hello(Instant.now().toEpochMilli(), properties.flushInterval().toMillis()))));
      if (catchUp.size() > 0 || catchUp.truncated()) {
        offer(client, new Message("events", Long.toString(catchUp.watermark()), json.writeValueAsString(catchUp)));
      }
      Message hint = drainHint;
      if (hint != null) {
        offer(client, hint);
      }
    } catch (JsonProcessingException e) {
      clients.remove(client);
      throw new IllegalStateException(e);
    }
    writeFirst(client);
    return emitter;
  }

  /**
   * Writes a new stream's first messages on the calling (request) thread, before Spring MVC has taken
   * the emitter: the sends wait in the emitter and go out when the request thread hands it over, so
   * the response's headers are committed on that thread. Were a writer thread the first to write, it
   * would commit them while the request thread may still be adding headers on its way out of the
   * filters (the session cookie, the security headers): a race in Tomcat's header map, seen as a
   * NullPointerException in {@code MimeHeaders} when 50 resumed streams arrived at once. The client
   * is created with {@code writing} set, so no writer thread takes it before this; a client dropped
   * meanwhile is completed here.
   */
  private void writeFirst(Client c) {
    drain(c);
  }

  /** However the stream ends (completed, timed out, failed), the client leaves and {@code onEnd} runs. */
  private void endWith(SseEmitter emitter, Client client, Runnable onEnd) {
    Runnable end = () -> {
      clients.remove(client);
      onEnd.run();
    };
    emitter.onCompletion(end);
    emitter.onTimeout(end);
    emitter.onError(e -> end.run());
  }

  /** The newest event commit time sent so far (epoch ms), 0 before the first. */
  public long watermark() {
    return watermark.get();
  }

  /** How many streams are open. */
  public int clientCount() {
    return clients.size();
  }

  private void refuseWhenFullOrStopping() {
    if (!accepting) {
      throw new StoppingException();
    }
    if (clients.size() >= properties.maxClients()) {
      throw new TooManyClientsException();
    }
  }

  /**
   * Tells every open stream, and every stream opened from now on, that this server is draining: an
   * SSE {@code retry:} field of {@code reconnectDelay} (how long a browser's EventSource waits before
   * it reconnects once the stream ends) and a {@code drain} message saying when the stream will end.
   * The streams go on as before until {@link #endStreams()}.
   */
  public void hintDrain(Duration reconnectDelay, Instant streamsEndAt) {
    String data;
    try {
      data = json.writeValueAsString(new DrainHint(reconnectDelay.toMillis(), streamsEndAt.toEpochMilli()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Message hint = new Message("drain", null, data, reconnectDelay.toMillis());
    drainHint = hint;
    for (Client c : clients) {
      offer(c, hint);
    }
  }

  /**
   * Ends every open stream and refuses new ones from now on (503, which the balancer passes on to
   * another replica): the end of a drain, just before the server stops. The clients reconnect with the
   * id of their last message and resume on another replica.
   */
  public void endStreams() {
    accepting = false;
    closeAll();
  }

  /** Ends every open stream (clients reconnect by themselves); for shutdown and tests. */
  public void closeAll() {
    for (Client c : List.copyOf(clients)) {
      drop(c, "closed by the server");
    }
  }

  /** Sends the events collected since the last flush, and a heartbeat when it is due. */
  void flush() {
    // under flushLock: a client joining sees the position either before this batch (and gets the batch
    // live) or after it (and gets it replayed)
    synchronized (flushLock) {
      List<LiveEvent> batch;
      String position;
      synchronized (pendingLock) {
        position = pendingPosition;
        if (pending.isEmpty()) {
          batch = List.of();
        } else {
          batch = pending;
          pending = new ArrayList<>(Math.max(16, batch.size()));
        }
      }
      if (!batch.isEmpty()) {
        EventColumns cols = EventColumns.of(batch, watermark.get(), false);
        watermark.set(cols.watermark());
        String data;
        try {
          data = json.writeValueAsString(cols);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
        // the id: the feed position after the batch, from which any replica resumes exactly; the
        // commit time where no feed runs (older clients send it back as ?since=)
        String id = position != null ? position : Long.toString(cols.watermark());
        Message m = new Message("events", id, data);
        java.util.Map<String, Message> byDistrict = new java.util.HashMap<>();
        for (Client c : clients) {
          if (c.skip != null) {
            offer(c, skipping(batch, id, cols.watermark(), c));
            continue;
          }
          offer(c, c.scope.isCity() ? m
              : byDistrict.computeIfAbsent(c.scope.districtCodeOrNull(), d -> scoped(batch, id, cols.watermark(), c.scope)));
        }
        sentEvents.increment((double) batch.size() * clients.size());
      }
      if (position != null) {
        sentPosition = position;
      }
    }
    long now = System.nanoTime();
    dropStalled(now);
    if (now - lastHeartbeat > properties.heartbeat().toNanos()) {
      lastHeartbeat = now;
      for (Client c : clients) {
        offer(c, Message.HEARTBEAT);
      }
    }
  }

  /** The batch cut down to one district, with the full batch's watermark so the client resumes after it. */
  private Message scoped(List<LiveEvent> batch, String id, long mark, DataScope scope) {
    List<LiveEvent> inside = batch.stream().filter(e -> scope.contains(e.lon(), e.lat())).toList();
    try {
      return new Message("events", id, json.writeValueAsString(EventColumns.of(inside, mark, false)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An event's key among those a resumed client already had: its id alone is shared by the events of
   * other devices that sent the same id, and one of those that came first would be taken for it and
   * never sent.
   */
  private static String sentKey(LiveEvent e) {
    return e.source() + '\u0000' + e.sourceId() + '\u0000' + e.id();
  }

  /**
   * The batch without the events a resumed client had from its last replica (each skipped once; the
   * client sends nothing more to skip once all have passed), cut to its scope. Under flushLock.
   */
  private Message skipping(List<LiveEvent> batch, String id, long mark, Client c) {
    List<LiveEvent> kept = new ArrayList<>(batch.size());
    for (LiveEvent e : batch) {
      if (!c.skip.remove(sentKey(e)) && (c.scope.isCity() || c.scope.contains(e.lon(), e.lat()))) {
        kept.add(e);
      }
    }
    if (c.skip.isEmpty()) {
      c.skip = null;
    }
    try {
      return new Message("events", id, json.writeValueAsString(EventColumns.of(kept, mark, false)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Drops every client whose current write has been blocked for longer than the send time limit. */
  private void dropStalled(long now) {
    long limit = properties.sendTimeLimit().toNanos();
    for (Client c : clients) {
      long started = c.writeStarted;
      if (started != 0 && now - started > limit) {
        stalled.increment();
        drop(c, "a write blocked for more than " + properties.sendTimeLimit().toMillis() + " ms");
      }
    }
  }

  /** How many open streams have a write blocked for longer than {@code threshold}; for monitoring and tests. */
  public int blockedClients(java.time.Duration threshold) {
    long now = System.nanoTime();
    int n = 0;
    for (Client c : clients) {
      long started = c.writeStarted;
      if (started != 0 && now - started > threshold.toNanos()) {
        n++;
      }
    }
    return n;
  }

  private void offer(Client c, Message m) {
    boolean heldFull = false;
    synchronized (c) {
      // a joining client's replay is not queued yet: what comes live waits behind it
      if (c.held != null) {
        heldFull = c.held.size() >= properties.clientQueue();
        if (!heldFull) {
          c.held.add(m);
          return;
        }
      }
    }
    if (heldFull || !c.queue.offer(m)) {
      drop(c, "queue full");
      return;
    }
    startWriter(c);
  }

  private void startWriter(Client c) {
    if (c.writing.compareAndSet(false, true)) {
      try {
        writers.execute(() -> drain(c));
      } catch (RejectedExecutionException e) {
        c.writing.set(false);
        drop(c, "no writer free");
      }
    }
  }

  private void drain(Client c) {
    try {
      while (!c.closed) {
        List<Message> out = new ArrayList<>();
        c.queue.drainTo(out);
        if (out.isEmpty()) {
          c.writing.set(false);
          // a message may have arrived between the drain and the flag: take it ourselves
          if (c.queue.isEmpty() || !c.writing.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        // all queued messages in one write and one flush: the conflation that keeps a slow client cheap
        StringBuilder text = new StringBuilder();
        for (Message m : out) {
          if (m == Message.HEARTBEAT) {
            // a named event, not a comment: the page's watchdog must see it
            text.append("event:hb\ndata:{}\n\n");
            continue;
          }
          if (m.id != null) {
            text.append("id:").append(m.id).append('\n');
          }
          if (m.retryMillis != null) {
            text.append("retry:").append(m.retryMillis).append('\n');
          }
          text.append("event:").append(m.type).append("\ndata:").append(m.data).append("\n\n");
        }
        // 0 means "not writing"; the hub's flush watches this to find a client whose socket is full
        c.writeStarted = Math.max(1, System.nanoTime());
        try {
          c.emitter.send(Set.of(new ResponseBodyEmitter.DataWithMediaType(text.toString(), UTF8_TEXT)));
        } finally {
          c.writeStarted = 0;
        }
      }
      // dropped while this writer was busy: end the response from the writer, never from the hub
      complete(c);
    } catch (IOException | IllegalStateException e) {
      // the connection is gone; the container ends the request itself
      c.closed = true;
      if (clients.remove(c)) {
        dropped.increment();
        log.debug("live stream of {} ended: {}", c.user, e.getMessage());
      }
    }
  }

  /**
   * Stops serving a client. Never blocks the caller: a writer that is stuck on a full socket ends
   * the response when its write returns (or the container's write timeout fails it).
   */
  private void drop(Client c, String why) {
    if (clients.remove(c)) {
      c.closed = true;
      dropped.increment();
      log.info("live stream of {} dropped: {}", c.user, why);
      if (c.writing.compareAndSet(false, true)) {
        try {
          writers.execute(() -> complete(c));
        } catch (RejectedExecutionException e) {
          log.debug("no writer free to end a dropped stream; the container will time it out");
        }
      }
    }
  }

  private static void complete(Client c) {
    try {
      c.emitter.complete();
    } catch (RuntimeException e) {
      log.debug("ending a live stream failed: {}", e.getMessage());
    }
  }

  @Override
  public void start() {
    Duration period = properties.flushInterval();
    // a failed flush is tried again within a couple of periods, not after the default backoff
    ticker = BackgroundLoop.named("live-flush").every(period).backoff(period, period.multipliedBy(4)).run(this::flush);
    ticker.start();
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    if (ticker != null) {
      ticker.stop();
    }
    closeAll();
    writers.shutdownNow();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    // stop before the web server so open streams end cleanly and graceful shutdown does not wait on them
    return Integer.MAX_VALUE - 1;
  }

  /** First message on every stream: server time, so the client can tell its clock offset. */
  record Hello(long serverTime, long flushMillis) {
  }

  /** The drain message: how long to wait before reconnecting, and when this server ends the stream (epoch ms). */
  record DrainHint(long reconnectMillis, long streamEndsAt) {
  }

  /** One message; {@code retryMillis} (null on most) is sent as the SSE {@code retry:} field. */
  private record Message(String type, String id, String data, Long retryMillis) {
    static final Message HEARTBEAT = new Message("hb", null, null);

    Message(String type, String id, String data) {
      this(type, id, data, null);
    }
  }

  private static final class Client {
    final String user;
    final SseEmitter emitter;
    final ArrayBlockingQueue<Message> queue;
    final AtomicBoolean writing = new AtomicBoolean();
    final DataScope scope;
    volatile boolean closed;
    /** Messages that came while the client's replay was read (guarded by the client); null once it is queued. */
    List<Message> held;
    /** Keys (source, sourceId, id) of events a resumed client had from its last replica, not to be sent again (guarded by flushLock); null when none. */
    Set<String> skip;
    /** System.nanoTime() when the current write began, 0 when none is in progress. */
    volatile long writeStarted;

    Client(String user, SseEmitter emitter, ArrayBlockingQueue<Message> queue, DataScope scope) {
      this.user = user;
      this.emitter = emitter;
      this.queue = queue;
      this.scope = scope;
    }
  }

  /** Thrown when a stream is opened after this server ended its streams to stop (it drained). */
  public static final class StoppingException extends RuntimeException {
    StoppingException() {
      super("this server is stopping; connect again to reach another one");
    }
  }

  /** Thrown when the hub already serves {@code safegrid.live.max-clients} streams. */
  public static final class TooManyClientsException extends RuntimeException {
    TooManyClientsException() {
      super("too many live streams open; try again later");
    }
  }
}
