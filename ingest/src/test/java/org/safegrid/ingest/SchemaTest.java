package org.safegrid.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

@ExtendWith(PostgisExtension.class)
class SchemaTest {

  @Test
  void postgisIsThereAndEventPartitionsAreCreatedOnce(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      ResultSet v = st.executeQuery("SELECT postgis_lib_version()");
      assertThat(v.next()).isTrue();
      assertThat(v.getString(1)).startsWith("3.");
      ResultSet made = st.executeQuery("SELECT safegrid_ensure_event_partitions(DATE '2026-11-20', DATE '2026-11-22')");
      made.next();
      assertThat(made.getInt(1)).isEqualTo(3);
      ResultSet again = st.executeQuery("SELECT safegrid_ensure_event_partitions(DATE '2026-11-20', DATE '2026-11-22')");
      again.next();
      assertThat(again.getInt(1)).isZero();
      st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom) VALUES "
          + "('e1', 'camera', 'CAM-1', 'intrusion', 3, '2026-11-21T10:00:00Z', ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326))");
      ResultSet part = st.executeQuery("SELECT tableoid::regclass::text FROM event WHERE event_id = 'e1'");
      part.next();
      assertThat(part.getString(1)).isEqualTo("event_20261121");
    }
  }

  @Test
  void auditTrailRefusesUpdateAndDelete(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("INSERT INTO audit_event (username, action, outcome) VALUES ('admin', 'login', 'success')");
      assertThatThrownBy(() -> st.execute("UPDATE audit_event SET outcome = 'failure'"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> st.execute("DELETE FROM audit_event")).hasMessageContaining("append-only");
    }
  }

  @Test
  void invalidCellGeometryIsRefusedByTheDatabase(TestDatabase db) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("INSERT INTO grid_set (name, city_code) VALUES ('t', '441300')");
      // bow-tie: self-intersecting ring
      assertThatThrownBy(() -> st.execute("INSERT INTO grid_cell (grid_set_id, cell_id, code, area_m2, geom) "
          + "SELECT id, 1, 'G1', 1, ST_Multi(ST_GeomFromText('POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))', 4326)) FROM grid_set"))
          .hasMessageContaining("grid_cell_geom_check");
    }
  }
}
