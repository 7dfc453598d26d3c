package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/** The writer's derived state agrees with what PostgreSQL stores, down to the rounding of a timestamp. */
@ExtendWith(PostgisExtension.class)
class EventWriterTest {

  @Test
  void anInstantThatRoundsIntoTheNextDayIsCountedAndPartitionedThere(TestDatabase db) throws Exception {
    // 400 ns before midnight: PostgreSQL keeps microseconds and rounds this up to 00:00:00.000000
    Instant midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC);
    var template = Fixtures.event("round-", 0);
    var e = new org.safegrid.ingest.event.Event("round-0", template.source(), template.sourceId(), template.kind(),
        template.severity(), midnight.minusNanos(400), template.lon(), template.lat(), template.datum(),
        template.attrs());
    // decoded with a clock at midnight, so the time is inside the accepted window
    var decoder = new EventDecoder(EventRules.DEFAULT, java.time.Clock.fixed(midnight, ZoneOffset.UTC));
    var accepted = (EventDecoder.Accepted) decoder.decode(e.source(), EventCodec.encode(e));
    // as the workers' insert-only role: staging, partition creation and upserts need no more
    try (Connection c = db.connect(DbRole.INGEST)) {
      EventWriter.Result r = new EventWriter().write(c, List.of(accepted), List.of());
      assertThat(r.insertedTotal()).isEqualTo(1);
    }
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT observed_at FROM event")) {
        rs.next();
        assertThat(rs.getObject(1, java.time.OffsetDateTime.class).toInstant()).as("stored rounded up to midnight")
            .isEqualTo(midnight);
      }
      // the row is in the day's own partition, not the default one
      assertThat(Fixtures.count(db, "SELECT count(*) FROM ONLY event_default")).isZero();
      // the counter is in the minute the database sees, as the ledger checker recomputes it
      assertThat(Fixtures.count(db, "SELECT count(*) FROM event_count c JOIN (SELECT source, "
          + "date_trunc('minute', observed_at) AS minute, count(*) AS n FROM event GROUP BY 1, 2) r "
          + "ON r.source = c.source AND r.minute = c.minute AND r.n = c.events")).isEqualTo(1);
    }
  }

  @Test
  void theIngestRoleRecordsARefusedMessageOnceAndCountsItOnceWhenTheBatchIsReadAgain(TestDatabase db) throws Exception {
    var refused = List.of(new RefusedMessage("safegrid.events.camera", 3, 41L,
        org.safegrid.ingest.event.Refusal.MALFORMED_JSON));
    // as the workers' insert-only role, twice: a batch read again after a crash before its offset commit
    try (Connection c = db.connect(DbRole.INGEST)) {
      new EventWriter().write(c, List.of(), refused);
      new EventWriter().write(c, List.of(), refused);
    }
    assertThat(Fixtures.count(db, "SELECT count(*) FROM ingest_refusal WHERE topic = 'safegrid.events.camera' "
        + "AND kafka_partition = 3 AND kafka_offset = 41")).isEqualTo(1);
    assertThat(Fixtures.count(db, "SELECT coalesce(sum(messages), 0) FROM ingest_refusal_count")).isEqualTo(1);
  }
}
