package org.safegrid.server.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.safegrid.server.forecast.LiveForecast;
import org.safegrid.server.stats.forecast.CategoryForecasts;

/**
 * The scorecard in the product is the backtest of the product: on the same event table (real
 * PostGIS, incidents imported by the history import) and the same origin, the live forecast and the
 * backtest's own model set give the same expected count in every forecast cell, for a shift, a day
 * and a week, including incidents the live forecast took online after its fit, and so does the
 * forecast replayed as it stood at the origin (what the risk level's baseline uses).
 */
@ExtendWith(PostgisExtension.class)
class LiveForecastEqualsBacktestTest {

  static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

  @Test
  void theLiveForecastEqualsTheBacktestsForecastOnTheSameTableAndOrigin(TestDatabase db, @TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("history.csv");
    Files.writeString(csv, BacktestTest.city(5));
    IncidentImport.Options imp = new IncidentImport.Options(csv, false, new IncidentCsv.Settings("110", 100,
        Datum.WGS84, new ServiceArea(-88, 41.5, -87.4, 42.1, 0), IncidentCategories.standard(), Instant.now()), null,
        5_000);
    try (Connection c = db.connect()) {
      assertThat(IncidentImport.run(imp, c).refused()).isZero();
      // a kind with too few incidents to fit: the live forecast keeps it on its background-only baseline
      StringBuilder sql = new StringBuilder("INSERT INTO event (event_id, source, source_id, kind, severity, "
          + "observed_at, geom, attrs) VALUES ");
      for (int i = 0; i < 30; i++) {
        sql.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT,
            "('fraud-%d', 'incident', '110-F', 'fraud', 2, '2018-%02d-%02dT15:00:00Z', "
                + "ST_SetSRID(ST_MakePoint(%.4f, 41.86), 4326), '{\"channel\":\"110\"}')",
            i, 6 + i % 4, 1 + i, -87.66 + i * 0.0002));
      }
      try (Statement st = c.createStatement()) {
        st.execute(sql.toString());
      }
      if (!c.getAutoCommit()) {
        c.commit(); // the import leaves the connection in a transaction
      }
    }
    List<BacktestEvents.Row> table;
    try (Connection c = db.connect()) {
      table = BacktestEvents.readTable(c, CHICAGO, Set.of(), null, null);
    }
    assertThat(table.stream().filter(r -> r.category().equals("fraud"))).hasSize(30);
    LocalDate today = LocalDate.of(2018, 10, 1);
    long origin = Backtest.millis(today) + Duration.ofHours(14).toMillis();
    List<BacktestEvents.Row> upToNow = table.stream().filter(r -> r.localMillis() < origin).toList();
    // the live forecast is fitted on the table as read before the last three incidents, which it then
    // takes online
    List<BacktestEvents.Row> atFit = upToNow.subList(0, upToNow.size() - 3);
    assertThat(atFit.get(atFit.size() - 1).localMillis()).isGreaterThanOrEqualTo(Backtest.millis(today));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    LiveForecast.Settings settings = new LiveForecast.Settings(120, 1, Duration.ofDays(7), 250);
    LiveForecast live = LiveForecast.fit(atFit, today, settings, quiet);
    for (BacktestEvents.Row r : upToNow.subList(upToNow.size() - 3, upToNow.size())) {
      live.add(r.localMillis(), r.lon(), r.lat(), r.category());
    }

    // the backtest's path: its frame, its validation split, its model set fed up to the origin
    long trainStart = Backtest.millis(today.minusDays(120));
    long trainEnd = Backtest.millis(today);
    Backtest.Frame frame = Backtest.frame(table, trainStart, trainEnd, 250, null);
    long step = Duration.ofDays(7).toMillis();
    Backtest.Choice choice = Backtest.validate(frame, trainStart, trainEnd - step, 1, step, true,
        CategoryForecasts.TooFew.BACKGROUND_ONLY, new LinkedHashMap<>(), quiet);
    Backtest.ModelSet ms = new Backtest.ModelSet(frame.points(), frame.raster(), frame.study(), trainStart, trainEnd,
        choice.safegridBandwidth(), choice.kdeBandwidth(), 250, quiet, true, CategoryForecasts.TooFew.BACKGROUND_ONLY);

    Map<String, Object> fit = live.describe();
    assertThat(fit.get("backgroundBandwidthMeters")).isEqualTo(choice.safegridBandwidth());
    assertThat(live.negativeBinomialSize()).isEqualTo(choice.negativeBinomialSize());
    assertThat(live.raster()).isEqualTo(frame.raster());
    @SuppressWarnings("unchecked")
    Map<String, Object> fits = (Map<String, Object>) fit.get("fits");
    assertThat(fits).containsKey("violent");
    assertThat(fit.get("fallbacks").toString()).as("fits %s", fits).contains("fraud").contains("needs at least 200");
    assertThat((long) fit.get("eventsSinceFit")).isGreaterThan(3);

    List<Double> totals = new ArrayList<>();
    for (Duration w : List.of(Duration.ofHours(8), Duration.ofDays(1), Duration.ofDays(7))) {
      double[] backtest = ms.safegridExpected(origin, w.toMillis());
      double[] online = live.expected(origin, w);
      assertThat(online).hasSameSizeAs(backtest);
      double total = 0;
      double max = 0;
      for (int c = 0; c < backtest.length; c++) {
        assertThat(online[c]).as("cell %d, window %s", c, w).isCloseTo(backtest[c], within(1e-9 * (1 + backtest[c])));
        total += backtest[c];
        max = Math.max(max, backtest[c]);
      }
      // a forecast, not a flat field: the hot corner's cells expect many times the mean cell
      assertThat(max).isGreaterThan(20 * total / backtest.length);
      totals.add(total);
      // the forecast as it stood at the origin, replayed for the risk level's baseline, is the same
      double[] replayed = live.expectedAsOf(origin, w);
      for (int c = 0; c < backtest.length; c++) {
        assertThat(replayed[c]).isCloseTo(backtest[c], within(1e-9 * (1 + backtest[c])));
      }
    }
    // about 8.2 incidents a day in the city; a longer window expects more
    assertThat(totals.get(1)).isBetween(5.0, 12.0);
    assertThat(totals.get(0)).isLessThan(totals.get(1));
    assertThat(totals.get(1)).isLessThan(totals.get(2));
  }
}
