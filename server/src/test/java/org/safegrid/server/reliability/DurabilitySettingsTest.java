package org.safegrid.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.springframework.boot.actuate.health.Status;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** Reliability check 9 on a real PostgreSQL: the settings are read, a deviation turns health DOWN. */
@ExtendWith(PostgisExtension.class)
class DurabilitySettingsTest {

  @Test
  void theTestClusterRunsDurableAndHealthIsUp(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      JdbcClient jdbc = JdbcClient.create(new SingleConnectionDataSource(c, true));
      DurabilitySettings s = DurabilitySettings.read(jdbc);
      assertThat(s.actual()).containsEntry("synchronous_commit", "on").containsEntry("fsync", "on")
          .containsEntry("full_page_writes", "on").containsEntry("data_sync_retry", "off");
      assertThat(s.durable()).isTrue();
      assertThat(new DatabaseDurabilityHealth(jdbc, new ReliabilityProperties(true)).health().getStatus())
          .isEqualTo(Status.UP);
    }
  }

  @Test
  void asynchronousCommitTurnsHealthDownWithTheReasonUnlessNotRequired(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      c.createStatement().execute("SET synchronous_commit = off");
      JdbcClient jdbc = JdbcClient.create(new SingleConnectionDataSource(c, true));
      DurabilitySettings s = DurabilitySettings.read(jdbc);
      assertThat(s.problems()).containsExactly("synchronous_commit=off (need on)");
      var health = new DatabaseDurabilityHealth(jdbc, new ReliabilityProperties(true)).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails().get("reason").toString()).contains("synchronous_commit=off");
      assertThat(new DatabaseDurabilityHealth(jdbc, new ReliabilityProperties(false)).health().getStatus())
          .isEqualTo(Status.UP);
    }
  }
}
