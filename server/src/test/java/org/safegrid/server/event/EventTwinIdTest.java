package org.safegrid.server.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    Event e = new Event("twin-1", Source.CAMERA, sourceId, "intrusion", 3, at, lon, 23.10, Datum.WGS84,
        new CameraAttrs(sourceId, "person", 0.8, null).toMap());
    return (EventDecoder.Accepted) new EventDecoder(EventRules.DEFAULT).decode(e.source(), EventCodec.encode(e));
  }

  @Test
  void anIdSentByTwoDevicesReadsBackAsTheEventStoredFirst(TestDatabase db) throws Exception {
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
  }
}
