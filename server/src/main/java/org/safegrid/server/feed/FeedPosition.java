package org.safegrid.server.feed;

import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a consumer of the {@link EventFeed} stands, in transaction ids ({@code xid8}, as longs).
 *
 * <p>Every transaction below {@code floor} is finished and was delivered whole. At or above the
 * floor, {@code delivered} holds the transactions delivered whole (they committed while an older one
 * was still open, so the floor could not pass them) and {@code partial} the transactions delivered
 * up to an event id (larger than one read). Anything else at or above the floor is still to come,
 * whether it is committed already or still open. Immutable.
 *
 * @param floor     the lowest transaction id not known to be delivered whole
 * @param delivered transaction ids at or above the floor delivered whole
 * @param partial   transaction id → the last event id delivered of it (event ids in text order)
 */
public record FeedPosition(long floor, SortedSet<Long> delivered, SortedMap<Long, String> partial) {

  public FeedPosition {
    delivered = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(delivered.tailSet(floor)));
    partial = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(partial.tailMap(floor)));
    for (Long t : partial.keySet()) {
      if (delivered.contains(t)) {
        throw new IllegalArgumentException("transaction " + t + " is both delivered and partial");
      }
    }
  }

  /** A position with nothing delivered at or above {@code floor}. */
  public static FeedPosition at(long floor) {
    return new FeedPosition(floor, new TreeSet<>(), new TreeMap<>());
  }

  /** True when nothing above the floor was delivered (the usual state of a caught-up feed). */
  public boolean isClean() {
    return delivered.isEmpty() && partial.isEmpty();
  }

  /** The delivered transaction ids as a PostgreSQL array literal of xid8. */
  String deliveredLiteral() {
    return arrayOf(delivered);
  }

  /** The partial transaction ids as a PostgreSQL array literal of xid8. */
  String partialTxidLiteral() {
    return arrayOf(partial.keySet());
  }

  /** The last delivered event id of each partial transaction, in the order of {@link #partialTxidLiteral()}. */
  String[] partialAfter() {
    return partial.values().toArray(String[]::new);
  }

  private static String arrayOf(Iterable<Long> xids) {
    StringBuilder b = new StringBuilder("{");
    for (Long x : xids) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(x);
    }
    return b.append('}').toString();
  }

  /**
   * The position after reading a batch in (txid, event id) order from this one.
   *
   * @param snapshotXmin the xmin of the snapshot the batch was read in: every transaction below it
   *                     had finished, so all of its rows were visible to the read
   * @param txids        the transaction id of each row read, in order
   * @param lastEventId  the event id of the last row read (null when none)
   * @param full         true when the read hit its limit, so the last transaction may have more rows
   */
  FeedPosition after(long snapshotXmin, long[] txids, String lastEventId, boolean full) {
    TreeSet<Long> d = new TreeSet<>(delivered);
    TreeMap<Long, String> p = new TreeMap<>(partial);
    long newFloor;
    if (!full || txids.length == 0) {
      // everything visible and not yet delivered was read: each transaction seen, and each partial, is whole
      for (long t : txids) {
        d.add(t);
      }
      d.addAll(p.keySet());
      p.clear();
      newFloor = Math.max(floor, snapshotXmin);
    } else {
      long last = txids[txids.length - 1];
      // rows come in txid order: every transaction below the last one was read to its end
      for (long t : txids) {
        if (t != last) {
          d.add(t);
        }
      }
      for (Map.Entry<Long, String> e : Map.copyOf(p).entrySet()) {
        if (e.getKey() < last) {
          d.add(e.getKey());
          p.remove(e.getKey());
        }
      }
      d.remove(last);
      p.put(last, lastEventId);
      // below min(xmin, last) every transaction is finished, hence visible, hence read
      newFloor = Math.max(floor, Math.min(snapshotXmin, last));
    }
    // the floor can rise over transactions delivered whole
    while (d.contains(newFloor)) {
      d.remove(newFloor);
      newFloor++;
    }
    return new FeedPosition(newFloor, d, p);
  }

  /**
   * The position as a short text that survives an HTTP header and a URL (the live stream's SSE id):
   * {@code p<floor>}, then {@code .<txid>} for each transaction delivered whole above the floor, then
   * {@code ~<txid>_<last event id, Base64url>} for each partial one. {@link #parse} reads it back.
   */
  public String token() {
    StringBuilder b = new StringBuilder("p").append(floor);
    for (Long t : delivered) {
      b.append('.').append(t);
    }
    for (Map.Entry<Long, String> e : partial.entrySet()) {
      b.append('~').append(e.getKey()).append('_').append(java.util.Base64.getUrlEncoder().withoutPadding()
          .encodeToString(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return b.toString();
  }

  /** True when {@code text} has the shape of a {@link #token()} (it may still fail to parse). */
  public static boolean looksLikeToken(String text) {
    return text != null && text.startsWith("p");
  }

  /** Reads a {@link #token()}; throws IllegalArgumentException naming what is wrong. */
  public static FeedPosition parse(String token) {
    if (!looksLikeToken(token) || token.length() > 4096) {
      throw new IllegalArgumentException("not a feed position: it must start with 'p' and be at most 4096 characters");
    }
    try {
      String[] partialParts = token.substring(1).split("~", -1);
      String[] wholeParts = partialParts[0].split("\\.", -1);
      long floor = Long.parseLong(wholeParts[0]);
      TreeSet<Long> d = new TreeSet<>();
      for (int i = 1; i < wholeParts.length; i++) {
        d.add(Long.parseLong(wholeParts[i]));
      }
      TreeMap<Long, String> p = new TreeMap<>();
      for (int i = 1; i < partialParts.length; i++) {
        int u = partialParts[i].indexOf('_');
        p.put(Long.parseLong(partialParts[i].substring(0, u)), new String(java.util.Base64.getUrlDecoder()
            .decode(partialParts[i].substring(u + 1)), java.nio.charset.StandardCharsets.UTF_8));
      }
      if (floor < 0 || (!d.isEmpty() && d.first() < floor) || (!p.isEmpty() && p.firstKey() < floor)) {
        throw new IllegalArgumentException("transactions below the floor");
      }
      return new FeedPosition(floor, d, p);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a feed position (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public String toString() {
    return "FeedPosition[floor=" + floor + ", delivered=" + delivered.size() + ", partial=" + partial + "]";
  }
}
