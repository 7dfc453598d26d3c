package org.safegrid.ingest.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The ledger checker: compares what the producer was told was stored (the {@link Ledger}) with what
 * PostgreSQL holds. {@code lost} = acked ids not in {@code event}; {@code dup} = rows minus distinct
 * event keys (source, sourceId, id) in {@code event} and in {@code event_key}; {@code unexpected} =
 * stored ids neither acked nor failed; {@code derivedOk} = the per-minute counters in
 * {@code event_count} equal a recomputation from {@code event} and every {@code event} row has its
 * {@code event_key} with the same key and observed time, and every key its row. A run passes when
 * lost = dup = unexpected = 0 and derivedOk.
 *
 * <p>The same id sent for two devices is two events (keys are namespaced by source, see
 * {@code EventWriter}), so it is no duplicate; the same id stored twice for one device is.
 */
public final class LedgerChecker {

  /**
   * The verdict of one check.
   *
   * @param acked ids the broker acknowledged
   * @param failed ids whose send failed
   * @param stored distinct ids of the run in {@code event}
   * @param lost acked ids missing from the database
   * @param dup surplus rows (event and event_key) per event key for the run's ids
   * @param unexpected stored ids that were neither acked nor failed
   * @param derivedOk counters and keys agree with the event table (whole database)
   */
  public record Result(long acked, long failed, long stored, long lost, long dup, long unexpected,
                       boolean derivedOk) {

    /** True when nothing is lost, duplicated or unexpected and the derived state is right. */
    public boolean ok() {
      return lost == 0 && dup == 0 && unexpected == 0 && derivedOk;
    }

    /** This result as one JSON object. */
    public String toJson() {
      return "{\"acked\":" + acked + ",\"failed\":" + failed + ",\"stored\":" + stored + ",\"lost\":" + lost
          + ",\"dup\":" + dup + ",\"unexpected\":" + unexpected + ",\"derivedOk\":" + derivedOk + "}";
    }
  }

  private static final String DERIVED_MISMATCHES = """
      SELECT (SELECT count(*) FROM (
                SELECT source, date_trunc('minute', observed_at) AS minute, count(*) AS n
                FROM event GROUP BY 1, 2) r
              FULL JOIN event_count c ON c.source = r.source AND c.minute = r.minute
              WHERE r.n IS DISTINCT FROM c.events)
           + (SELECT count(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM event_key k WHERE k.event_id = e.event_id
                AND k.source = e.source AND k.source_id = e.source_id AND k.observed_at = e.observed_at))
           + (SELECT count(*) FROM event_key k WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.event_id = k.event_id
                AND e.source = k.source AND e.source_id = k.source_id AND e.observed_at = k.observed_at))""";

  private final DataSource dataSource;

  public LedgerChecker(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Checks the ledger against the database now. */
  public Result check(Ledger ledger) throws SQLException {
    Set<String> stored = storedIds(ledger.prefix());
    long lost = ledger.acked().stream().filter(id -> !stored.contains(id)).count();
    long unexpected = stored.stream().filter(id -> !ledger.acked().contains(id) && !ledger.failed().contains(id))
        .count();
    long dup;
    boolean derivedOk;
    try (Connection c = dataSource.getConnection()) {
      dup = surplus(c, "event", ledger.prefix()) + surplus(c, "event_key", ledger.prefix());
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(DERIVED_MISMATCHES)) {
        rs.next();
        derivedOk = rs.getLong(1) == 0;
      }
    }
    return new Result(ledger.acked().size(), ledger.failed().size(), stored.size(), lost, dup, unexpected, derivedOk);
  }

  /**
   * Waits until every acked id is stored, polling; returns the time it took, or fails with
   * {@link IllegalStateException} after {@code timeout}. Database errors while waiting (an outage
   * under test) count as "not yet".
   */
  public Duration awaitStored(Ledger ledger, Duration timeout) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    long missing = -1;
    while (System.nanoTime() < deadline) {
      try {
        // a cheap count first: fetching every id of a large run on each poll loads the machine the
        // workers catch up on
        if (ledger.pending() == 0 && countRows(ledger.prefix()) >= ledger.acked().size()) {
          missing = ledger.acked().size() - countStored(ledger);
          if (missing <= 0) {
            return Duration.ofNanos(System.nanoTime() - t0);
          }
        }
      } catch (SQLException e) {
        // database unavailable: keep waiting
      }
      Thread.sleep(200);
    }
    try {
      missing = ledger.acked().size() - countStored(ledger);
    } catch (SQLException e) {
      // still unavailable: the last figure stands
    }
    throw new IllegalStateException(missing + " acked events still not stored after " + timeout
        + " (pending sends: " + ledger.pending() + ")");
  }

  private long countStored(Ledger ledger) throws SQLException {
    // acked ids only: failed sends that reached the broker anyway must not hide a lost acked one
    Set<String> stored = storedIds(ledger.prefix());
    return ledger.acked().stream().filter(stored::contains).count();
  }

  private long countRows(String prefix) throws SQLException {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM event WHERE starts_with(event_id, ?)")) {
      ps.setString(1, prefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Distinct ids of the run stored in {@code event}. */
  public Set<String> storedIds(String prefix) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT DISTINCT event_id FROM event WHERE starts_with(event_id, ?)")) {
      ps.setString(1, prefix);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  private static long surplus(Connection c, String table, String prefix) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) - count(DISTINCT (event_id, source, source_id)) FROM " + table
            + " WHERE starts_with(event_id, ?)")) {
      ps.setString(1, prefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
