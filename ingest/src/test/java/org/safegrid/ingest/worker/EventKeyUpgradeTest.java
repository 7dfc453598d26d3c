package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.count;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventDecoder.Accepted;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * The upgrade to source-namespaced event keys (V37_1) on a real PostGIS: a database whose events were
 * stored under the id-only key keeps its dedupe, so an event stored before the upgrade and delivered
 * again after it is still a duplicate, written by the workers' own role.
 */
class EventKeyUpgradeTest {

  @Test
  void anEventStoredBeforeTheUpgradeAndDeliveredAgainAfterItIsStillADuplicate() throws Exception {
    TestDatabase db = PostgisExtension.createDatabase("EventKeyUpgradeTest", "36.1");
    EventDecoder decoder = new EventDecoder(EventRules.DEFAULT);
    List<Accepted> before = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // a camera, a checkpoint and a patrol event
      Event e = Fixtures.event("up-", i);
      before.add((Accepted) decoder.decode(e.source(), EventCodec.encode(e)));
    }
    // stored as the writer of V36_1 stored them: the key is the id alone
    try (Connection c = db.connect(DbRole.OWNER); Statement st = c.createStatement();
         PreparedStatement ev = c.prepareStatement("INSERT INTO event (event_id, source, source_id, kind, severity, "
             + "observed_at, geom, attrs) VALUES (?, ?, ?, ?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?::jsonb)");
         PreparedStatement key = c.prepareStatement(
             "INSERT INTO event_key (event_id, observed_at, payload_sha256) VALUES (?, ?, ?)")) {
      st.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
      for (Accepted a : before) {
        Event e = a.event();
        Timestamp at = Timestamp.from(e.observedAt());
        ev.setString(1, e.id());
        ev.setString(2, e.source().wireName());
        ev.setString(3, e.sourceId());
        ev.setString(4, e.kind());
        ev.setInt(5, e.severity());
        ev.setTimestamp(6, at);
        ev.setDouble(7, e.lon());
        ev.setDouble(8, e.lat());
        ev.setString(9, a.attrsJson());
        ev.executeUpdate();
        key.setString(1, e.id());
        key.setTimestamp(2, at);
        key.setBytes(3, a.sha256());
        key.executeUpdate();
      }
      // a key whose event row is gone has no namespace to take
      st.execute("INSERT INTO event_key (event_id, observed_at, payload_sha256) VALUES ('orphan', now(), '\\x00')");
      st.execute("INSERT INTO event_count (source, minute, events, newest_observed_at) SELECT source, "
          + "date_trunc('minute', observed_at), count(*), max(observed_at) FROM event GROUP BY 1, 2");
    }

    Flyway.configure().dataSource(db.jdbcUrl(), DbRole.OWNER.roleName(), DbRole.OWNER.password()).load().migrate();

    // every key took the source and sourceId of its event row
    assertThat(count(db, "SELECT count(*) FROM event_key k JOIN event e USING (event_id, source, source_id, "
        + "observed_at)")).isEqualTo(3);
    assertThat(count(db, "SELECT count(*) FROM event_key")).isEqualTo(3);

    // as the workers' role: the same three messages again are duplicates, not conflicts
    EventWriter writer = new EventWriter();
    try (Connection c = db.connect(DbRole.INGEST)) {
      EventWriter.Result again = writer.write(c, before, List.of());
      assertThat(again.insertedTotal()).isZero();
      assertThat(again.duplicates()).isEqualTo(3);
      assertThat(again.integrityAlarms()).isEmpty();
      // the same id from another device is another event
      Event other = before.get(0).event();
      Event otherDevice = new Event(other.id(), other.source(), "CAM-OTHER", other.kind(), other.severity(),
          other.observedAt(), other.lon(), other.lat(), other.datum(),
          new CameraAttrs("CAM-OTHER", "person", 0.9, null).toMap());
      EventWriter.Result fresh = writer.write(c,
          List.of((Accepted) decoder.decode(otherDevice.source(), EventCodec.encode(otherDevice))), List.of());
      assertThat(fresh.insertedTotal()).isEqualTo(1);
    }
    assertThat(count(db, "SELECT count(*) FROM event")).isEqualTo(4);
    assertThat(count(db, "SELECT count(*) FROM event_key")).isEqualTo(4);

    Ledger ledger = Ledger.create("up-");
    for (Accepted a : before) {
      ledger.acked().add(a.event().id());
    }
    LedgerChecker.Result verdict = new LedgerChecker(db.dataSource()).check(ledger);
    assertThat(verdict.ok()).as(verdict.toJson()).isTrue();
  }
}
