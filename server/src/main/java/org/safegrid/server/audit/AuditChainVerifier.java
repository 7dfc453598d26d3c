package org.safegrid.server.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Checks the hash chain of {@code audit_event} (docs/security.md, "Audit hash chain"): one chain per
 * UTC day, numbered from 1 without gaps, each row's {@code prev_hash} the hash of the row before (the
 * day's genesis value for its first row) and its {@code row_hash} the SHA-256 of {@code prev_hash}
 * and the row's canonical text. The hashes are recomputed here, in Java, from the stored rows; the
 * database's trigger wrote them.
 *
 * <p>Reads the rows in chain order as a stream in one read-only transaction of the given connection
 * (restoring its auto-commit afterwards). Stops at the first broken row. Plain JDBC, no Spring: the
 * server's endpoint and {@code ./safegrid audit verify} both use it.
 */
public final class AuditChainVerifier {

  /** What the genesis hash of a day is computed from, followed by the day as {@code YYYY-MM-DD}. */
  static final String GENESIS_PREFIX = "safegrid-audit-chain ";

  private static final String ROWS = "SELECT id, chain_day, chain_seq, prev_hash, row_hash, "
      + "safegrid_audit_canonical(a) FROM audit_event a ORDER BY chain_day, chain_seq";

  /**
   * The first row whose chain is broken.
   *
   * @param id     the row's id
   * @param day    its chain (UTC day)
   * @param seq    its position in that chain
   * @param reason what is wrong with it
   */
  public record BrokenRow(long id, LocalDate day, long seq, String reason) {
  }

  /**
   * The outcome of a verification.
   *
   * @param intact      true when every row verified
   * @param rows        rows read (up to and including the first broken one)
   * @param days        chains (days) read
   * @param firstDay    the oldest day, or null for an empty trail
   * @param lastDay     the newest day read
   * @param lastId      id of the last row read (the newest of an intact trail)
   * @param lastHash    its stored hash, hex: compare with the copy forwarded off the box, which a rewrite
   *                    of the chain's tail cannot change
   * @param firstBroken the first broken row, or null when intact
   */
  public record Report(boolean intact, long rows, int days, LocalDate firstDay, LocalDate lastDay, Long lastId,
                       String lastHash, BrokenRow firstBroken) {
  }

  private AuditChainVerifier() {
  }

  /** Verifies the whole trail. */
  public static Report verify(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(ROWS)) {
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery()) {
        return walk(rs);
      } finally {
        c.rollback();
      }
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static Report walk(ResultSet rs) throws SQLException {
    long rows = 0;
    int days = 0;
    LocalDate firstDay = null;
    LocalDate day = null;
    long expectedSeq = 0;
    byte[] expectedPrev = null;
    Long lastId = null;
    byte[] lastHash = null;
    while (rs.next()) {
      long id = rs.getLong(1);
      LocalDate rowDay = rs.getObject(2, LocalDate.class);
      long seq = rs.getLong(3);
      byte[] prev = rs.getBytes(4);
      byte[] hash = rs.getBytes(5);
      String canonical = rs.getString(6);
      rows++;
      if (!rowDay.equals(day)) {
        day = rowDay;
        days++;
        firstDay = firstDay == null ? day : firstDay;
        expectedSeq = 1;
        expectedPrev = genesis(day);
      }
      lastId = id;
      lastHash = hash;
      String reason = null;
      if (seq != expectedSeq) {
        reason = seq > expectedSeq
            ? "rows " + expectedSeq + (seq - 1 > expectedSeq ? ".." + (seq - 1) : "") + " of the day's chain are missing "
                + "before it (deleted)"
            : "its chain position " + seq + " repeats an earlier row's";
      } else if (!Arrays.equals(prev, expectedPrev)) {
        reason = expectedSeq == 1
            ? "the first row of its day does not start from the day's genesis hash (rows before it removed or it was moved)"
            : "it does not chain to the row before it (that row was rewritten, or one was removed or inserted)";
      } else if (!Arrays.equals(hash, rowHash(prev, canonical))) {
        reason = "its content does not match its hash (changed after it was written)";
      }
      if (reason != null) {
        return new Report(false, rows, days, firstDay, day, lastId, hex(lastHash), new BrokenRow(id, day, seq, reason));
      }
      expectedSeq++;
      expectedPrev = hash;
    }
    return new Report(true, rows, days, firstDay, day, lastId, hex(lastHash), null);
  }

  /** The hash a day's first row chains to. */
  static byte[] genesis(LocalDate day) {
    return sha256(new byte[0], GENESIS_PREFIX + day);
  }

  /** The hash of a row with the given previous hash and canonical text. */
  static byte[] rowHash(byte[] prev, String canonical) {
    return sha256(prev, canonical);
  }

  private static byte[] sha256(byte[] prefix, String text) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(prefix);
      d.update(text.getBytes(StandardCharsets.UTF_8));
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  static String hex(byte[] bytes) {
    return bytes == null ? null : HexFormat.of().formatHex(bytes);
  }
}
