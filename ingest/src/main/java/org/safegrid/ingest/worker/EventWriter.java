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
 * Writes a batch of accepted events into PostGIS in one transaction, exactly once per event id.
 *
 * <p>The batch is COPYed (binary format) into a temporary staging table, then one statement inserts
 * the first version of each new id into {@code event_key} ({@code ON CONFLICT DO NOTHING}), the
 * matching rows into the partitioned {@code event} table, newer patrol positions into
 * {@code patrol_position} (only when newer than the stored one), and the per-minute counters into
 * {@code event_count}. Ids already stored with another payload hash are recorded in
 * {@code ingest_integrity_alarm}. Refusal counts are added in the same transaction.
 *
 * <p>Not thread-safe: one writer per worker thread, bound to one connection at a time. The caller
 * owns the connection (autocommit is switched off here) and commits nothing itself.
 */
public final class EventWriter {

  /**
   * What a write did.
   *
   * @param inserted        new events stored, per source
   * @param duplicates      events in the batch that were already stored (or repeated in the batch)
   * @param integrityAlarms ids offered again with a different payload in this batch (new alarms only)
   */
  public record Result(Map<Source, Integer> inserted, int duplicates, List<String> integrityAlarms) {
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

  /** The merge; {@code %s} is the first version of each id in the batch (see {@link #FIRST_OF_EACH_ID}). */
  private static final String MERGE_TEMPLATE = """
      WITH first AS (
        %s
      ), k AS (
        INSERT INTO event_key (event_id, observed_at, payload_sha256)
        SELECT event_id, observed_at, sha FROM first ORDER BY event_id
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id
      ), ins AS (
        INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs)
        SELECT f.event_id, f.source, f.source_id, f.kind, f.severity, f.observed_at,
               ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), f.attrs
        FROM first f JOIN k USING (event_id)
        RETURNING source, observed_at
      ), pos AS (
        INSERT INTO patrol_position AS p (unit_id, event_id, observed_at, geom, speed_kmh, heading_deg, status)
        SELECT DISTINCT ON (f.unit_id) f.unit_id, f.event_id, f.observed_at,
               ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), f.speed, f.heading, f.status
        FROM first f JOIN k USING (event_id)
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

  /** A batch may repeat an id: keep its first occurrence. */
  private static final String FIRST_OF_EACH_ID =
      "SELECT DISTINCT ON (event_id) * FROM ingest_stage ORDER BY event_id, seq";

  /** The usual batch, every id once (checked in Java): no sort needed. */
  private static final String EVERY_ROW = "SELECT * FROM ingest_stage";

  private static final String MERGE = MERGE_TEMPLATE.formatted(FIRST_OF_EACH_ID);
  private static final String MERGE_UNIQUE = MERGE_TEMPLATE.formatted(EVERY_ROW);

  private static final String COPY_STAGE = "COPY ingest_stage FROM STDIN (FORMAT binary)";
  private static final int STAGE_COLUMNS = 15;

  private static final String ALARMS = """
      INSERT INTO ingest_integrity_alarm (event_id, kept_sha256, offered_sha256)
      SELECT DISTINCT s.event_id, k.payload_sha256, s.sha
      FROM ingest_stage s JOIN event_key k USING (event_id)
      WHERE k.payload_sha256 <> s.sha
      ON CONFLICT (event_id, offered_sha256) DO NOTHING
      RETURNING event_id""";

  private static final String REFUSALS = """
      INSERT INTO ingest_refusal_count AS r (reason, minute, messages) VALUES (?, date_trunc('minute', now()), ?)
      ON CONFLICT (reason, minute) DO UPDATE SET messages = r.messages + excluded.messages""";

  private final Set<Long> knownDays = new HashSet<>();
  private final BinaryCopyBuffer copyBuffer = new BinaryCopyBuffer();
  private Connection stagedOn;

  /**
   * Writes the batch and the refusal counts in one transaction and commits it.
   *
   * @throws SQLException on any database error; the transaction is rolled back and nothing of the
   *                      batch is stored
   */
  public Result write(Connection c, List<Accepted> events, Map<Refusal, Integer> refusals) throws SQLException {
    ensurePartitions(c, events);
    c.setAutoCommit(false);
    try {
      Map<Source, Integer> inserted = new EnumMap<>(Source.class);
      List<String> alarms = new ArrayList<>();
      if (!events.isEmpty()) {
        prepareStage(c);
        copy(c, events);
        String merge = distinctIds(events) ? MERGE_UNIQUE : MERGE;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(merge)) {
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
      if (!refusals.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(REFUSALS)) {
          for (Map.Entry<Refusal, Integer> e : new java.util.TreeMap<>(refusals).entrySet()) {
            ps.setString(1, e.getKey().code());
            ps.setLong(2, e.getValue());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      c.commit();
      int total = inserted.values().stream().mapToInt(Integer::intValue).sum();
      return new Result(inserted, events.size() - total, alarms);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void ensurePartitions(Connection c, List<Accepted> events) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Accepted a : events) {
      long day = Math.floorDiv(a.event().observedAt().getEpochSecond(), 86_400L);
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

  /** True when no id occurs twice in the batch. */
  private static boolean distinctIds(List<Accepted> events) {
    Set<String> ids = new HashSet<>(events.size() * 2);
    for (Accepted a : events) {
      if (!ids.add(a.event().id())) {
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
    b.finish();
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_STAGE);
    try {
      in.writeToCopy(b.array(), 0, b.length());
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
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
