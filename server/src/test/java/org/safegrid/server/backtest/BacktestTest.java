package org.safegrid.server.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {

  static final String HEADER = "event_id,city,datetime,tz,category,subcategory,lon,lat,area\n";

  /**
   * Two years of events: a third around a fixed hot corner, a third uniform, and a third as
   * near-repeat bursts (each a few events within days and ~100 m of a uniform seed).
   */
  static String city(long seed) {
    Random rnd = new Random(seed);
    StringBuilder sb = new StringBuilder(HEADER);
    int id = 0;
    for (int day = 0; day < 730; day++) {
      java.time.LocalDate d = java.time.LocalDate.of(2017, 1, 1).plusDays(day);
      for (int i = 0; i < 6; i++) {
        double lon;
        double lat;
        if (i < 2) {
          lon = -87.65 + rnd.nextGaussian() * 0.003;
          lat = 41.85 + rnd.nextGaussian() * 0.003;
        } else {
          lon = -87.70 + rnd.nextDouble() * 0.1;
          lat = 41.80 + rnd.nextDouble() * 0.1;
        }
        sb.append(row(id++, d, rnd.nextInt(24), lon, lat));
        if (i == 5) {
          for (int k = 0; k < 2; k++) {
            java.time.LocalDate dd = d.plusDays(rnd.nextInt(4));
            sb.append(row(id++, dd, rnd.nextInt(24), lon + rnd.nextGaussian() * 0.001, lat + rnd.nextGaussian() * 0.001));
          }
        }
      }
    }
    return sb.toString();
  }

  private static String row(int id, java.time.LocalDate d, int hour, double lon, double lat) {
    return String.format(Locale.ROOT, "x-%d,Testville,%sT%02d:00:00,America/Chicago (local),ASSAULT,street,%.5f,%.5f,"
        + "district 1%n", id, d, hour, lon, lat);
  }

  @Test
  void rollingBacktestScoresAllModelsOnTheSameCellsAndEndsWithTheIssueShape(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("events.csv");
    Files.writeString(csv, city(8));
    Map<String, Object> r = Backtest.run(Backtest.parse(new String[] {"--events", csv.toString(), "--cell-size", "250",
        "--train", "2017-01-01/2018-10-31", "--test", "2018-11-01/2018-12-26", "--step", "7d", "--validation-steps",
        "4", "--plots", dir.resolve("plots").toString()}), new PrintStream(new ByteArrayOutputStream()));
    JsonNode s = new ObjectMapper().valueToTree(r.get("summary"));
    assertThat(s.get("steps").asInt()).isEqualTo(8);
    assertThat(s.get("area_cells").asInt()).isGreaterThan(100);
    assertThat(s.get("study_area").asText()).isEqualTo("cells within 500 m of a training event");
    for (String m : Backtest.MODELS) {
      for (String q : Backtest.COVERAGE_KEYS) {
        JsonNode v = s.at("/models/" + m + "/" + q);
        assertThat(v.get("hit_rate").asDouble()).isBetween(0.0, 1.0);
        assertThat(v.get("pei").asDouble()).isBetween(0.0, 1.0);
        assertThat(v.has("pai")).isTrue();
      }
      assertThat(s.at("/models/" + m + "/log_score").asDouble()).isNegative();
    }
    // a third of the events sit in a few cells: 5 % of the area catches far more than 5 % of them
    assertThat(s.at("/models/safegrid/5/pai").asDouble()).isGreaterThan(3);
    assertThat(s.at("/models/naive/5/pai").asDouble()).isGreaterThan(3);
    for (String q : Backtest.COVERAGE_KEYS) {
      JsonNode ci = s.at("/diff_ci95/" + q + "/pai");
      assertThat(ci.get(0).asDouble()).isLessThanOrEqualTo(ci.get(1).asDouble());
      assertThat(s.at("/best_baseline/" + q).asText()).isIn("naive", "recent", "kde", "blend");
    }
    assertThat(s.at("/coverage/80").asDouble()).isBetween(0.0, 1.0);
    assertThat(s.at("/coverage/95").asDouble()).isGreaterThanOrEqualTo(s.at("/coverage/80").asDouble());
    // the closed intervals hold every count the randomised ones may hold, and more
    assertThat(s.at("/coverage_closed/80").asDouble()).isGreaterThanOrEqualTo(s.at("/coverage/80").asDouble());
    assertThat(s.at("/coverage_closed/95").asDouble()).isGreaterThanOrEqualTo(s.at("/coverage/95").asDouble());
    // the choices are made on the validation split inside the training range and written out
    JsonNode report = new ObjectMapper().valueToTree(r.get("report"));
    assertThat(report.at("/validation/forecast").asText()).endsWith("/2018-10-31");
    assertThat(report.at("/validation/chosen/safegrid_background_bandwidth_m").asDouble()).isPositive();
    assertThat(Files.readString(dir.resolve("plots/pit_histogram.svg"))).startsWith("<svg");
    assertThat(Files.readString(dir.resolve("plots/reliability.svg"))).contains("<circle");
  }

  @Test
  void anAreaFileSetsTheStudyCellsAndTheOutputSaysSo(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("events.csv");
    Files.writeString(csv, city(9));
    // a 0.02° square around the hot corner (about 1.7 × 2.2 km): roughly 60 cells of 250 m
    Path area = dir.resolve("area.geojson");
    Files.writeString(area, "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\","
        + "\"coordinates\":[[[-87.66,41.84],[-87.64,41.84],[-87.64,41.86],[-87.66,41.86],[-87.66,41.84]]]}}");
    Map<String, Object> r = Backtest.run(Backtest.parse(new String[] {"--events", csv.toString(), "--cell-size", "250",
        "--train", "2017-01-01/2018-10-31", "--test", "2018-11-01/2018-12-26", "--step", "14d", "--validation-steps",
        "2", "--area", area.toString()}), new PrintStream(new ByteArrayOutputStream()));
    JsonNode s = new ObjectMapper().valueToTree(r.get("summary"));
    assertThat(s.get("study_area").asText()).isEqualTo("cells whose centre lies inside --area");
    assertThat(s.get("area_cells").asInt()).isBetween(50, 90);
    assertThat(s.get("steps").asInt()).isEqualTo(4);
  }

  @Test
  void aMalformedCsvIsRefusedWithTheLineNumberAndTheImportsReason(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, HEADER
        + "a,C,2018-01-01T10:00:00,UTC,ASSAULT,street,-87.6,41.8,d1\n"
        + "b,C,2018-01-02T10:00:00,UTC,ASSAULT,street,-87.6,north,d1\n");
    assertThatThrownBy(() -> BacktestEvents.readFile(csv, Set.of()))
        .hasMessage("bad.csv line 3: coordinates_out_of_range: lon '-87.6', lat 'north' are not numbers");
    Files.writeString(csv, HEADER + "a,C,2018-01-01T10:00:00,UTC,ASSAULT,street,-87.6,41.8\n");
    assertThatThrownBy(() -> BacktestEvents.readFile(csv, Set.of()))
        .hasMessage("bad.csv line 2: malformed_row: 8 fields, expected 9");
    Files.writeString(csv, HEADER + "a,C,01/02/2018 10:00,UTC,ASSAULT,street,-87.6,41.8,d1\n");
    assertThatThrownBy(() -> BacktestEvents.readFile(csv, Set.of()))
        .hasMessageStartingWith("bad.csv line 2: bad_datetime: datetime '01/02/2018 10:00'");
    Files.writeString(csv, HEADER + "a,C,2018-01-01T10:00:00,Mars/Olympus,ASSAULT,street,-87.6,41.8,d1\n");
    assertThatThrownBy(() -> BacktestEvents.readFile(csv, Set.of()))
        .hasMessageStartingWith("bad.csv line 2: unknown_time_zone: tz 'Mars/Olympus'");
    Files.writeString(csv, "id,when,lon,lat\n");
    assertThatThrownBy(() -> BacktestEvents.readFile(csv, Set.of()))
        .hasMessageStartingWith("bad.csv line 1: the header must be event_id,city,datetime,tz,category");
  }

  @Test
  void rowsAreReadAsTheImportReadsThemLocalTimeKindAndEachIdOnce(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("few.csv");
    Files.writeString(csv, HEADER
        + "a,C,2018-03-11T02:30:00,America/Chicago,THEFT,,-87.6,41.8,d1\n"
        + "b,C,2018-01-01T23:00:00+01:00,,ASSAULT,street,-87.6,41.8,d1\n"
        + "a,C,2018-03-11T02:30:00,America/Chicago,THEFT,,-87.6,41.8,d1\n"
        + "c,C,2018-01-02 10:00:00,UTC,NARCOTICS,,-87.6,41.8,d1\n");
    List<BacktestEvents.Row> rows = BacktestEvents.readFile(csv, Set.of());
    assertThat(rows).extracting(BacktestEvents.Row::id).containsExactly("b", "c", "a");
    assertThat(rows).extracting(BacktestEvents.Row::category).containsExactly("violent", "disorder", "property");
    // an offset keeps its own clock; 02:30 does not exist on 11 March 2018 in Chicago (clocks jump to 03:00)
    assertThat(java.time.Instant.ofEpochMilli(rows.get(0).localMillis())).hasToString("2018-01-01T23:00:00Z");
    assertThat(java.time.Instant.ofEpochMilli(rows.get(2).localMillis())).hasToString("2018-03-11T03:30:00Z");
    assertThat(BacktestEvents.readFile(csv, Set.of("violent"))).extracting(BacktestEvents.Row::id).containsExactly("b");
  }

  @Test
  void theCommandLineSaysWhatItNeeds() {
    assertThatThrownBy(() -> Backtest.parse(new String[] {"--train", "2017-01-01/2017-12-31", "--test",
        "2018-01-01/2018-01-31"})).hasMessageStartingWith("one of --events FILE.csv or --from-db incident");
    assertThatThrownBy(() -> Backtest.parse(new String[] {"--from-db", "incident", "--train", "2017-01-01/2017-12-31",
        "--test", "2018-01-01/2018-01-31"})).hasMessageStartingWith("--from-db needs --tz");
    assertThatThrownBy(() -> Backtest.parse(new String[] {"--from-db", "camera", "--tz", "UTC", "--train",
        "2017-01-01/2017-12-31", "--test", "2018-01-01/2018-01-31"})).hasMessageContaining("only 'incident'");
  }
}
