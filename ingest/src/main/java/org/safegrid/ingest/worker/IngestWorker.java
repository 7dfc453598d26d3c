package org.safegrid.ingest.worker;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventDecoder.Accepted;
import org.safegrid.ingest.event.EventDecoder.Refused;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ingest worker: a Kafka consumer (of the shared consumer group) that validates messages,
 * dead-letters the refused ones and writes the rest to PostGIS in batches.
 *
 * <p>Delivery: a batch's dead letters are acknowledged by the broker, then its events are written
 * and committed in one database transaction, and only then are the batch's offsets committed
 * ({@code commitSync}). A crash anywhere re-delivers the batch; the idempotent write makes that
 * harmless. When the database fails transiently, the batch is dropped from memory, the consumer
 * seeks back to its first offsets, pauses, and probes the database with a growing back-off; nothing
 * is committed meanwhile. Partitions about to be revoked get their batch written and committed
 * first.
 *
 * <p>Two threads, one batch deep: the consumer thread ({@link #run}) polls and decodes the next batch
 * while the worker's writer thread writes the one before it, so decoding and the database's work on
 * the previous batch overlap instead of taking turns. Only the consumer thread touches the Kafka
 * consumer: it hands a full batch over only once the previous one is written, and commits each
 * batch's offsets after its write returned, in order. A write that fails rewinds both batches (the
 * one written and the one read behind it). {@link #stop} may be called from any thread.
 */
public final class IngestWorker implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(IngestWorker.class);

  /**
   * Longest wait for an offset commit. Past it the batch is rewound and read again (its rows are
   * already stored, so it comes back as duplicates); a shutdown with an unreachable broker thus ends
   * within the pool's join time instead of hanging.
   */
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(20);

  /** Statement timeout of the workers' database session (a batch of 5,000 takes well under a second). */
  static final Duration BATCH_STATEMENT_TIMEOUT = Duration.ofSeconds(120);

  private final IngestSettings settings;
  private final DataSource dataSource;
  private final DeadLetters deadLetters;
  private final IngestMetrics metrics;
  private final EventDecoder decoder;
  private final EventWriter writer = new EventWriter();
  private final String name;

  /**
   * Runs after a batch is durable in PostGIS and before its offsets go to Kafka: the window in which
   * a crash re-delivers a stored batch. Tests put a crash or a refused commit here.
   */
  volatile Runnable beforeOffsetCommit = () -> { };

  /** Consumer settings that replace the defaults (tests: a short {@code max.poll.interval.ms}). */
  final Properties consumerOverrides = new Properties();

  private volatile boolean stopping;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private Connection connection;

  /** The batch being read and decoded by the consumer thread. */
  private Batch open = new Batch();
  /** The batch handed to the writer thread and not yet finished by the consumer thread, or null. */
  private Batch writing;
  private Future<?> written;
  private ExecutorService writerThread;
  /** Set when the consumer thread dies of an {@link Error}: nothing more is written on the way out. */
  private volatile boolean crashed;
  /**
   * Offsets of stored batches whose commit met a rebalance in progress: committed with the next
   * commit (or right after the rebalance) for the partitions this worker still holds. Without this a
   * worker that keeps its partitions through a cooperative rebalance has read past records whose
   * offsets nobody commits until more records arrive on those partitions.
   */
  private final Map<TopicPartition, Long> pendingOffsets = new HashMap<>();
  private final DeviceRegistry registry = new DeviceRegistry(DeviceRegistry.DEFAULT_MAX_STALENESS);
  private boolean needBackoff;
  private long reportedLag;

  public IngestWorker(String name, IngestSettings settings, DataSource dataSource, DeadLetters deadLetters,
                      IngestMetrics metrics) {
    this.name = name;
    this.settings = settings;
    this.dataSource = dataSource;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.decoder = new EventDecoder(settings.rules());
  }

  /** Asks the worker to finish its batch (or abandon it if the database is down) and leave the group. */
  public void stop() {
    stopping = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  @Override
  public void run() {
    ExecutorService w = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-writer");
      t.setDaemon(true);
      return t;
    });
    writerThread = w;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties())) {
      consumer = c;
      if (stopping) {
        return;
      }
      try {
        consume(c);
      } catch (Error e) {
        // a crash: the consumer's close below revokes the partitions, and nothing more may be written
        // on the way out (a killed process writes nothing either)
        crashed = true;
        throw e;
      }
      LOG.info("{} stopped", name);
    } catch (RuntimeException e) {
      LOG.error("{} failed and stopped; uncommitted messages will be re-delivered", name, e);
    } finally {
      consumer = null;
      // a write still running (only after a crash of the consumer thread) ends before its connection closes
      w.shutdown();
      try {
        if (!w.awaitTermination(BATCH_STATEMENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          LOG.warn("{}: a batch write outlived the worker", name);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeConnection();
      metrics.addLag(-reportedLag);
      reportedLag = 0;
    }
  }

  private void consume(KafkaConsumer<byte[], byte[]> c) {
    // the base topics and every integrator's own topic (safegrid.events.<source>.<principal>)
    java.util.regex.Pattern topics = settings.subscription();
    c.subscribe(topics, new Rebalance());
    LOG.info("{} consuming topics matching {} as group {}", name, topics, settings.groupId());
    while (!stopping) {
      ConsumerRecords<byte[], byte[]> polled;
      try {
        polled = c.poll(pollTimeout());
      } catch (WakeupException e) {
        continue;
      }
      for (ConsumerRecord<byte[], byte[]> rec : polled) {
        add(rec);
      }
      updateLag();
      if (writing != null && written.isDone()) {
        finishWriting();
      }
      if (!pendingOffsets.isEmpty() && open.isEmpty() && writing == null) {
        commitPending();
      }
      if (!open.isEmpty() && (open.size() >= settings.batchSize() || open.bytes >= settings.batchBytes()
          || System.nanoTime() - open.startNanos >= settings.linger().toNanos())) {
        submit();
      }
      if (needBackoff) {
        backoff();
      }
    }
    // clean shutdown: write what we hold if the database lets us; otherwise it is simply not committed
    finishWriting();
    if (!open.isEmpty() && !needBackoff) {
      flushNow();
    }
  }

  private Duration pollTimeout() {
    // a batch in the writer's hands: come back soon to commit its offsets once it is written
    long cap = writing == null ? 200_000_000L : 5_000_000L;
    if (open.isEmpty()) {
      return Duration.ofNanos(cap);
    }
    long left = settings.linger().toNanos() - (System.nanoTime() - open.startNanos);
    return Duration.ofNanos(Math.min(cap, Math.max(1_000_000L, left)));
  }

  private void add(ConsumerRecord<byte[], byte[]> rec) {
    Source src = settings.sourceOf(rec.topic());
    if (src != null) {
      metrics.in(src);
    }
    open.add(rec, decoder.decode(src, rec.value()));
  }

  /**
   * Hands the open batch to the writer thread, once the batch before it is written and its offsets
   * committed; the consumer thread goes on reading the next batch meanwhile.
   */
  private void submit() {
    finishWriting();
    if (open.isEmpty()) {
      // the batch before failed and both were rewound
      return;
    }
    Batch b = open;
    open = new Batch();
    b.handedOverNanos = System.nanoTime();
    writing = b;
    written = writerThread.submit(() -> {
      write(b);
      return null;
    });
  }

  /** Writes the open batch and commits its offsets before returning (shutdown, revocation). */
  private void flushNow() {
    submit();
    finishWriting();
  }

  /**
   * Waits for the batch in the writer thread's hands, then commits its offsets; a failed write rewinds
   * it and the open batch read behind it, and backs off.
   */
  private void finishWriting() {
    if (writing == null) {
      return;
    }
    Batch b = writing;
    try {
      awaitWrite();
      beforeOffsetCommit.run();
      commitOffsets(b.nextOffset);
      writing = null;
    } catch (SQLException e) {
      LOG.warn("{}: database unavailable ({}: {}); rewinding {} messages and backing off", name, e.getSQLState(),
          e.getMessage(), b.size() + open.size());
      retryLater();
    } catch (ExecutionException | TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
      // (a send blocks up to max.block.ms for the topic's metadata, then throws the Kafka timeout)
      LOG.warn("{}: dead-letter topic unavailable ({}); rewinding and backing off", name, e.toString());
      retryLater();
    } catch (RebalanceInProgressException e) {
      // the rows are committed in PostGIS; the offsets go with the next commit for the partitions this
      // worker still holds after the rebalance, the others' new owners re-read them as duplicates
      LOG.info("{}: offsets not committed yet because the group is rebalancing; committed after it", name);
      metrics.offsetCommitRefused();
      b.nextOffset.forEach((tp, o) -> pendingOffsets.merge(tp, o, Math::max));
      writing = null;
    } catch (CommitFailedException e) {
      // evicted from the group: the partitions are gone, whoever owns them next re-reads them as duplicates
      LOG.info("{}: offsets not committed because the group rebalanced; duplicates will be suppressed", name);
      metrics.offsetCommitRefused();
      pendingOffsets.clear();
      writing = null;
    } catch (RuntimeException e) {
      LOG.error("{}: unexpected error writing a batch; rewinding and backing off", name, e);
      retryLater();
    }
  }

  /**
   * The write's outcome, its own exception rethrown as it was thrown. The wait is not cut short by an
   * interrupt (the writer thread uses the connection until it returns); the interrupt is kept.
   */
  private void awaitWrite() throws SQLException, ExecutionException, TimeoutException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          written.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
          stopping = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof SQLException x) {
            throw x;
          } else if (cause instanceof ExecutionException x) {
            throw x;
          } else if (cause instanceof TimeoutException x) {
            throw x;
          } else if (cause instanceof RuntimeException x) {
            throw x;
          } else if (cause instanceof Error x) {
            throw x;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Writes a batch on the writer thread: authorisation, dead letters, then the database transaction.
   * The metrics count it as soon as it is durable, whatever happens to its offset commit.
   */
  private void write(Batch b) throws SQLException, ExecutionException, TimeoutException, InterruptedException {
    authorise(b);
    List<RefusedMessage> refused = new ArrayList<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<Accepted> accepted = new ArrayList<>(b.size());
    List<ConsumerRecord<byte[], byte[]>> acceptedRecords = new ArrayList<>(b.size());
    for (int i = 0; i < b.size(); i++) {
      if (b.results.get(i) instanceof Refused r) {
        sent.add(deadLetters.send(b.records.get(i), r.reason(), r.message()));
        refused.add(refusedMessage(b.records.get(i), r.reason()));
      } else {
        accepted.add((Accepted) b.results.get(i));
        acceptedRecords.add(b.records.get(i));
      }
    }
    awaitAll(sent);
    EventWriter.Result result;
    try {
      result = writer.write(connection(), accepted, refused);
    } catch (SQLException e) {
      if (isTransient(e)) {
        throw e;
      }
      LOG.warn("{}: batch refused by the database ({}: {}); writing it event by event", name, e.getSQLState(),
          e.getMessage());
      result = writeOneByOne(accepted, acceptedRecords, refused);
    }
    // the batch is durable in PostGIS from here on: count it whatever happens to the offset commit
    long now = System.currentTimeMillis();
    // only refusals recorded now: a batch read again after a crash was counted by its first delivery
    result.refusals().forEach((r, n) -> {
      for (int i = 0; i < n; i++) {
        metrics.refused(r);
      }
    });
    metrics.written(result.inserted());
    metrics.duplicates(result.duplicates());
    if (!result.integrityAlarms().isEmpty()) {
      metrics.integrityAlarms(result.integrityAlarms().size());
      LOG.warn("{}: integrity alarm: ids offered again with a different payload, first version kept: {}", name,
          result.integrityAlarms().size() > 20 ? result.integrityAlarms().subList(0, 20) + " ..."
              : result.integrityAlarms());
    }
    for (ConsumerRecord<byte[], byte[]> rec : acceptedRecords) {
      metrics.endToEnd(now - rec.timestamp());
    }
    metrics.batch(b.size(), System.nanoTime() - b.handedOverNanos);
  }

  /**
   * The authorisation step after decoding: an event that came on an integrator's own topic and names a
   * {@code sourceId} (or patrol {@code unitId}) its sender may not speak for is refused as
   * {@link Refusal#UNAUTHORISED_SOURCE}; it then goes the way of every refusal (dead letter, counted
   * once, nothing stored). Events on the base topics come from the built-in source principals.
   */
  private void authorise(Batch b) throws SQLException {
    for (int i = 0; i < b.size(); i++) {
      String principal = settings.principalOf(b.records.get(i).topic());
      if (principal != null && b.results.get(i) instanceof Accepted a) {
        registry.refreshIfStale(connection());
        if (!registry.mayPublish(principal, a.event())) {
          b.results.set(i, new Refused(Refusal.UNAUTHORISED_SOURCE, DeviceRegistry.refusal(principal, a.event())));
        }
      }
    }
  }

  private EventWriter.Result writeOneByOne(List<Accepted> accepted, List<ConsumerRecord<byte[], byte[]>> recs,
                                           List<RefusedMessage> refused)
      throws SQLException, ExecutionException, TimeoutException, InterruptedException {
    Map<Source, Integer> inserted = new EnumMap<>(Source.class);
    int duplicates = 0;
    List<String> alarms = new ArrayList<>();
    List<RefusedMessage> rejected = new ArrayList<>(refused);
    for (int i = 0; i < accepted.size(); i++) {
      try {
        EventWriter.Result r = writer.write(connection(), List.of(accepted.get(i)), List.of());
        r.inserted().forEach((s, n) -> inserted.merge(s, n, Integer::sum));
        duplicates += r.duplicates();
        alarms.addAll(r.integrityAlarms());
      } catch (SQLException e) {
        if (isTransient(e)) {
          throw e;
        }
        deadLetters.send(recs.get(i), Refusal.DATABASE_REJECTED, e.getSQLState() + ": " + e.getMessage())
            .get(60, TimeUnit.SECONDS);
        rejected.add(refusedMessage(recs.get(i), Refusal.DATABASE_REJECTED));
      }
    }
    EventWriter.Result counted = writer.write(connection(), List.of(), rejected);
    return new EventWriter.Result(inserted, duplicates, alarms, counted.refusals());
  }

  private static RefusedMessage refusedMessage(ConsumerRecord<byte[], byte[]> rec, Refusal reason) {
    return new RefusedMessage(rec.topic(), rec.partition(), rec.offset(), reason);
  }

  /** Commits the pending offsets alone (nothing else to commit); a failure keeps or drops them as a batch's would. */
  private void commitPending() {
    try {
      commitOffsets(Map.of());
    } catch (RebalanceInProgressException e) {
      // still rebalancing: the next poll tries again
    } catch (CommitFailedException e) {
      pendingOffsets.clear();
    }
  }

  private void commitOffsets(Map<TopicPartition, Long> nextOffset) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    // only partitions still held: a partition that moved is its new owner's to commit
    Set<TopicPartition> held = consumer.assignment();
    pendingOffsets.forEach((tp, o) -> {
      if (held.contains(tp)) {
        offsets.put(tp, new OffsetAndMetadata(o));
      }
    });
    nextOffset.forEach((tp, o) -> offsets.merge(tp, new OffsetAndMetadata(o),
        (a, b) -> a.offset() >= b.offset() ? a : b));
    if (offsets.isEmpty()) {
      pendingOffsets.clear();
      return;
    }
    try {
      try {
        consumer.commitSync(offsets, COMMIT_TIMEOUT);
      } catch (WakeupException e) {
        // a stop request interrupted the commit; the wake-up is used up, so commit again
        consumer.commitSync(offsets, COMMIT_TIMEOUT);
      }
      pendingOffsets.clear();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      // the rows are stored: a later commit covers these offsets, or they come back as duplicates
      LOG.warn("{}: offset commit timed out after {}; the stored batch may be read again as duplicates", name,
          COMMIT_TIMEOUT);
      metrics.offsetCommitRefused();
      // not retried: with the broker unreachable every poll would wait out the timeout again
      pendingOffsets.clear();
    }
  }

  private static void awaitAll(List<Future<RecordMetadata>> futures)
      throws ExecutionException, TimeoutException, InterruptedException {
    for (Future<RecordMetadata> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * Forgets the batch being written (its write failed and has returned) and the open batch read behind
   * it, and seeks back to their first offsets so both are read again.
   */
  private void retryLater() {
    metrics.dbFailure();
    closeConnection();
    Map<TopicPartition, Long> first = new HashMap<>(open.firstOffset);
    if (writing != null) {
      writing.firstOffset.forEach((tp, o) -> first.merge(tp, o, Math::min));
    }
    Set<TopicPartition> assigned = consumer.assignment();
    first.forEach((tp, offset) -> {
      if (assigned.contains(tp)) {
        consumer.seek(tp, offset);
      }
    });
    writing = null;
    open = new Batch();
    needBackoff = true;
  }

  private void backoff() {
    KafkaConsumer<byte[], byte[]> c = consumer;
    c.pause(c.assignment());
    long delay = 100;
    while (!stopping) {
      try {
        // keeps the group membership alive; paused partitions return nothing, newly assigned ones may
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(delay))) {
          add(rec);
        }
      } catch (WakeupException e) {
        continue;
      }
      // the messages keep arriving while the worker waits: the lag gauge must show them
      updateLag();
      if (databaseReachable()) {
        LOG.info("{}: database reachable again; resuming", name);
        break;
      }
      delay = Math.min(delay * 2, settings.maxBackoff().toMillis());
    }
    c.resume(c.paused());
    needBackoff = false;
  }

  private boolean databaseReachable() {
    try {
      return connection().isValid(2);
    } catch (SQLException e) {
      closeConnection();
      return false;
    }
  }

  private void updateLag() {
    long lag = 0;
    for (TopicPartition tp : consumer.assignment()) {
      lag += consumer.currentLag(tp).orElse(0);
    }
    metrics.addLag(lag - reportedLag);
    reportedLag = lag;
  }

  /** Records read together and written in one transaction, their decoding and the offsets they span. */
  private static final class Batch {
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    final List<EventDecoder.Result> results = new ArrayList<>();
    final Map<TopicPartition, Long> firstOffset = new HashMap<>();
    final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    long startNanos;
    long bytes;
    long handedOverNanos;

    boolean isEmpty() {
      return records.isEmpty();
    }

    int size() {
      return records.size();
    }

    void add(ConsumerRecord<byte[], byte[]> rec, EventDecoder.Result result) {
      if (records.isEmpty()) {
        startNanos = System.nanoTime();
      }
      records.add(rec);
      results.add(result);
      bytes += Math.max(0, rec.serializedValueSize());
      TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
      firstOffset.putIfAbsent(tp, rec.offset());
      nextOffset.put(tp, rec.offset() + 1);
    }

    /** Forgets the records of partitions no longer held. */
    void drop(Collection<TopicPartition> parts) {
      List<ConsumerRecord<byte[], byte[]>> keepRecords = new ArrayList<>();
      List<EventDecoder.Result> keepResults = new ArrayList<>();
      for (int i = 0; i < records.size(); i++) {
        ConsumerRecord<byte[], byte[]> r = records.get(i);
        if (!parts.contains(new TopicPartition(r.topic(), r.partition()))) {
          keepRecords.add(r);
          keepResults.add(results.get(i));
        }
      }
      records.clear();
      results.clear();
      records.addAll(keepRecords);
      results.addAll(keepResults);
      bytes = 0;
      for (ConsumerRecord<byte[], byte[]> r : keepRecords) {
        bytes += Math.max(0, r.serializedValueSize());
      }
      parts.forEach(tp -> {
        firstOffset.remove(tp);
        nextOffset.remove(tp);
      });
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = dataSource.getConnection();
      try (java.sql.Statement st = c.createStatement()) {
        // the ingest query class: a batch write that hangs this long is cancelled (57014, transient),
        // rolled back and retried like any database failure
        st.execute("SET statement_timeout = '" + BATCH_STATEMENT_TIMEOUT.toMillis() + "ms'");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      connection = c;
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is broken anyway
      }
      connection = null;
    }
  }

  /**
   * True for errors that go away by themselves: connection loss, server shutdown or restart,
   * resource exhaustion, serialization failure or deadlock, and any error after which the
   * connection no longer works.
   */
  static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    if (state == null) {
      return true;
    }
    String cls = state.length() >= 2 ? state.substring(0, 2) : state;
    return switch (cls) {
      case "08", "40", "53", "57", "58", "55", "XX" -> true;
      default -> false;
    };
  }

  private Properties consumerProperties() {
    Properties p = KafkaClientSecurity.fromEnvironment().clientProperties(settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // a new integrator topic matches the subscription pattern within this time
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "30000");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.batchSize()));
    // one poll brings about one batch's bytes, not the default 50 MiB (the 512 MiB worker heap holds
    // two workers' batches and fetches with room to spare)
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(settings.batchBytes()));
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    // a killed worker's partitions move to the others after 10 s rather than the default 45 s
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.putAll(consumerOverrides);
    return p;
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    /** The partitions this worker holds (the cooperative protocol hands out and takes back increments). */
    private final Set<TopicPartition> held = new java.util.HashSet<>();

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // commit on revoke: write and commit what we hold before another worker takes over (a crashed
      // worker only lets go)
      if (!partitions.isEmpty() && !crashed) {
        finishWriting();
        if (!open.isEmpty()) {
          // leaves the open batch empty, written or rewound
          flushNow();
        } else if (!pendingOffsets.isEmpty()) {
          commitPending();
        }
      }
      partitions.forEach(pendingOffsets::remove);
      release(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // positions come from the committed offsets
      int before = held.size();
      held.addAll(partitions);
      metrics.assignmentChanged(before, held.size());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // no longer ours and not committable: the new owner reads them again. A batch being written
      // finishes first (its offsets for partitions still held are committed)
      if (writing != null) {
        partitions.forEach(writing.nextOffset::remove);
        if (!crashed) {
          finishWriting();
        }
      }
      open.drop(partitions);
      partitions.forEach(pendingOffsets::remove);
      release(partitions);
    }

    private void release(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      // the consumer's close revokes everything too; only a running worker's loss is a rebalance
      if (!stopping) {
        metrics.rebalanced();
        LOG.info("{}: {} partition(s) taken away by a rebalance", name, partitions.size());
      }
      int before = held.size();
      held.removeAll(partitions);
      metrics.assignmentChanged(before, held.size());
    }
  }
}
