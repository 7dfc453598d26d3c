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
 * caller's transaction, so a consumer stores its position atomically with what it did. Thread-safe.
 */
public final class FeedPositions {

  /**
   * A stored position and when it was stored.
   *
   * @param position the position
   * @param storedAt when it was last saved
   */
  public record Stored(FeedPosition position, Instant storedAt) {
  }

  private final JdbcTemplate jdbc;

  public FeedPositions(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The stored position of {@code consumer}, if it ever saved one. */
  public Optional<Stored> find(String consumer) {
    List<Stored> rows = jdbc.query("SELECT floor::text, delivered::text[], partial_txid::text[], partial_after, "
        + "updated_at FROM event_feed_position WHERE consumer = ?", (rs, i) -> {
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
          return new Stored(new FeedPosition(Long.parseLong(rs.getString(1)), delivered, partial), at.toInstant());
        }, consumer);
    return rows.stream().findFirst();
  }

  /** Stores the position of {@code consumer} (in the caller's transaction, if any). */
  public void save(String consumer, FeedPosition p) {
    jdbc.update(con -> {
      var ps = con.prepareStatement("INSERT INTO event_feed_position (consumer, floor, delivered, partial_txid, "
          + "partial_after, updated_at) VALUES (?, CAST(? AS xid8), CAST(? AS xid8[]), CAST(? AS xid8[]), ?, now()) "
          + "ON CONFLICT (consumer) DO UPDATE SET floor = excluded.floor, delivered = excluded.delivered, "
          + "partial_txid = excluded.partial_txid, partial_after = excluded.partial_after, updated_at = now()");
      ps.setString(1, consumer);
      ps.setString(2, Long.toString(p.floor()));
      ps.setString(3, p.deliveredLiteral());
      ps.setString(4, p.partialTxidLiteral());
      ps.setArray(5, con.createArrayOf("text", p.partialAfter()));
      return ps;
    });
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
