package org.safegrid.ingest.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

@ExtendWith(PostgisExtension.class)
class IncidentImportTest {

  static long count(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static IncidentImport.Options options(Path file, boolean dry, Path refused) {
    return new IncidentImport.Options(file, dry, new IncidentCsv.Settings("110", 100, Datum.WGS84, ServiceArea.HUIZHOU,
        IncidentCategories.standard(), Instant.now()), refused, 7);
  }

  /** Two years of history (old months) and a few recent days, with three bad rows among them. */
  static Path history(Path dir) throws Exception {
    StringBuilder sb = new StringBuilder(IncidentCsvTest.HEADER);
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusYears(2);
    for (int i = 0; i < 60; i++) {
      LocalDate d = start.plusDays(i * 12L);
      sb.append("hz-").append(i).append(",Huizhou,").append(d).append("T21:30:00,Asia/Shanghai,盗窃,,114.4")
          .append(i % 10).append(",23.1,441302\n");
    }
    sb.append("bad-1,Huizhou,not a time,Asia/Shanghai,盗窃,,114.4,23.1,441302\n");
    sb.append("bad-2,Chicago,2019-01-01T00:00:00,America/Chicago,assault,,-87.6,41.8,d2\n");
    for (int i = 0; i < 5; i++) {
      LocalDate d = LocalDate.now(ZoneOffset.UTC).minusDays(2 + i);
      sb.append("hz-recent-").append(i).append(",Huizhou,").append(d).append("T10:00:00,Asia/Shanghai,殴打他人,,114.4,23.1,\n");
    }
    sb.append("hz-0,Huizhou,").append(start).append("T21:30:00,Asia/Shanghai,盗窃,,114.40,23.1,441302\n");
    sb.append("bad-3,Huizhou\n");
    Path file = dir.resolve("history.csv");
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aDryRunWritesNothingAndTheImportStoresEachRowOnceHoweverOftenItRuns(TestDatabase db, @TempDir Path dir)
      throws Exception {
    Path file = history(dir);
    Path refused = dir.resolve("refused.csv");
    IncidentImport.Report dry = IncidentImport.run(options(file, true, refused), null);
    assertThat(dry.rows()).isEqualTo(69);
    assertThat(dry.accepted()).isEqualTo(66);
    assertThat(dry.refusedByReason()).containsEntry("bad_datetime", 1L).containsEntry("outside_city", 1L)
        .containsEntry("malformed_row", 1L);
    assertThat(dry.firstLines().get("bad_datetime")).containsExactly(62L);
    assertThat(dry.firstLines().get("malformed_row")).containsExactly(70L);
    assertThat(Files.readAllLines(refused)).hasSize(4).anyMatch(l -> l.startsWith("63,outside_city,"));
    assertThat(count(db, "SELECT count(*) FROM event")).isZero();

    try (Connection c = db.connect()) {
      IncidentImport.Report first = IncidentImport.run(options(file, false, null), c);
      // the repeated row hz-0 is in the file twice: stored once
      assertThat(first.inserted()).isEqualTo(65);
      assertThat(first.alreadyStored()).isEqualTo(1);
      IncidentImport.Report again = IncidentImport.run(options(file, false, null), c);
      assertThat(again.inserted()).isZero();
      assertThat(again.alreadyStored()).isEqualTo(66);
    }
    assertThat(count(db, "SELECT count(*) FROM event WHERE source = 'incident'")).isEqualTo(65);
    assertThat(count(db, "SELECT count(*) FROM event WHERE kind = 'property'")).isEqualTo(60);
    assertThat(count(db, "SELECT count(*) FROM event WHERE kind = 'violent'")).isEqualTo(5);
    assertThat(count(db, "SELECT count(*) FROM event_default")).as("rows left to the default partition").isZero();
    // two years of history: monthly partitions for months wholly older than 35 days, daily ones after
    // (the first day of the month holding the 35th day back is at most 66 days back)
    long monthly = count(db, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        + "WHERE i.inhparent = 'event'::regclass AND c.relname LIKE 'event\\_m%'");
    long oldDaily = count(db, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        + "WHERE i.inhparent = 'event'::regclass AND c.relname ~ '^event_[0-9]{8}$' "
        + "AND to_date(substr(c.relname, 7), 'YYYYMMDD') < current_date - 67");
    long recentDaily = count(db, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        + "WHERE i.inhparent = 'event'::regclass AND c.relname ~ '^event_[0-9]{8}$' "
        + "AND to_date(substr(c.relname, 7), 'YYYYMMDD') BETWEEN current_date - 7 AND current_date - 2");
    assertThat(monthly).isBetween(18L, 25L);
    assertThat(oldDaily).isZero();
    assertThat(recentDaily).isEqualTo(6);
  }

  @Test
  void aFileThatIsNotCsvPastItsFirstRowsWritesNothing(TestDatabase db, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.csv");
    List<String> lines = new ArrayList<>();
    lines.add(IncidentCsvTest.HEADER.strip());
    for (int i = 0; i < 30; i++) {
      lines.add("ok-" + i + ",Huizhou," + LocalDate.now(ZoneOffset.UTC).minusDays(3) + "T10:00:00,Asia/Shanghai,theft,,114.4,23.1,x");
    }
    lines.add("broken,Huizhou,\"2026-01-01T00:00:00\"x,Asia/Shanghai,theft,,114.4,23.1,x");
    Files.write(file, lines, StandardCharsets.UTF_8);
    try (Connection c = db.connect()) {
      assertThatThrownBy(() -> IncidentImport.run(options(file, false, null), c))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid CSV");
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isZero();
  }

  @Test
  void theJsonLineCarriesTheCountsAndTheFirstRefusedLines(@TempDir Path dir) throws Exception {
    IncidentImport.Report dry = IncidentImport.run(options(history(dir), true, null), null);
    String json = IncidentImport.json(dry);
    assertThat(json).startsWith("{\"rows\":69,\"accepted\":66,\"inserted\":0,\"already_stored\":0,\"refused\":3,"
        + "\"outside_city\":1,\"refused_by_reason\":{\"bad_datetime\":{\"rows\":1,\"first_lines\":[62]}");
    assertThat(json).contains("\"dry_run\":true");
  }
}
