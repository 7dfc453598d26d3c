package org.safegrid.server.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.ServiceArea;
import org.safegrid.ingest.history.IncidentCategories;
import org.safegrid.ingest.history.IncidentCsv;
import org.safegrid.ingest.history.IncidentImport;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;

/**
 * The backtest of the product is the backtest of the file: a history file imported into the event
 * table (real PostGIS, through the import command's own code) and backtested from the table gives the
 * same report, figure for figure, as the backtest of the file itself.
 */
@ExtendWith(PostgisExtension.class)
class BacktestOnTableTest {

  static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

  @Test
  void theBacktestOnTheImportedTableEqualsTheBacktestOnTheFile(TestDatabase db, @TempDir Path dir) throws Exception {
    Path csv = dir.resolve("history.csv");
    String city = BacktestTest.city(11);
    // a row repeated further down the file: the import stores it once, the file backtest reads it once
    String repeated = city.lines().skip(500).findFirst().orElseThrow();
    Files.writeString(csv, city + repeated + "\n");
    IncidentImport.Options imp = new IncidentImport.Options(csv, false, new IncidentCsv.Settings("110", 100,
        Datum.WGS84, new ServiceArea(-88, 41.5, -87.4, 42.1, 0), IncidentCategories.standard(), Instant.now()), null,
        5_000);
    try (Connection c = db.connect()) {
      IncidentImport.Report report = IncidentImport.run(imp, c);
      assertThat(report.refused()).isZero();
      assertThat(report.inserted()).isEqualTo(city.lines().count() - 1);
      // stored but kept out of every cell statistic: an incident known only to its district's centroid,
      // and sensor events, which are not the thing predicted
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) VALUES "
            + "('centroid-1', 'incident', '110-T', 'violent', 4, '2018-11-20T20:00:00Z', "
            + "ST_SetSRID(ST_MakePoint(-87.65, 41.85), 4326), "
            + "'{\"channel\":\"110\",\"location\":{\"quality\":\"district_centroid\",\"accuracyMeters\":3000}}'), "
            + "('cam-1', 'camera', 'CAM-1', 'intrusion', 3, '2018-11-20T20:00:00Z', "
            + "ST_SetSRID(ST_MakePoint(-87.65, 41.85), 4326), '{}')");
      }
    }

    String[] args = {"--cell-size", "250", "--train", "2017-01-01/2018-10-31", "--test", "2018-11-01/2018-12-12",
        "--step", "14d", "--validation-steps", "2", "--seed", "3"};
    Backtest.Options fileOptions = Backtest.parse(concat(new String[] {"--events", csv.toString()}, args));
    Backtest.Options tableOptions = Backtest.parse(concat(new String[] {"--from-db", "incident", "--tz",
        CHICAGO.getId()}, args));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    List<BacktestEvents.Row> fromFile = BacktestEvents.readFile(csv, Set.of());
    List<BacktestEvents.Row> fromTable;
    try (Connection c = db.connect()) {
      fromTable = BacktestEvents.readTable(c, CHICAGO, Set.of(), null, null);
    }
    assertThat(fromTable).isEqualTo(fromFile);

    Map<String, Object> onFile = Backtest.run(fileOptions, fromFile, "history.csv", quiet);
    Map<String, Object> onTable = Backtest.run(tableOptions, fromTable, "event table (incident)", quiet);
    ObjectMapper json = new ObjectMapper();
    JsonNode fileReport = json.valueToTree(onFile.get("report"));
    JsonNode tableReport = json.valueToTree(onTable.get("report"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) fileReport).remove("events");
    ((com.fasterxml.jackson.databind.node.ObjectNode) tableReport).remove("events");
    assertThat(tableReport).isEqualTo(fileReport);
    assertThat(json.writeValueAsString(onTable.get("summary"))).isEqualTo(json.writeValueAsString(onFile.get("summary")));
    assertThat(fileReport.at("/summary/test_events").asLong()).isPositive();
    // the fits are per incident kind, as the live engine names them
    assertThat(fileReport.at("/safegrid_fits/violent/events").asLong()).isPositive();

    // by category: the table read keeps only the kinds asked for, like the file read
    try (Connection c = db.connect()) {
      assertThat(BacktestEvents.readTable(c, CHICAGO, Set.of("violent"), null, null))
          .isEqualTo(BacktestEvents.readFile(csv, Set.of("violent")));
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
