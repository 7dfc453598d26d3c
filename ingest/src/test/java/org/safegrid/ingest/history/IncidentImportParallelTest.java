package org.safegrid.ingest.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.safegrid.ingest.history.IncidentImportTest.count;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/** The import with several writers side by side, each test on a database of its own. */
class IncidentImportParallelTest {

  static IncidentImport.Options parallel(Path file, int batch, int writers) {
    return new IncidentImport.Options(file, false, new IncidentCsv.Settings("110", 100, Datum.WGS84, ServiceArea.HUIZHOU,
        IncidentCategories.standard(), Instant.now()), null, batch, writers);
  }

  /** {@code rows} rows (at most 6,500) 80 minutes apart from a year ago, ids {@code hz-0} … */
  static StringBuilder year(int rows) {
    StringBuilder sb = new StringBuilder(IncidentCsvTest.HEADER);
    LocalDateTime start = LocalDate.now(ZoneOffset.UTC).minusYears(1).atStartOfDay();
    for (int i = 0; i < rows; i++) {
      sb.append("hz-").append(i).append(",Huizhou,").append(start.plusMinutes(i * 80L)).append(",Asia/Shanghai,")
          .append(i % 3 == 0 ? "盗窃" : "殴打他人").append(",,114.").append(1000 + i % 9000).append(",23.")
          .append(1000 + i % 8000).append(",441302\n");
    }
    return sb;
  }

  private static String line(StringBuilder sb, String id) {
    int at = sb.indexOf("\n" + id + ",") + 1;
    return sb.substring(at, sb.indexOf("\n", at) + 1);
  }

  @Test
  void parallelWritersStoreEachRowOnceKeepTheFirstOfARepeatedIdAndARerunStoresNothing(@TempDir Path dir)
      throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("importrepeat");
    StringBuilder sb = year(3_000);
    // repeats far from their first occurrence (in later batches): the same row again, and the same id with
    // other content (a theft first, an assault later: the first is kept, the second is an integrity alarm)
    sb.append(line(sb, "hz-10"));
    sb.append(line(sb, "hz-30").replace("盗窃", "殴打他人"));
    Path file = dir.resolve("year.csv");
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);

    IncidentImport.Report r = IncidentImport.runParallel(parallel(file, 50, 3), db::connect);
    assertThat(r.accepted()).isEqualTo(3_002);
    assertThat(r.inserted()).isEqualTo(3_000);
    assertThat(r.alreadyStored()).isEqualTo(2);
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(3_000);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(3_000);
    assertThat(count(db, "SELECT count(*) FROM event_key")).isEqualTo(3_000);
    assertThat(count(db, "SELECT count(*) FROM event WHERE event_id = 'hz-30' AND kind = 'property'")).isEqualTo(1);
    assertThat(count(db, "SELECT count(*) FROM ingest_integrity_alarm WHERE event_id = 'hz-30'")).isEqualTo(1);
    assertThat(count(db, "SELECT coalesce(sum(events), 0) FROM event_count WHERE source = 'incident'"))
        .as("per-minute counts of the writers that ran side by side").isEqualTo(3_000);

    IncidentImport.Report again = IncidentImport.runParallel(parallel(file, 50, 3), db::connect);
    assertThat(again.inserted()).isZero();
    assertThat(again.alreadyStored()).isEqualTo(3_002);
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(3_000);
    assertThat(count(db, "SELECT coalesce(sum(events), 0) FROM event_count WHERE source = 'incident'")).isEqualTo(3_000);
  }

  /**
   * The import is cut off in the middle of the file (its connections terminated while one writer waits
   * on a key another transaction holds): the batches committed before stay, and running it again
   * stores exactly the rest.
   */
  @Test
  void anImportCutOffMidFileIsCompletedByRunningItAgain(@TempDir Path dir) throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("importcutoff");
    Path file = dir.resolve("year.csv");
    Files.writeString(file, year(6_000).toString(), StandardCharsets.UTF_8);
    IncidentImport.Options o = parallel(file, 100, 3);
    IncidentImport.Connections tagged = () -> {
      Properties p = new Properties();
      p.setProperty("user", db.user());
      p.setProperty("password", db.password());
      p.setProperty("ApplicationName", "import-cut-off");
      return DriverManager.getConnection(db.jdbcUrl(), p);
    };
    long stored;
    try (Connection blocker = db.connect()) {
      // another transaction holds the key of a row in the second half of the file: the writer whose
      // batch holds it waits, the reader stops when that writer's queue is full, the import stalls there
      blocker.setAutoCommit(false);
      try (Statement st = blocker.createStatement()) {
        st.execute("INSERT INTO event_key (event_id, source, source_id, observed_at, payload_sha256) "
            + "VALUES ('hz-4000', 'incident', 'history:Huizhou', now(), '\\x00')");
      }
      CompletableFuture<IncidentImport.Report> run = CompletableFuture.supplyAsync(() -> {
        try {
          return IncidentImport.runParallel(o, tagged);
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // a wait of half a second on a transaction: the held key (the writers' waits on each other's
      // per-minute counters last until the other's commit, milliseconds)
      while (count(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'import-cut-off' "
          + "AND wait_event = 'transactionid' AND now() - query_start > interval '500 milliseconds'") == 0) {
        assertThat(System.nanoTime()).as("a writer waits on the held key").isLessThan(deadline);
        assertThat(run).isNotDone();
        Thread.sleep(20);
      }
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'import-cut-off'")
            .close();
      }
      assertThatThrownBy(() -> run.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SQLException.class);
      blocker.rollback();
      stored = count(db, "SELECT count(*) FROM event");
    }
    assertThat(stored).as("batches committed before the cut").isBetween(1L, 5_999L);
    assertThat(count(db, "SELECT count(*) FROM event_key")).isEqualTo(stored);
    assertThat(count(db, "SELECT coalesce(sum(events), 0) FROM event_count WHERE source = 'incident'")).isEqualTo(stored);

    IncidentImport.Report rest = IncidentImport.runParallel(o, db::connect);
    assertThat(rest.inserted()).isEqualTo(6_000 - stored);
    assertThat(rest.alreadyStored()).isEqualTo(stored);
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(6_000);
    assertThat(count(db, "SELECT count(DISTINCT event_id) FROM event")).isEqualTo(6_000);
    assertThat(count(db, "SELECT coalesce(sum(events), 0) FROM event_count WHERE source = 'incident'")).isEqualTo(6_000);
  }

  @Test
  void aFileThatIsNotCsvNearItsEndWritesNothingWithParallelWriters(@TempDir Path dir) throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("importbroken");
    StringBuilder sb = year(2_000);
    sb.append("broken,Huizhou,\"2026-01-01T00:00:00\"x,Asia/Shanghai,theft,,114.4,23.1,x\n");
    Path file = dir.resolve("broken.csv");
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> IncidentImport.runParallel(parallel(file, 50, 3), db::connect))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after data row 2000");
    assertThat(count(db, "SELECT count(*) FROM event")).isZero();
    assertThat(count(db, "SELECT count(*) FROM event_key")).isZero();
  }
}
