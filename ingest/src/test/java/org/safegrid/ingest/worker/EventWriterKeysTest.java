package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * The writer's two ways of writing a batch's keys (straight into {@code event_key} while the batches
 * are all new, staged and inserted {@code ON CONFLICT} otherwise) store each key once, keep the first
 * version and count what they store.
 */
@ExtendWith(PostgisExtension.class)
class EventWriterKeysTest {

  /** Rows of event_count that disagree with a recount of the event table (every event here came through the writer). */
  private static final String MISCOUNTED_MINUTES = "SELECT count(*) FROM event_count c FULL JOIN (SELECT source, "
      + "date_trunc('minute', observed_at) AS minute, count(*) AS n FROM event GROUP BY 1, 2) r "
      + "ON r.source = c.source AND r.minute = c.minute WHERE c.events IS DISTINCT FROM r.n";

  @Test
  void aBatchMeetingStoredKeysAfterAllNewOnesStoresOnlyItsNewEventsAndRaisesTheAlarmOfAChangedOne(TestDatabase db)
      throws Exception {
    List<EventDecoder.Accepted> first = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      first.add(EventDecoder.accepted(Fixtures.event("mix-", i)));
    }
    // stored keys 0 (same content) and 3 (another severity: an integrity alarm) after two new keys, so
    // that the straight COPY of the keys has written some before it fails
    Event changed = Fixtures.event("mix-", 3);
    Event changedOffer = new Event(changed.id(), changed.source(), changed.sourceId(), changed.kind(),
        changed.severity() + 1, changed.observedAt(), changed.lon(), changed.lat(), changed.datum(), changed.attrs());
    List<EventDecoder.Accepted> mixed = List.of(EventDecoder.accepted(Fixtures.event("mix-", 6)),
        EventDecoder.accepted(Fixtures.event("mix-", 7)), EventDecoder.accepted(Fixtures.event("mix-", 0)),
        EventDecoder.accepted(changedOffer));
    List<EventDecoder.Accepted> after = List.of(EventDecoder.accepted(Fixtures.event("mix-", 8)),
        EventDecoder.accepted(Fixtures.event("mix-", 9)));
    EventWriter writer = new EventWriter();
    try (Connection c = db.connect(DbRole.INGEST)) {
      assertThat(writer.write(c, first, List.of()).insertedTotal()).isEqualTo(6);
      EventWriter.Result r = writer.write(c, mixed, List.of());
      assertThat(r.insertedTotal()).as("the two new events").isEqualTo(2);
      assertThat(r.duplicates()).isEqualTo(2);
      assertThat(r.integrityAlarms()).containsExactly("mix-3");
      // the next batch, all new again, is stored whole (staged: the batch before it met stored keys)
      assertThat(writer.write(c, after, List.of()).insertedTotal()).isEqualTo(2);
    }
    assertThat(Fixtures.count(db, "SELECT count(*) FROM event WHERE event_id LIKE 'mix-%'")).isEqualTo(10);
    assertThat(Fixtures.count(db, "SELECT count(*) FROM event_key WHERE event_id LIKE 'mix-%'")).isEqualTo(10);
    assertThat(Fixtures.count(db, "SELECT count(*) FROM event WHERE event_id = 'mix-3' AND severity = "
        + changed.severity())).as("the first version kept").isEqualTo(1);
    assertThat(Fixtures.count(db, MISCOUNTED_MINUTES)).isZero();
  }

  @Test
  void aWriterWhoseStagedBatchFailedStagesTheNextBatchOnTheSameConnection(TestDatabase db) throws Exception {
    var stored = EventDecoder.accepted(Fixtures.event("stage-", 0));
    Event fresh = Fixtures.event("stage-", 1);
    // a new event whose attrs the database refuses: the batch fails after its keys were staged, and the
    // rollback takes the staging tables' creation with it
    var refusedByDb = new EventDecoder.Accepted(fresh, "{not json", EventDecoder.accepted(fresh).sha256());
    try (Connection other = db.connect(DbRole.INGEST)) {
      new EventWriter().write(other, List.of(stored), List.of());
    }
    // a connection that has not had the staging tables yet
    try (Connection c = db.connect(DbRole.INGEST)) {
      EventWriter writer = new EventWriter();
      assertThatThrownBy(() -> writer.write(c, List.of(stored, refusedByDb), List.of()))
          .isInstanceOf(SQLException.class);
      EventWriter.Result r = writer.write(c, List.of(stored, EventDecoder.accepted(fresh)), List.of());
      assertThat(r.insertedTotal()).isEqualTo(1);
      assertThat(r.duplicates()).isEqualTo(1);
    }
    assertThat(Fixtures.count(db, "SELECT count(*) FROM event WHERE event_id LIKE 'stage-%'")).isEqualTo(2);
    assertThat(Fixtures.count(db, MISCOUNTED_MINUTES)).isZero();
  }

  @Test
  void keysAreOrderedAsTheirUtf8BytesSoSurrogatePairsComeAfterTheRestOfTheBasicPlane() {
    // U+FF21 (FULLWIDTH A) is below U+1F600 as a code point and as UTF-8, above it as UTF-16 units
    String fullwidth = "\uFF21";
    String emoji = new String(Character.toChars(0x1F600));
    assertThat(fullwidth.compareTo(emoji)).as("String order").isPositive();
    assertThat(EventWriter.compareCodePoints(fullwidth, emoji)).isNegative();
    assertThat(EventWriter.compareCodePoints(emoji, fullwidth)).isPositive();
    assertThat(EventWriter.compareCodePoints("ab", "abc")).isNegative();
    assertThat(EventWriter.compareCodePoints("HZ-2", "HZ-10")).isPositive();
    assertThat(EventWriter.compareCodePoints("惠州", "惠州")).isZero();
  }
}
