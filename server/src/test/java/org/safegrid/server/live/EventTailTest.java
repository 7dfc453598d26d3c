package org.safegrid.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;

@ExtendWith(PostgisExtension.class)
class EventTailTest {

  private static void insert(Statement st, String id, String receivedAt) throws Exception {
    st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, received_at, geom) VALUES ('"
        + id + "', 'camera', 'CAM-1', 'intrusion', 2, now(), " + receivedAt + ", ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))");
  }

  @Test
  void deliversEachCommittedEventOnceIncludingOnesThatCommitLateWithAnEarlierReceivedAt(TestDatabase db) throws Exception {
    List<LiveEvent> seen = new ArrayList<>();
    EventTail tail = new EventTail(new JdbcTemplate(db.dataSource()), List.of(seen::addAll),
        new EventTailProperties(true, Duration.ofMillis(100), Duration.ofSeconds(5), 1000), new SimpleMeterRegistry());
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
      insert(st, "before-start", "now() - interval '1 minute'");
      assertThat(tail.poll()).as("history is not replayed").isZero();
      insert(st, "a", "now()");
      insert(st, "b", "now()");
      assertThat(tail.poll()).isEqualTo(2);
      assertThat(tail.poll()).as("nothing twice").isZero();
      // a transaction that started 2 s ago and commits only now
      insert(st, "late", "now() - interval '2 seconds'");
      assertThat(tail.poll()).isEqualTo(1);
    }
    assertThat(seen).extracting(LiveEvent::id).containsExactly("a", "b", "late");
    assertThat(seen.get(0).lon()).isEqualTo(114.4);
  }
}
