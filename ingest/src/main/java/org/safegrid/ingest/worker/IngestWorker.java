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
 * <p>Runs on one thread ({@link #run}); {@link #stop} may be called from any thread.
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

  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
  private final List<EventDecoder.Result> results = new ArrayList<>();
  private final Map<TopicPartition, Long> firstOffset = new HashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
  /**
   * Offsets of stored batches whose commit met a rebalance in progress: committed with the next
   * commit (or right after the rebalance) for the partitions this worker still holds. Without this a
   * worker that keeps its partitions through a cooperative rebalance has read past records whose
   * offsets nobody commits until more records arrive on those partitions.
   */
  private final Map<TopicPartition, Long> pendingOffsets = new HashMap<>();
  private final DeviceRegistry registry = new DeviceRegistry(DeviceRegistry.DEFAULT_MAX_STALENESS);
  private long batchStartNanos;
  private long batchBytes;
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
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties())) {
      consumer = c;
      if (stopping) {
        return;
      }
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
        if (!pendingOffsets.isEmpty() && records.isEmpty()) {
          commitPending();
        }
        if (!records.isEmpty() && (records.size() >= settings.batchSize() || batchBytes >= settings.batchBytes()
            || System.nanoTime() - batchStartNanos >= settings.linger().toNanos())) {
          flush();
        }
        if (needBackoff) {
          backoff();
        }
      }
      // clean shutdown: write what we hold if the database lets us; otherwise it is simply not committed
      if (!records.isEmpty()) {
        flush();
      }
      LOG.info("{} stopped", name);
    } catch (RuntimeException e) {
      LOG.error("{} failed and stopped; uncommitted messages will be re-delivered", name, e);
    } finally {
      consumer = null;
      closeConnection();
      metrics.addLag(-reportedLag);
      reportedLag = 0;
    }
  }

  private Duration pollTimeout() {
    if (records.isEmpty()) {
      return Duration.ofMillis(200);
    }
    long left = settings.linger().toNanos() - (System.nanoTime() - batchStartNanos);
    return Duration.ofNanos(Math.max(1_000_000L, left));
  }

  private void add(ConsumerRecord<byte[], byte[]> rec) {
    Source src = settings.sourceOf(rec.topic());
    if (src != null) {
      metrics.in(src);
    }
    if (records.isEmpty()) {
      batchStartNanos = System.nanoTime();
    }
    records.add(rec);
    batchBytes += rec.serializedValueSize() < 0 ? 0 : rec.serializedValueSize();
    results.add(decoder.decode(src, rec.value()));
    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
    firstOffset.putIfAbsent(tp, rec.offset());
    nextOffset.put(tp, rec.offset() + 1);
  }

  /** Writes the batch: dead letters, then the database transaction, then the offsets. */
  private void flush() {
    long t0 = System.nanoTime();
    try {
      authorise();
      List<RefusedMessage> refused = new ArrayList<>();
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      List<Accepted> accepted = new ArrayList<>(records.size());
      List<ConsumerRecord<byte[], byte[]>> acceptedRecords = new ArrayList<>(records.size());
      for (int i = 0; i < records.size(); i++) {
        if (results.get(i) instanceof Refused r) {
          sent.add(deadLetters.send(records.get(i), r.reason(), r.message()));
          refused.add(refusedMessage(records.get(i), r.reason()));
        } else {
          accepted.add((Accepted) results.get(i));
          acceptedRecords.add(records.get(i));
        }
      }
      awaitAll(sent);
      EventWriter.Result written;
      try {
        written = writer.write(connection(), accepted, refused);
      } catch (SQLException e) {
        if (isTransient(e)) {
          throw e;
        }
        LOG.warn("{}: batch refused by the database ({}: {}); writing it event by event", name, e.getSQLState(),
            e.getMessage());
        written = writeOneByOne(accepted, acceptedRecords, refused);
      }
      // the batch is durable in PostGIS from here on: count it whatever happens to the offset commit
      long now = System.currentTimeMillis();
      // only refusals recorded now: a batch read again after a crash was counted by its first delivery
      written.refusals().forEach((r, n) -> {
        for (int i = 0; i < n; i++) {
          metrics.refused(r);
        }
      });
      metrics.written(written.inserted());
      metrics.duplicates(written.duplicates());
      if (!written.integrityAlarms().isEmpty()) {
        metrics.integrityAlarms(written.integrityAlarms().size());
        LOG.warn("{}: integrity alarm: ids offered again with a different payload, first version kept: {}", name,
            written.integrityAlarms().size() > 20 ? written.integrityAlarms().subList(0, 20) + " ..."
                : written.integrityAlarms());
      }
      for (ConsumerRecord<byte[], byte[]> rec : acceptedRecords) {
        metrics.endToEnd(now - rec.timestamp());
      }
      metrics.batch(records.size(), System.nanoTime() - t0);
      beforeOffsetCommit.run();
      commitOffsets();
      clear();
    } catch (SQLException e) {
      LOG.warn("{}: database unavailable ({}: {}); rewinding {} messages and backing off", name, e.getSQLState(),
          e.getMessage(), records.size());
      retryLater();
    } catch (ExecutionException | TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
      // (a send blocks up to max.block.ms for the topic's metadata, then throws the Kafka timeout)
      LOG.warn("{}: dead-letter topic unavailable ({}); rewinding and backing off", name, e.toString());
      retryLater();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
      retryLater();
    } catch (RebalanceInProgressException e) {
      // the rows are committed in PostGIS; the offsets go with the next commit for the partitions this
      // worker still holds after the rebalance, the others' new owners re-read them as duplicates
      LOG.info("{}: offsets not committed yet because the group is rebalancing; committed after it", name);
      metrics.offsetCommitRefused();
      nextOffset.forEach((tp, o) -> pendingOffsets.merge(tp, o, Math::max));
      clear();
    } catch (CommitFailedException e) {
      // evicted from the group: the partitions are gone, whoever owns them next re-reads them as duplicates
      LOG.info("{}: offsets not committed because the group rebalanced; duplicates will be suppressed", name);
      metrics.offsetCommitRefused();
      pendingOffsets.clear();
      clear();

    } catch (RuntimeException e) {
      LOG.error("{}: unexpected error writing a batch; rewinding and backing off", name, e);
      retryLater();
    }
  }

  /**
   * The authorisation step after decoding: an event that came on an integrator's own topic and names a
   * {@code sourceId} (or patrol {@code unitId}) its sender may not speak for is refused as
   * {@link Refusal#UNAUTHORISED_SOURCE}; it then goes the way of every refusal (dead letter, counted
   * once, nothing stored). Events on the base topics come from the built-in source principals.
   */
  private void authorise() throws SQLException {
    for (int i = 0; i < records.size(); i++) {
      String principal = settings.principalOf(records.get(i).topic());
      if (principal != null && results.get(i) instanceof Accepted a) {
        registry.refreshIfStale(connection());
        if (!registry.mayPublish(principal, a.event())) {
          results.set(i, new Refused(Refusal.UNAUTHORISED_SOURCE, DeviceRegistry.refusal(principal, a.event())));
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
      commitOffsets();
    } catch (RebalanceInProgressException e) {
      // still rebalancing: the next poll tries again
    } catch (CommitFailedException e) {
      pendingOffsets.clear();
    }
  }

  private void commitOffsets() {
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

  /** Forgets the batch and seeks back to its first offsets so it is read again. */
  private void retryLater() {
    metrics.dbFailure();
    closeConnection();
    Set<TopicPartition> assigned = consumer.assignment();
    firstOffset.forEach((tp, offset) -> {
      if (assigned.contains(tp)) {
        consumer.seek(tp, offset);
      }
    });
    clear();
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

  private void clear() {
    batchBytes = 0;
    records.clear();
    results.clear();
    firstOffset.clear();
    nextOffset.clear();
  }

  private void dropPartitions(Collection<TopicPartition> parts) {
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
    batchBytes = 0;
    for (ConsumerRecord<byte[], byte[]> r : keepRecords) {
      batchBytes += Math.max(0, r.serializedValueSize());
    }
    results.addAll(keepResults);
    parts.forEach(tp -> {
      firstOffset.remove(tp);
      nextOffset.remove(tp);
    });
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
      // commit on revoke: write and commit what we hold before another worker takes over
      if (!partitions.isEmpty() && !records.isEmpty()) {
        flush();
        dropPartitions(partitions);
      } else if (!partitions.isEmpty() && !pendingOffsets.isEmpty()) {
        commitPending();
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
      // no longer ours and not committable: the new owner reads them again
      dropPartitions(partitions);
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
