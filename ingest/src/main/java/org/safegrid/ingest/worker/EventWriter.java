package org.safegrid.ingest.worker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventDecoder.Accepted;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;

/**
 * Writes a batch of accepted events into PostGIS in one transaction, exactly once per event key.
 *
 * <p>An event's key is its (source, sourceId, event id): ids are namespaced by the device that sent
 * them, so a sender can only collide with the ids of devices the device registry lets it speak for,
 * never shadow another device's event by storing a guessed id first; a redelivered message has the
 * same key and is stored once.
 *
 * <p>The usual batch (every key once): while the batches are all new (live traffic, a first import),
 * the keys, times and payload hashes are COPYed (binary) straight into {@code event_key}, whose
 * primary key refuses the whole COPY if one was stored before; that batch, and the batches after it
 * until one is all new again, stage the keys in a small temporary table and insert them into
 * {@code event_key} ({@code ON CONFLICT DO NOTHING RETURNING}). Only the events whose key was new are
 * then COPYed straight into the partitioned {@code event} table, so each row is parsed once, into its
 * own table. The newest new position of
 * each patrol unit goes to {@code patrol_position} (only when newer than the stored one) and the
 * per-minute counts, computed here, to {@code event_count}. A batch that repeats a key is staged
 * whole and merged by one statement that keeps the first occurrence. Keys already stored with another
 * payload hash are recorded in {@code ingest_integrity_alarm}. Refusal counts are added in the same
 * transaction.
 *
 * <p>Not thread-safe: one writer per worker thread, bound to one connection at a time. The caller
 * owns the connection (autocommit is switched off here) and commits nothing itself.
 */
public final class EventWriter {

  /**
   * What a write did.
   *
   * @param inserted        new events stored, per source
   * @param duplicates      events in the batch whose key was already stored (or repeated in the batch)
   * @param integrityAlarms ids whose key was offered again with a different payload in this batch (new
   *                        alarms only)
   * @param refusals        refused messages recorded now, per reason (a message recorded by an
   *                        earlier delivery of the batch is not counted again)
   */
  public record Result(Map<Source, Integer> inserted, int duplicates, List<String> integrityAlarms,
                       Map<Refusal, Integer> refusals) {
    public int insertedTotal() {
      return inserted.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  private static final String STAGE_DDL = """
      CREATE TEMP TABLE IF NOT EXISTS ingest_stage (
        seq int, event_id text, source text, source_id text, kind text, severity smallint,
        observed_at timestamptz, lon float8, lat float8, attrs jsonb, sha bytea,
        unit_id text, speed float8, heading float8, status text
      ) ON COMMIT DELETE ROWS""";

  /**
   * A batch that repeats a key (rare: a producer retry inside one batch): staged whole, and merged
   * keeping the first occurrence of each key.
   */
  private static final String MERGE = """
      WITH first AS (
        SELECT DISTINCT ON (event_id, source, source_id) * FROM ingest_stage ORDER BY event_id, source, source_id, seq
      ), k AS (
        INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256)
        SELECT event_id, source, source_id, observed_at, sha FROM first ORDER BY event_id, source, source_id
        ON CONFLICT (event_id, source, source_id) DO NOTHING
        RETURNING event_id, source, source_id
      ), ins AS (
        INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs)
        SELECT f.event_id, f.source, f.source_id, f.kind, f.severity, f.observed_at,
               ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), f.attrs
        FROM first f JOIN k USING (event_id, source, source_id)
        RETURNING source, observed_at
      ), pos AS (
        INSERT INTO patrol_position AS p (unit_id, event_id, observed_at, geom, speed_kmh, heading_deg, status)
        SELECT DISTINCT ON (f.unit_id) f.unit_id, f.event_id, f.observed_at,
               ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), f.speed, f.heading, f.status
        FROM first f JOIN k USING (event_id, source, source_id)
        WHERE f.unit_id IS NOT NULL
        ORDER BY f.unit_id, f.observed_at DESC
        ON CONFLICT (unit_id) DO UPDATE SET event_id = excluded.event_id, observed_at = excluded.observed_at,
          geom = excluded.geom, speed_kmh = excluded.speed_kmh, heading_deg = excluded.heading_deg,
          status = excluded.status
        WHERE excluded.observed_at > p.observed_at
      ), cnt AS (
        INSERT INTO event_count AS c (source, minute, events, newest_observed_at)
        SELECT source, date_trunc('minute', observed_at), count(*), max(observed_at)
        FROM ins GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (source, minute) DO UPDATE SET events = c.events + excluded.events,
          newest_observed_at = greatest(c.newest_observed_at, excluded.newest_observed_at)
      )
      SELECT source, count(*) FROM ins GROUP BY source""";


  private static final String COPY_STAGE = "COPY ingest_stage FROM STDIN (FORMAT binary)";
  private static final int STAGE_COLUMNS = 15;

  /** Keys of the staged batch already stored with another payload hash: one alarm row per new (id, hash). */
  private static String alarmsFrom(String stage) {
    return """
        INSERT INTO ingest_integrity_alarm (event_id, source, source_id, kept_sha256, offered_sha256)
        SELECT DISTINCT s.event_id, s.source, s.source_id, k.payload_sha256, s.sha
        FROM %s s JOIN event_key k USING (event_id, source, source_id)
        WHERE k.payload_sha256 <> s.sha
        ON CONFLICT (event_id, offered_sha256) DO NOTHING
        RETURNING event_id""".formatted(stage);
  }

  private static final String ALARMS = alarmsFrom("ingest_stage");

  // --- the usual batch, every key once: COPY the keys, then COPY only the new events straight into
  // the event table (no staging of whole rows), then the few latest positions and the counters

  private static final String KEY_STAGE_DDL = """
      CREATE TEMP TABLE IF NOT EXISTS ingest_key_stage (
        event_id text, source text, source_id text, observed_at timestamptz, sha bytea
      ) ON COMMIT DELETE ROWS""";

  private static final String POSITION_STAGE_DDL = """
      CREATE TEMP TABLE IF NOT EXISTS ingest_position_stage (
        unit_id text, event_id text, observed_at timestamptz, lon float8, lat float8,
        speed float8, heading float8, status text
      ) ON COMMIT DELETE ROWS""";

  private static final String COPY_KEYS = "COPY ingest_key_stage FROM STDIN (FORMAT binary)";

  /**
   * The keys of a batch expected to be all new, straight into their table: no staging, no speculative
   * insertion (ON CONFLICT checks the index once before each row and once more as it inserts it), no
   * rows sent back. A key already stored fails the COPY with a unique violation, and the batch takes
   * the staged path instead. Same columns, same binary body as {@link #COPY_KEYS}.
   */
  private static final String COPY_NEW_KEYS =
      "COPY event_key (event_id, source, source_id, observed_at, payload_sha256) FROM STDIN (FORMAT binary)";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String DEADLOCK = "40P01";

  /** Ordered by key so that two workers offered the same keys take their locks in the same order. */
  private static final String NEW_KEYS = """
      INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256)
      SELECT event_id, source, source_id, observed_at, sha FROM ingest_key_stage ORDER BY event_id, source, source_id
      ON CONFLICT (event_id, source, source_id) DO NOTHING
      RETURNING event_id, source, source_id""";

  private static final String COPY_EVENTS =
      "COPY event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) FROM STDIN (FORMAT binary)";

  private static final String COPY_POSITIONS = "COPY ingest_position_stage FROM STDIN (FORMAT binary)";

  private static final String POSITIONS = """
      INSERT INTO patrol_position AS p (unit_id, event_id, observed_at, geom, speed_kmh, heading_deg, status)
      SELECT unit_id, event_id, observed_at, ST_SetSRID(ST_MakePoint(lon, lat), 4326), speed, heading, status
      FROM ingest_position_stage ORDER BY unit_id
      ON CONFLICT (unit_id) DO UPDATE SET event_id = excluded.event_id, observed_at = excluded.observed_at,
        geom = excluded.geom, speed_kmh = excluded.speed_kmh, heading_deg = excluded.heading_deg,
        status = excluded.status
      WHERE excluded.observed_at > p.observed_at""";

  /** Minute buckets as epoch minutes, newest times as epoch microseconds: exact, whatever the session time zone. */
  private static final String COUNTS = """
      INSERT INTO event_count AS c (source, minute, events, newest_observed_at)
      SELECT s, to_timestamp(m * 60), n, timestamptz 'epoch' + u * interval '1 microsecond'
      FROM unnest(?::text[], ?::int8[], ?::int8[], ?::int8[]) AS t(s, m, n, u) ORDER BY 1, 2
      ON CONFLICT (source, minute) DO UPDATE SET events = c.events + excluded.events,
        newest_observed_at = greatest(c.newest_observed_at, excluded.newest_observed_at)""";

  private static final String KEY_ALARMS = alarmsFrom("ingest_key_stage");

  /**
   * Records refused messages by their coordinates and advances the per-minute counts by those not
   * recorded before: a batch read again after a crash counts its refusals once.
   */
  private static final String REFUSALS = """
      WITH r AS (
        INSERT INTO ingest_refusal (topic, kafka_partition, kafka_offset, reason)
        SELECT * FROM unnest(?::text[], ?::int4[], ?::int8[], ?::text[]) ORDER BY 1, 2, 3
        ON CONFLICT DO NOTHING
        RETURNING reason
      ), counted AS (
        INSERT INTO ingest_refusal_count AS c (reason, minute, messages)
        SELECT reason, date_trunc('minute', now()), count(*) FROM r GROUP BY reason ORDER BY reason
        ON CONFLICT (reason, minute) DO UPDATE SET messages = c.messages + excluded.messages
      )
      SELECT reason, count(*) FROM r GROUP BY reason""";

  /**
   * How long a refusal's coordinates are kept: far longer than a batch can wait for its offset
   * commit, so a replay always finds them.
   */
  static final String REFUSAL_MEMORY = "7 days";

  private static final long PURGE_EVERY_NANOS = 3_600_000_000_000L;

  private final Set<Long> knownDays = new HashSet<>();
  private final BinaryCopyBuffer copyBuffer = new BinaryCopyBuffer();
  private Connection stagedOn;
  private Connection fastPathOn;
  // a batch is first tried as all new while the last one was: live traffic and a first import are,
  // a re-run import or a redelivery is not (and then pays the failed COPY once, not once per batch)
  private boolean expectNewKeys = true;
  private long lastPurgeNanos = System.nanoTime() - PURGE_EVERY_NANOS;

  /**
   * Writes the batch and its refused messages (counted once per message, whatever the number of
   * deliveries) in one transaction and commits it.
   *
   * @throws SQLException on any database error; the transaction is rolled back and nothing of the
   *                      batch is stored
   */
  public Result write(Connection c, List<Accepted> events, List<RefusedMessage> refused) throws SQLException {
    ensurePartitions(c, events);
    c.setAutoCommit(false);
    try {
      Map<Source, Integer> inserted = new EnumMap<>(Source.class);
      List<String> alarms = new ArrayList<>();
      if (!events.isEmpty() && distinctKeys(events)) {
        writeDistinct(c, events, inserted, alarms);
      } else if (!events.isEmpty()) {
        prepareStage(c);
        copy(c, events);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MERGE)) {
          while (rs.next()) {
            inserted.put(Source.findByWireName(rs.getString(1)).orElseThrow(), rs.getInt(2));
          }
        }
        int stored = inserted.values().stream().mapToInt(Integer::intValue).sum();
        // only a batch with duplicates can hold a conflicting version; most batches have none
        if (stored < events.size()) {
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(ALARMS)) {
            while (rs.next()) {
              alarms.add(rs.getString(1));
            }
          }
        }
      }
      Map<Refusal, Integer> counted = writeRefusals(c, refused);
      c.commit();
      int total = inserted.values().stream().mapToInt(Integer::intValue).sum();
      return new Result(inserted, events.size() - total, alarms, counted);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      // the rollback may have undone the staging tables' creation (temporary tables are transactional)
      stagedOn = null;
      fastPathOn = null;
      throw e;
    }
  }

  private Map<Refusal, Integer> writeRefusals(Connection c, List<RefusedMessage> refused) throws SQLException {
    Map<Refusal, Integer> counted = new EnumMap<>(Refusal.class);
    if (refused.isEmpty()) {
      return counted;
    }
    int n = refused.size();
    Object[] topics = new Object[n];
    Object[] partitions = new Object[n];
    Object[] offsets = new Object[n];
    Object[] reasons = new Object[n];
    for (int i = 0; i < n; i++) {
      RefusedMessage m = refused.get(i);
      topics[i] = m.topic();
      partitions[i] = m.partition();
      offsets[i] = m.offset();
      reasons[i] = m.reason().code();
    }
    try (PreparedStatement ps = c.prepareStatement(REFUSALS)) {
      ps.setArray(1, c.createArrayOf("text", topics));
      ps.setArray(2, c.createArrayOf("int4", partitions));
      ps.setArray(3, c.createArrayOf("int8", offsets));
      ps.setArray(4, c.createArrayOf("text", reasons));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counted.put(Refusal.fromCode(rs.getString(1)), rs.getInt(2));
        }
      }
    }
    if (System.nanoTime() - lastPurgeNanos >= PURGE_EVERY_NANOS) {
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM ingest_refusal WHERE refused_at < now() - interval '" + REFUSAL_MEMORY + "'");
      }
      lastPurgeNanos = System.nanoTime();
    }
    return counted;
  }

  private void ensurePartitions(Connection c, List<Accepted> events) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Accepted a : events) {
      long day = Math.floorDiv(BinaryCopyBuffer.epochMicros(a.event().observedAt()), 86_400_000_000L);
      first = Math.min(first, day);
      last = Math.max(last, day);
    }
    boolean known = true;
    for (long d = first; d <= last && known; d++) {
      known = knownDays.contains(d);
    }
    if (known) {
      return;
    }
    // a batch spans a day or two; a pathological spread is bounded by the accepted time window
    c.setAutoCommit(true);
    for (int attempt = 0; ; attempt++) {
      try (PreparedStatement ps = c.prepareStatement("SELECT safegrid_ensure_event_partitions(?, ?)")) {
        ps.setObject(1, LocalDate.ofEpochDay(first));
        ps.setObject(2, LocalDate.ofEpochDay(last));
        ps.executeQuery().close();
        break;
      } catch (SQLException e) {
        // another worker created the same partition at the same moment: the second call sees it
        if (attempt < 3 && ("42P07".equals(e.getSQLState()) || "23505".equals(e.getSQLState()))) {
          continue;
        }
        throw e;
      }
    }
    for (long d = first; d <= last; d++) {
      knownDays.add(d);
    }
  }

  private void prepareStage(Connection c) throws SQLException {
    if (stagedOn != c) {
      try (Statement st = c.createStatement()) {
        st.execute(STAGE_DDL);
      }
      stagedOn = c;
    }
  }

  /**
   * The usual batch, every key once: the keys are written first, and only the events whose key was new
   * are COPYed into {@code event}, so the rows are parsed once, straight into their table. While the
   * batches are all new, the keys are COPYed straight into {@code event_key}; otherwise (or when that
   * COPY meets a stored key) they are staged and inserted {@code ON CONFLICT DO NOTHING}.
   */
  private void writeDistinct(Connection c, List<Accepted> events, Map<Source, Integer> inserted, List<String> alarms)
      throws SQLException {
    BinaryCopyBuffer b = copyBuffer.start();
    for (Accepted a : keyOrder(events)) {
      Event e = a.event();
      b.tuple(5).textField(e.id()).textField(e.source().wireName()).textField(e.sourceId())
          .timestamptzField(e.observedAt()).byteaField(a.sha256());
    }
    b.finish();
    boolean allNew = expectNewKeys && copiedAsNew(c, b);
    // after the straight COPY: it is the transaction's first write, which a failure rolls back whole
    prepareFastPath(c);
    Set<Key> fresh = null;
    if (!allNew) {
      copyIn(c, COPY_KEYS, b);
      fresh = new HashSet<>(events.size() * 2);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(NEW_KEYS)) {
        while (rs.next()) {
          fresh.add(new Key(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
      if (fresh.size() < events.size()) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(KEY_ALARMS)) {
          while (rs.next()) {
            alarms.add(rs.getString(1));
          }
        }
      }
      // the batch's keys are distinct: as many new keys as events means every event is new (a first
      // import, or live traffic), and the look-up per event can be skipped
      allNew = fresh.size() == events.size();
    }
    expectNewKeys = allNew;
    if (fresh != null && fresh.isEmpty()) {
      return;
    }
    b = copyBuffer.start();
    // the newest new ping of each unit, and the per-source, per-minute counts of the new events
    Map<String, Accepted> newestByUnit = new java.util.HashMap<>();
    Map<Source, Map<Long, long[]>> counts = new EnumMap<>(Source.class);
    for (Accepted a : events) {
      Event e = a.event();
      if (!allNew && !fresh.contains(Key.of(e))) {
        continue;
      }
      b.tuple(8).textField(e.id()).textField(e.source().wireName()).textField(e.sourceId()).textField(e.kind())
          .int2Field(e.severity()).timestamptzField(e.observedAt()).pointField(e.lon(), e.lat())
          .jsonbField(a.attrsJson());
      inserted.merge(e.source(), 1, Integer::sum);
      long micros = BinaryCopyBuffer.epochMicros(e.observedAt());
      long[] n = counts.computeIfAbsent(e.source(), k -> new java.util.HashMap<>())
          .computeIfAbsent(Math.floorDiv(micros, 60_000_000L), k -> new long[] {0, Long.MIN_VALUE});
      n[0]++;
      n[1] = Math.max(n[1], micros);
      if (e.source() == Source.PATROL && "position".equals(e.kind())) {
        String unit = String.valueOf(e.attrs().get("unitId"));
        newestByUnit.merge(unit, a, (x, y) -> y.event().observedAt().isAfter(x.event().observedAt()) ? y : x);
      }
    }
    copyIn(c, COPY_EVENTS, b.finish());
    if (!newestByUnit.isEmpty()) {
      b = copyBuffer.start();
      for (Map.Entry<String, Accepted> u : newestByUnit.entrySet()) {
        Event e = u.getValue().event();
        Map<String, Object> attrs = e.attrs();
        b.tuple(8).textField(u.getKey()).textField(e.id()).timestamptzField(e.observedAt())
            .float8Field(e.lon()).float8Field(e.lat());
        number(b, attrs.get("speed"));
        number(b, attrs.get("heading"));
        Object status = attrs.get("status");
        b.textField(status == null ? null : status.toString());
      }
      copyIn(c, COPY_POSITIONS, b.finish());
      try (Statement st = c.createStatement()) {
        st.executeUpdate(POSITIONS);
      }
    }
    List<String> src = new ArrayList<>();
    List<Long> minute = new ArrayList<>();
    List<Long> n = new ArrayList<>();
    List<Long> newest = new ArrayList<>();
    counts.forEach((s, byMinute) -> byMinute.forEach((m, v) -> {
      src.add(s.wireName());
      minute.add(m);
      n.add(v[0]);
      newest.add(v[1]);
    }));
    try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
      ps.setArray(1, c.createArrayOf("text", src.toArray()));
      ps.setArray(2, c.createArrayOf("int8", minute.toArray()));
      ps.setArray(3, c.createArrayOf("int8", n.toArray()));
      ps.setArray(4, c.createArrayOf("int8", newest.toArray()));
      ps.executeUpdate();
    }
  }

  private static void copyIn(Connection c, String sql, BinaryCopyBuffer b) throws SQLException {
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
    try {
      in.writeToCopy(b.array(), 0, b.length());
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /**
   * COPYs the keys body {@code b} straight into {@code event_key}, as the transaction's first write.
   *
   * @return true when every key was new and is now stored; false when one was already stored (or
   *         being stored by a concurrent transaction that then committed), in which case the
   *         transaction was rolled back and nothing of it is stored
   */
  private static boolean copiedAsNew(Connection c, BinaryCopyBuffer b) throws SQLException {
    try {
      copyIn(c, COPY_NEW_KEYS, b);
      return true;
    } catch (SQLException e) {
      // a deadlock needs a concurrent writer of the same keys in another order (a collation that is
      // not the code point order): the staged path then waits for it and keeps whichever committed
      if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !DEADLOCK.equals(e.getSQLState())) {
        throw e;
      }
      c.rollback();
      return false;
    }
  }

  /**
   * The events in the order of their keys, code point by code point: the order in which the staged
   * path's {@code ORDER BY} takes the keys' locks under the C collation, so that two transactions
   * writing the same keys (a redelivered batch on two workers, two imports of one file) lock them in
   * the same order whichever path each takes.
   */
  private static List<Accepted> keyOrder(List<Accepted> events) {
    List<Accepted> sorted = new ArrayList<>(events);
    sorted.sort((x, y) -> {
      int d = compareCodePoints(x.event().id(), y.event().id());
      if (d == 0) {
        d = compareCodePoints(x.event().source().wireName(), y.event().source().wireName());
      }
      return d != 0 ? d : compareCodePoints(x.event().sourceId(), y.event().sourceId());
    });
    return sorted;
  }

  /** UTF-8 byte order: {@link String#compareTo} but for surrogate pairs, which sort after U+E000..U+FFFF. */
  static int compareCodePoints(String x, String y) {
    int n = Math.min(x.length(), y.length());
    for (int i = 0; i < n; i++) {
      char a = x.charAt(i);
      char b = y.charAt(i);
      if (a != b) {
        if (Character.isSurrogate(a) != Character.isSurrogate(b)) {
          return Character.isSurrogate(a) ? 1 : -1;
        }
        return a - b;
      }
    }
    return x.length() - y.length();
  }

  private void prepareFastPath(Connection c) throws SQLException {
    if (fastPathOn != c) {
      try (Statement st = c.createStatement()) {
        st.execute(KEY_STAGE_DDL);
        st.execute(POSITION_STAGE_DDL);
      }
      fastPathOn = c;
    }
  }

  /** An event's dedupe key: its id within the namespace of its source and sourceId. */
  private record Key(String id, String source, String sourceId) {
    static Key of(Event e) {
      return new Key(e.id(), e.source().wireName(), e.sourceId());
    }
  }

  /** True when no key occurs twice in the batch. */
  private static boolean distinctKeys(List<Accepted> events) {
    Set<Key> keys = new HashSet<>(events.size() * 2);
    for (Accepted a : events) {
      if (!keys.add(Key.of(a.event()))) {
        return false;
      }
    }
    return true;
  }

  private void copy(Connection c, List<Accepted> events) throws SQLException {
    BinaryCopyBuffer b = copyBuffer.start();
    int seq = 0;
    for (Accepted a : events) {
      Event e = a.event();
      b.tuple(STAGE_COLUMNS)
          .int4Field(seq++)
          .textField(e.id())
          .textField(e.source().wireName())
          .textField(e.sourceId())
          .textField(e.kind())
          .int2Field(e.severity())
          .timestamptzField(e.observedAt())
          .float8Field(e.lon())
          .float8Field(e.lat())
          .jsonbField(a.attrsJson())
          .byteaField(a.sha256());
      if (e.source() == Source.PATROL && "position".equals(e.kind())) {
        Map<String, Object> attrs = e.attrs();
        b.textField(String.valueOf(attrs.get("unitId")));
        number(b, attrs.get("speed"));
        number(b, attrs.get("heading"));
        Object status = attrs.get("status");
        b.textField(status == null ? null : status.toString());
      } else {
        b.nullField().nullField().nullField().nullField();
      }
    }
    copyIn(c, COPY_STAGE, b.finish());
  }

  private static void number(BinaryCopyBuffer b, Object o) {
    if (o instanceof Number n) {
      b.float8Field(n.doubleValue());
    } else {
      b.nullField();
    }
  }

  /** Forgets the partition-day cache (after the table was changed behind the writer's back). */
  void forgetPartitions() {
    knownDays.clear();
  }
}
