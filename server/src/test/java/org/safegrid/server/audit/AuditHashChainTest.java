package org.safegrid.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * The audit trail's hash chain on a real PostgreSQL: the trigger writes it, {@link AuditChainVerifier}
 * recomputes it in Java (an independent implementation of the same definition), and tampering done
 * as the superuser, the append-only trigger switched off, is named by row. Each test has a database
 * of its own.
 */
class AuditHashChainTest {

  private static void append(Connection c, String action, String detailJson) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO audit_event (username, source_ip, action, object_type, object_id, outcome, detail) "
          + "VALUES ('ada', '10.0.0.7', '" + action + "', 'thing', '1', 'success', '" + detailJson + "'::jsonb)");
    }
  }

  private static long idOf(Connection c, String action) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT id FROM audit_event WHERE action = '" + action + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs statements as the cluster's superuser with the append-only trigger off, as an intruder with full rights would. */
  private static void tamper(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update");
      st.execute(sql);
      st.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update");
      c.commit();
    }
  }

  @Test
  void aChainWrittenByTheTriggerVerifiesAcrossDaysAndEveryRowIsCounted() throws SQLException {
    TestDatabase db = PostgisExtension.createDatabase("AuditChainIntact");
    try (Connection c = db.connect(DbRole.APP)) {
      for (int i = 0; i < 20; i++) {
        append(c, "test.chain." + i, "{\"i\": " + i + ", \"text\": \"ü \\\" ] 𝄞\"}");
      }
      // a row of another day (written with an explicit time) opens that day's chain at position 1
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO audit_event (at, action, outcome) VALUES (now() - interval '3 days', 'test.old', 'success')");
      }
      // the chain columns are the trigger's, whatever the INSERT says
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO audit_event (action, outcome, chain_seq, row_hash) VALUES ('test.forged', 'success', 1, "
            + "'\\x00')");
      }
      AuditChainVerifier.Report report = AuditChainVerifier.verify(c);
      assertThat(report.intact()).as(report.toString()).isTrue();
      assertThat(report.rows()).isEqualTo(22);
      assertThat(report.days()).isEqualTo(2);
      assertThat(report.firstBroken()).isNull();
      assertThat(report.lastId()).isEqualTo(idOf(c, "test.forged"));
    }
  }

  @Test
  void aRewrittenRowIsNamedAsTheFirstBrokenOne() throws SQLException {
    TestDatabase db = PostgisExtension.createDatabase("AuditChainRewritten");
    long target;
    try (Connection c = db.connect(DbRole.APP)) {
      for (int i = 0; i < 10; i++) {
        append(c, "test.rw." + i, "{}");
      }
      target = idOf(c, "test.rw.4");
    }
    tamper(db, "UPDATE audit_event SET username = 'eve' WHERE id = " + target);
    try (Connection c = db.connect(DbRole.APP)) {
      AuditChainVerifier.Report report = AuditChainVerifier.verify(c);
      assertThat(report.intact()).isFalse();
      assertThat(report.firstBroken().id()).isEqualTo(target);
      assertThat(report.firstBroken().seq()).isEqualTo(5);
      assertThat(report.firstBroken().reason()).contains("content does not match its hash");
    }
    // rewriting the row's hash too moves the break to the next row, which no longer chains to it
    tamper(db, "UPDATE audit_event SET row_hash = sha256(prev_hash || convert_to(safegrid_audit_canonical(audit_event), "
        + "'UTF8')) WHERE id = " + target);
    try (Connection c = db.connect(DbRole.APP)) {
      AuditChainVerifier.Report report = AuditChainVerifier.verify(c);
      assertThat(report.firstBroken().id()).isEqualTo(idOf(c, "test.rw.5"));
      assertThat(report.firstBroken().reason()).contains("does not chain to the row before it");
    }
  }

  @Test
  void aDeletedRowIsNamedByTheRowAfterTheGap() throws SQLException {
    TestDatabase db = PostgisExtension.createDatabase("AuditChainDeleted");
    try (Connection c = db.connect(DbRole.APP)) {
      for (int i = 0; i < 6; i++) {
        append(c, "test.del." + i, "{}");
      }
    }
    tamper(db, "DELETE FROM audit_event WHERE action = 'test.del.2'");
    try (Connection c = db.connect(DbRole.APP)) {
      AuditChainVerifier.Report report = AuditChainVerifier.verify(c);
      assertThat(report.intact()).isFalse();
      assertThat(report.firstBroken().id()).isEqualTo(idOf(c, "test.del.3"));
      assertThat(report.firstBroken().reason()).contains("rows 3 of the day's chain are missing");
    }
  }

  @Test
  void twoConcurrentWritersKeepOneValidChain() throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("AuditChainConcurrent");
    int perWriter = 150;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        writers.add(pool.submit((Callable<Integer>) () -> {
          try (Connection c = db.connect(DbRole.APP)) {
            c.setAutoCommit(false);
            go.await();
            for (int i = 0; i < perWriter; i++) {
              append(c, "test.w" + writer + "." + i, "{}");
              // some transactions hold two rows: the second must chain to the first, not to the other writer's
              if (i % 3 == 0) {
                append(c, "test.w" + writer + "." + i + ".b", "{}");
              }
              c.commit();
            }
          }
          return perWriter;
        }));
      }
      go.countDown();
      for (Future<Integer> f : writers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = db.connect(DbRole.APP)) {
      AuditChainVerifier.Report report = AuditChainVerifier.verify(c);
      assertThat(report.intact()).as(report.toString()).isTrue();
      assertThat(report.rows()).isEqualTo(2L * (perWriter + perWriter / 3));
    }
  }

  @Test
  void thePurgeDeletesWholeDaysSoTheRemainingTrailStillVerifies() throws SQLException {
    TestDatabase db = PostgisExtension.createDatabase("AuditChainPurge");
    try (Connection c = db.connect(DbRole.APP); Statement st = c.createStatement()) {
      // two rows on the day the 400-day cutoff falls in (one each side of the cutoff time), one older, one today
      st.execute("INSERT INTO audit_event (at, action, outcome) VALUES "
          + "(date_trunc('day', now() - interval '400 days', 'UTC') + interval '1 minute', 'test.cutday.early', 'success')");
      st.execute("INSERT INTO audit_event (at, action, outcome) VALUES "
          + "(date_trunc('day', now() - interval '400 days', 'UTC') + interval '1439 minutes', 'test.cutday.late', 'success')");
      st.execute("INSERT INTO audit_event (at, action, outcome) VALUES (now() - interval '402 days', 'test.older', 'success')");
      append(c, "test.today", "{}");
      st.execute("SELECT safegrid_audit_purge(interval '400 days')");
      ResultSet left = st.executeQuery("SELECT string_agg(action, ',' ORDER BY at) FROM audit_event "
          + "WHERE action LIKE 'test.%'");
      left.next();
      // the cutoff's day is kept whole (its early row too), the day before it goes
      assertThat(left.getString(1)).isEqualTo("test.cutday.early,test.cutday.late,test.today");
      AuditChainVerifier.Report report = AuditChainVerifier.verify(c);
      assertThat(report.intact()).as(report.toString()).isTrue();
    }
  }
}
