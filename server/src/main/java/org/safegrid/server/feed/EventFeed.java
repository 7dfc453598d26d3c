package org.safegrid.server.feed;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.safegrid.server.live.LiveEvent;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads committed events in commit-safe order: whole transactions by transaction id ({@code
 * event.txid}, the inserting transaction's {@code pg_current_xact_id()}), events within one by id.
 * Stateless over the database; a consumer keeps its own {@link FeedPosition}. Thread-safe.
 *
 * <p>Each read is one statement, so the rows and the snapshot's xmin come from the same snapshot:
 * every transaction below that xmin had finished, so all its rows were read; a transaction above it
 * that is visible has committed whole and is delivered at once; one still open is simply not
 * visible yet and is read when it commits, because the position names the transactions above the
 * floor that were delivered rather than a high-water mark. So an open transaction never holds back
 * the others, and a late commit is never overtaken and lost (decision 004).
 */
public final class EventFeed {

  /** The columns of a {@link LiveEvent}, then the transaction id. */
  static final String COLUMNS = "e.event_id, e.source, e.source_id, e.kind, e.severity, e.observed_at, e.received_at, "
      + "ST_X(e.geom), ST_Y(e.geom), e.attrs::text, e.txid::text";

  /** Rows at or above the floor, not in a delivered transaction, past each partial's last event id. */
  static final String UNDELIVERED = "e.txid >= CAST(? AS xid8) AND e.txid <> ALL (CAST(? AS xid8[])) "
      + "AND NOT EXISTS (SELECT 1 FROM unnest(CAST(? AS xid8[]), CAST(? AS text[])) p(t, after) "
      + "WHERE p.t = e.txid AND e.event_id <= p.after)";

  /** Feed order; within one (txid, event id), shared by events of different devices, by device. */
  static final String ORDER = "e.txid, e.event_id, e.source, e.source_id";

  // WITH TIES: a read never ends between rows that share the last row's (txid, event id). A position
  // names a partial transaction by its last event id only, so a row left behind at that id would be
  // past the position and never read.
  private static final String READ = "SELECT pg_snapshot_xmin(s.snap)::text, " + COLUMNS
      + " FROM (SELECT pg_current_snapshot() AS snap) s LEFT JOIN LATERAL (SELECT * FROM event e WHERE " + UNDELIVERED
      + " ORDER BY e.txid, e.event_id FETCH FIRST ? ROWS WITH TIES) e ON true ORDER BY " + ORDER;

  private static final String HEAD = "SELECT pg_snapshot_xmin(s.snap)::text, "
      + "(SELECT array_agg(DISTINCT e.txid::text) FROM event e WHERE e.txid >= pg_snapshot_xmin(s.snap)) "
      + "FROM (SELECT pg_current_snapshot() AS snap) s";

  /**
   * One read.
   *
   * @param events the events, in (txid, event id, source, source id) order: at least the limit's worth
   *               when full, more when further rows share the last one's (txid, event id)
   * @param next   the position after them
   * @param full   true when the read hit its limit (more may be waiting)
   */
  public record Batch(List<LiveEvent> events, FeedPosition next, boolean full) {

    public boolean isEmpty() {
      return events.isEmpty();
    }
  }

  /**
   * What is waiting behind a position: the backlog a consumer finds when it resumes.
   *
   * @param events        events not yet delivered
   * @param firstStored   the oldest {@code received_at} among them (null when none)
   * @param lastStored    the newest {@code received_at} among them (null when none)
   * @param olderThanCutoff how many were stored before the cutoff asked for
   * @param bySourceKind  "source/kind" → count, for those stored before the cutoff
   */
  public record Backlog(long events, Instant firstStored, Instant lastStored, long olderThanCutoff,
                       Map<String, Long> bySourceKind) {
  }

  private final JdbcTemplate jdbc;

  /** A feed whose reads are not bounded in time (tests that hold no locks). */
  public EventFeed(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * A feed whose every read is cancelled by the driver after {@code readTimeout} (whole seconds), lock
   * waits included: the reads run in background loops on pooled connections, and a read parked
   * behind a long lock on {@code event} would otherwise hold its connection for as long as the lock.
   * Inside a transaction with its own timeout the shorter of the two applies.
   */
  public EventFeed(JdbcTemplate jdbc, java.time.Duration readTimeout) {
    this.jdbc = new JdbcTemplate(jdbc.getDataSource());
    this.jdbc.setQueryTimeout((int) Math.max(1, readTimeout.toSeconds()));
  }

  /** The head: the position after every event committed now (history is not delivered). */
  public FeedPosition head() {
    return jdbc.queryForObject(HEAD, (rs, i) -> {
      long xmin = Long.parseLong(rs.getString(1));
      TreeSet<Long> delivered = new TreeSet<>();
      java.sql.Array a = rs.getArray(2);
      if (a != null) {
        for (Object o : (Object[]) a.getArray()) {
          delivered.add(Long.parseLong((String) o));
        }
      }
      return new FeedPosition(xmin, delivered, new java.util.TreeMap<>());
    });
  }

  /**
   * Reads up to {@code limit} events after {@code from}, and beyond it the rest of the events that
   * share the last one's (txid, event id): the same id sent by several devices in one transaction is
   * read whole, since a position cannot stand between them.
   */
  public Batch read(FeedPosition from, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a feed read needs a limit of at least 1, got " + limit);
    }
    List<LiveEvent> events = new ArrayList<>();
    List<Long> txids = new ArrayList<>();
    long[] xmin = {from.floor()};
    jdbc.query(con -> {
      PreparedStatement ps = con.prepareStatement(READ);
      bindUndelivered(ps, 1, from, con);
      ps.setInt(5, limit);
      return ps;
    }, rs -> {
      xmin[0] = Long.parseLong(rs.getString(1));
      if (rs.getString(2) != null) {
        events.add(event(rs, 2));
        txids.add(Long.parseLong(rs.getString(12)));
      }
    });
    long[] t = txids.stream().mapToLong(Long::longValue).toArray();
    boolean full = events.size() >= limit;
    String lastId = events.isEmpty() ? null : events.get(events.size() - 1).id();
    return new Batch(List.copyOf(events), from.after(xmin[0], t, lastId, full), full);
  }

  /** The event in the {@link #COLUMNS} that start at column {@code first}. */
  private static LiveEvent event(java.sql.ResultSet rs, int first) throws java.sql.SQLException {
    int c = first;
    return new LiveEvent(rs.getString(c), rs.getString(c + 1), rs.getString(c + 2), rs.getString(c + 3),
        rs.getInt(c + 4), rs.getTimestamp(c + 5).toInstant(), rs.getTimestamp(c + 6).toInstant(),
        rs.getDouble(c + 7), rs.getDouble(c + 8), rs.getString(c + 9));
  }

  /**
   * The events delivered by {@code to} but not by {@code from}, in feed order, at most {@code limit}:
   * what a consumer that stood at {@code from} missed of what another consumer delivered up to
   * {@code to}. Both positions must be of this database.
   */
  public List<LiveEvent> between(FeedPosition from, FeedPosition to, int limit) {
    long above = Math.max(to.floor(), Math.max(to.delivered().isEmpty() ? 0 : to.delivered().last() + 1,
        to.partial().isEmpty() ? 0 : to.partial().lastKey() + 1));
    List<LiveEvent> events = new ArrayList<>();
    jdbc.query(con -> {
      PreparedStatement ps = con.prepareStatement("SELECT " + COLUMNS + " FROM event e WHERE " + UNDELIVERED
          + " AND e.txid < CAST(? AS xid8) AND NOT (" + UNDELIVERED + ") ORDER BY " + ORDER + " LIMIT ?");
      bindUndelivered(ps, 1, from, con);
      ps.setString(5, Long.toString(above));
      bindUndelivered(ps, 6, to, con);
      ps.setInt(10, limit);
      return ps;
    }, rs -> {
      events.add(event(rs, 1));
    });
    return events;
  }

  /** Counts what waits behind {@code from}; {@code cutoff} splits off the events stored before it. */
  public Backlog backlog(FeedPosition from, Instant cutoff) {
    Object[] summary = new Object[4];
    Map<String, Long> bySourceKind = new LinkedHashMap<>();
    jdbc.query(con -> {
      PreparedStatement ps = con.prepareStatement("SELECT count(*), min(e.received_at), max(e.received_at), "
          + "count(*) FILTER (WHERE e.received_at < ?) FROM event e WHERE " + UNDELIVERED);
      ps.setTimestamp(1, Timestamp.from(cutoff));
      bindUndelivered(ps, 2, from, con);
      return ps;
    }, rs -> {
      summary[0] = rs.getLong(1);
      summary[1] = rs.getTimestamp(2);
      summary[2] = rs.getTimestamp(3);
      summary[3] = rs.getLong(4);
    });
    jdbc.query(con -> {
      PreparedStatement ps = con.prepareStatement("SELECT e.source || '/' || e.kind, count(*) FROM event e WHERE "
          + "e.received_at < ? AND " + UNDELIVERED + " GROUP BY 1 ORDER BY 2 DESC, 1");
      ps.setTimestamp(1, Timestamp.from(cutoff));
      bindUndelivered(ps, 2, from, con);
      return ps;
    }, rs -> {
      bySourceKind.put(rs.getString(1), rs.getLong(2));
    });
    return new Backlog((Long) summary[0], instant(summary[1]), instant(summary[2]), (Long) summary[3],
        bySourceKind);
  }

  private static Instant instant(Object ts) {
    return ts == null ? null : ((Timestamp) ts).toInstant();
  }

  private static void bindUndelivered(PreparedStatement ps, int first, FeedPosition p, java.sql.Connection con)
      throws java.sql.SQLException {
    ps.setString(first, Long.toString(p.floor()));
    ps.setString(first + 1, p.deliveredLiteral());
    ps.setString(first + 2, p.partialTxidLiteral());
    ps.setArray(first + 3, con.createArrayOf("text", p.partialAfter()));
  }
}
