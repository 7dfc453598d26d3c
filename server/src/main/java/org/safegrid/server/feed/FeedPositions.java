package org.safegrid.server.feed;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The stored positions of persistent feed consumers ({@code event_feed_position}). A save joins the
 * caller's transaction, so a consumer stores its position atomically with what it did. Each save is
 * a compare-and-set on the row's generation: two instances of one consumer (a stale leader and the
 * new one) can never both commit the same range of the feed; the one that saves second gets a
 * {@link StalePositionException}, and its transaction rolls back. Thread-safe.
 */
public final class FeedPositions {

  /**
   * A stored position and when it was stored.
   *
   * @param position   the position
   * @param storedAt   when it was last saved
   * @param generation how many times it was saved; the expected value of the next save
   */
  public record Stored(FeedPosition position, Instant storedAt, long generation) {
  }

  /** Another instance of the consumer saved the position since this one read it: this one is stale. */
  public static final class StalePositionException extends RuntimeException {

    StalePositionException(String consumer, long expectedGeneration) {
      super("the feed position of " + consumer + " moved on since generation " + expectedGeneration
          + ": another instance of the consumer (a newer leader) saved it; this one stops and reads it again");
    }
  }

  private final JdbcTemplate jdbc;

  public FeedPositions(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The stored position of {@code consumer}, if it ever saved one. */
  public Optional<Stored> find(String consumer) {
    List<Stored> rows = jdbc.query("SELECT floor::text, delivered::text[], partial_txid::text[], partial_after, "
        + "updated_at, generation FROM event_feed_position WHERE consumer = ?", (rs, i) -> {
          TreeSet<Long> delivered = new TreeSet<>();
          for (String x : strings(rs.getArray(2))) {
            delivered.add(Long.parseLong(x));
          }
          String[] txids = strings(rs.getArray(3));
          String[] after = strings(rs.getArray(4));
          if (txids.length != after.length) {
            throw new IllegalStateException("event_feed_position of " + consumer + " is damaged: "
                + txids.length + " partial transactions but " + after.length + " event ids");
          }
          TreeMap<Long, String> partial = new TreeMap<>();
          for (int k = 0; k < txids.length; k++) {
            partial.put(Long.parseLong(txids[k]), after[k]);
          }
          Timestamp at = rs.getTimestamp(5);
          return new Stored(new FeedPosition(Long.parseLong(rs.getString(1)), delivered, partial), at.toInstant(),
              rs.getLong(6));
        }, consumer);
    return rows.stream().findFirst();
  }

  /** Stores {@code p} as the first position of {@code consumer} unless one is stored already. */
  public void insertIfAbsent(String consumer, FeedPosition p) {
    jdbc.update(con -> {
      var ps = con.prepareStatement("INSERT INTO event_feed_position (consumer, floor, delivered, partial_txid, "
          + "partial_after, updated_at) VALUES (?, CAST(? AS xid8), CAST(? AS xid8[]), CAST(? AS xid8[]), ?, now()) "
          + "ON CONFLICT (consumer) DO NOTHING");
      ps.setString(1, consumer);
      ps.setString(2, Long.toString(p.floor()));
      ps.setString(3, p.deliveredLiteral());
      ps.setString(4, p.partialTxidLiteral());
      ps.setArray(5, con.createArrayOf("text", p.partialAfter()));
      return ps;
    });
  }

  /**
   * Locks the stored position of {@code consumer} for the caller's transaction and checks that its
   * generation is still {@code expectedGeneration}. A transaction that writes on behalf of a position
   * (alerts judged from a feed range) calls this first: two instances of the consumer then take their
   * locks in one order — the position row, then what they write — so they queue instead of deadlocking
   * (for example on a unique alert key and the audit chain's lock), and the stale one stops before it
   * has written anything.
   *
   * @throws StalePositionException when another instance saved it since
   */
  public void claim(String consumer, long expectedGeneration) {
    List<Long> generation = jdbc.queryForList(
        "SELECT generation FROM event_feed_position WHERE consumer = ? FOR UPDATE", Long.class, consumer);
    if (generation.size() != 1 || generation.get(0) != expectedGeneration) {
      throw new StalePositionException(consumer, expectedGeneration);
    }
  }

  /**
   * Stores the position of {@code consumer} (in the caller's transaction, if any) if its generation is
   * still {@code expectedGeneration}; returns the new generation.
   *
   * @throws StalePositionException when another instance saved it since (nothing is written)
   */
  public long compareAndSave(String consumer, FeedPosition p, long expectedGeneration) {
    int rows = jdbc.update(con -> {
      var ps = con.prepareStatement("UPDATE event_feed_position SET floor = CAST(? AS xid8), "
          + "delivered = CAST(? AS xid8[]), partial_txid = CAST(? AS xid8[]), partial_after = ?, updated_at = now(), "
          + "generation = generation + 1 WHERE consumer = ? AND generation = ?");
      ps.setString(1, Long.toString(p.floor()));
      ps.setString(2, p.deliveredLiteral());
      ps.setString(3, p.partialTxidLiteral());
      ps.setArray(4, con.createArrayOf("text", p.partialAfter()));
      ps.setString(5, consumer);
      ps.setLong(6, expectedGeneration);
      return ps;
    });
    if (rows != 1) {
      throw new StalePositionException(consumer, expectedGeneration);
    }
    return expectedGeneration + 1;
  }

  private static String[] strings(Array a) throws java.sql.SQLException {
    if (a == null) {
      return new String[0];
    }
    Object[] values = (Object[]) a.getArray();
    String[] out = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (String) values[i];
    }
    return out;
  }
}
