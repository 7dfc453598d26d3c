package org.safegrid.server.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.worker.EventWriter;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.reliability.QueryTimeoutProperties;
import org.safegrid.server.reliability.StatementTimeouts;
import org.safegrid.server.security.DataScope;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Event keys are namespaced by source, so one id can name events of two devices: reading one back by
 * its id on a real PostGIS answers the one stored first, not an error.
 */
@ExtendWith(PostgisExtension.class)
class EventTwinIdTest {

  private static EventDecoder.Accepted camera(String sourceId, Instant at, double lon) {
    return camera("twin-1", sourceId, at, lon);
  }

  private static EventDecoder.Accepted camera(String id, String sourceId, Instant at, double lon) {
    Event e = new Event(id, Source.CAMERA, sourceId, "intrusion", 3, at, lon, 23.10, Datum.WGS84,
        new CameraAttrs(sourceId, "person", 0.8, null).toMap());
    return (EventDecoder.Accepted) new EventDecoder(EventRules.DEFAULT).decode(e.source(), EventCodec.encode(e));
  }

  @Test
  void anIdSentByTwoDevicesReadsBackAsTheEventStoredFirstWithTheCountAndEachDeviceCanBeAskedFor(TestDatabase db) throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    // the same id at the same instant: the second device's event is stored after the first one's
    try (Connection c = db.connect()) {
      assertThat(new EventWriter().write(c, List.of(camera("CAM-FIRST", at, 114.40)), List.of()).insertedTotal())
          .isEqualTo(1);
      assertThat(new EventWriter().write(c, List.of(camera("CAM-SECOND", at, 114.41)), List.of()).insertedTotal())
          .isEqualTo(1);
    }
    DataSource ds = db.dataSource();
    EventService events = new EventService(new JdbcTemplate(ds), new StatementTimeouts(JdbcClient.create(ds),
        new QueryTimeoutProperties(null, null, null, null)));
    GeoJsonFeature f = new TransactionTemplate(new DataSourceTransactionManager(ds))
        .execute(t -> events.getEvent("twin-1", DataScope.CITY));
    assertThat(f.id()).isEqualTo("twin-1");
    assertThat(f.properties().get("sourceId")).isEqualTo("CAM-FIRST");
    assertThat(f.properties().get("sameIdEvents")).as("the client is told there is another").isEqualTo(2L);

    // the other device's event, asked for by device
    GeoJsonFeature second = new TransactionTemplate(new DataSourceTransactionManager(ds))
        .execute(t -> events.getEvent("twin-1", "camera", "CAM-SECOND", DataScope.CITY));
    assertThat(second.properties().get("sourceId")).isEqualTo("CAM-SECOND");
    assertThat(second.geometry()).contains("114.41");
    assertThat(second.properties().get("sameIdEvents")).as("counted among those asked for").isEqualTo(1L);
    assertThatThrownBy(() -> new TransactionTemplate(new DataSourceTransactionManager(ds))
        .execute(t -> events.getEvent("twin-1", "checkpoint", "CAM-SECOND", DataScope.CITY)))
        .isInstanceOf(java.util.NoSuchElementException.class).hasMessageContaining("checkpoint/CAM-SECOND");
  }

  /**
   * Newest first: {@code late}, then {@code twin-2} from three cameras at one instant (stored in one
   * transaction), then {@code early}. Whatever the page size, a page boundary may fall inside the twins;
   * paging with the cursor must still list every event exactly once, and the last page has no cursor.
   */
  @Test
  void pagingNeverSplitsDevicesThatShareAnIdAndAnInstant(TestDatabase db) throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(2));
    try (Connection c = db.connect()) {
      new EventWriter().write(c, List.of(camera("early", "CAM-1", at.minusSeconds(1), 114.40),
          camera("twin-2", "CAM-3", at, 114.40), camera("twin-2", "CAM-1", at, 114.41),
          camera("twin-2", "CAM-2", at, 114.42), camera("late", "CAM-1", at.plusSeconds(1), 114.40)), List.of());
    }
    DataSource ds = db.dataSource();
    EventService events = new EventService(new JdbcTemplate(ds), new StatementTimeouts(JdbcClient.create(ds),
        new QueryTimeoutProperties(null, null, null, null)));
    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    List<String> all = List.of("late/CAM-1", "twin-2/CAM-1", "twin-2/CAM-2", "twin-2/CAM-3", "early/CAM-1");
    for (int limit = 1; limit <= all.size(); limit++) {
      List<String> seen = new ArrayList<>();
      EventQuery.Cursor cursor = null;
      int pages = 0;
      do {
        // the cursor goes through its text form, as a client sends it back
        EventQuery q = new EventQuery(null, at.minusSeconds(1), at.plusSeconds(2), null, null, limit,
            cursor == null ? null : EventQuery.Cursor.decode(cursor.encode()));
        EventService.Page page = tx.execute(t -> events.listEvents(q, DataScope.CITY));
        page.features().forEach(f -> seen.add(f.id() + "/" + f.properties().get("sourceId")));
        cursor = page.next();
        assertThat(++pages).as("paging %d at a time ends", limit).isLessThanOrEqualTo(all.size());
      } while (cursor != null);
      assertThat(seen).as("paged %d at a time", limit).containsExactlyElementsOf(all);
    }
  }
}
