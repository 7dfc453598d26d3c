package org.safegrid.ingest.worker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventDecoder.Accepted;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;

/**
 * Writes a batch of accepted events into PostGIS in one transaction, exactly once per event id.
 *
 * <p>The batch is COPYed (text format) into a temporary staging table, then one statement inserts
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

  private static final String MERGE = """
      WITH first AS (
        SELECT DISTINCT ON (event_id) * FROM ingest_stage ORDER BY event_id, seq
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

  private final Set<LocalDate> knownDays = new HashSet<>();
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
    TreeSet<LocalDate> missing = new TreeSet<>();
    for (Accepted a : events) {
      LocalDate day = LocalDate.ofInstant(a.event().observedAt(), ZoneOffset.UTC);
      if (!knownDays.contains(day)) {
        missing.add(day);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    c.setAutoCommit(true);
    for (int attempt = 0; ; attempt++) {
      try (PreparedStatement ps = c.prepareStatement("SELECT safegrid_ensure_event_partitions(?, ?)")) {
        ps.setObject(1, missing.first());
        ps.setObject(2, missing.last());
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
    for (LocalDate d = missing.first(); !d.isAfter(missing.last()); d = d.plusDays(1)) {
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

  private static void copy(Connection c, List<Accepted> events) throws SQLException {
    StringBuilder sb = new StringBuilder(events.size() * 320);
    HexFormat hex = HexFormat.of();
    int seq = 0;
    for (Accepted a : events) {
      Event e = a.event();
      sb.append(seq++).append('\t');
      text(sb, e.id()).append('\t');
      sb.append(e.source().wireName()).append('\t');
      text(sb, e.sourceId()).append('\t');
      text(sb, e.kind()).append('\t');
      sb.append(e.severity()).append('\t');
      sb.append(e.observedAt().toString()).append('\t');
      sb.append(e.lon()).append('\t');
      sb.append(e.lat()).append('\t');
      text(sb, a.attrsJson()).append('\t');
      sb.append("\\\\x").append(hex.formatHex(a.sha256())).append('\t');
      if (e.source() == Source.PATROL && "position".equals(e.kind())) {
        text(sb, String.valueOf(e.attrs().get("unitId"))).append('\t');
        number(sb, e.attrs().get("speed")).append('\t');
        number(sb, e.attrs().get("heading")).append('\t');
        Object status = e.attrs().get("status");
        if (status == null) {
          sb.append("\\N");
        } else {
          text(sb, status.toString());
        }
      } else {
        sb.append("\\N\t\\N\t\\N\t\\N");
      }
      sb.append('\n');
    }
    try {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      copy.copyIn("COPY ingest_stage FROM STDIN",
          new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new SQLException("COPY into the staging table failed: " + e.getMessage(), "08006", e);
    }
  }

  private static StringBuilder number(StringBuilder sb, Object o) {
    return o instanceof Number n ? sb.append(n.doubleValue()) : sb.append("\\N");
  }

  /** Appends a value escaped for COPY text format. */
  private static StringBuilder text(StringBuilder sb, String s) {
    int special = 0;
    while (special < s.length()) {
      char ch = s.charAt(special);
      if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
        break;
      }
      special++;
    }
    // nearly every value has nothing to escape: one bulk append
    sb.append(s, 0, special);
    for (int i = special; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
    return sb;
  }

  /** Forgets the partition-day cache (after the table was changed behind the writer's back). */
  void forgetPartitions() {
    knownDays.clear();
  }
}
