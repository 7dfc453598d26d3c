package org.safegrid.server.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictiveAccuracyTest {

  @Test
  void handComputedHitRatePaiAndPeiStar() {
    // 10 cells, 10 % coverage = 1 cell; forecast picks cell 2 (3 test events), the best cell has 5
    double[] score = {0, 1, 9, 0, 0, 0, 0, 0, 0, 0};
    long[] test = {5, 0, 3, 1, 1, 0, 0, 0, 0, 0};
    PredictiveAccuracy p = PredictiveAccuracy.measure(score, test, 0.10);
    assertThat(p.cells()).isEqualTo(1);
    assertThat(p.hits()).isEqualTo(3);
    assertThat(p.hitRate()).isCloseTo(0.3, within(1e-12));
    assertThat(p.pai()).isCloseTo(3.0, within(1e-12));
    assertThat(p.peiStar()).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void quarticKernelIntegratesToOne() {
    double h = 300;
    double sum = 0;
    double step = 5;
    for (double x = -h; x <= h; x += step) {
      for (double y = -h; y <= h; y += step) {
        sum += HotspotForecast.quartic(x * x + y * y, h) * step * step;
      }
    }
    assertThat(sum).isCloseTo(1.0, within(0.01));
  }

  @Test
  void backtestOnAPersistentHotspotBeatsRandomAndReportsBothModels(@TempDir Path dir) throws Exception {
    // events around a fixed hot corner plus uniform noise, 2018 train, Jan 2019 test
    Random rnd = new Random(8);
    StringBuilder sb = new StringBuilder("event_id,city,datetime,tz,category,subcategory,lon,lat,area\n");
    int id = 0;
    for (int month = 1; month <= 13; month++) {
      int year = month <= 12 ? 2018 : 2019;
      int mm = month <= 12 ? month : 1;
      for (int i = 0; i < 200; i++) {
        boolean hot = i % 2 == 0;
        double lon = hot ? -87.65 + rnd.nextGaussian() * 0.003 : -87.70 + rnd.nextDouble() * 0.1;
        double lat = hot ? 41.85 + rnd.nextGaussian() * 0.003 : 41.80 + rnd.nextDouble() * 0.1;
        sb.append(String.format(java.util.Locale.ROOT, "x-%d,Chicago,%d-%02d-%02dT%02d:00:00,America/Chicago (local),"
            + "ASSAULT,street,%.4f,%.4f,district 1%n", id++, year, mm, 1 + rnd.nextInt(28), rnd.nextInt(24), lon, lat));
      }
    }
    Path csv = dir.resolve("events.csv");
    Files.writeString(csv, sb);
    Map<String, Object> r = Backtest.run(Backtest.parse(new String[] {"--events", csv.toString(), "--cell-size", "250",
        "--train", "2018-01-01/2018-12-31", "--test", "2019-01-01/2019-01-31"}));
    assertThat(r.get("trainEvents")).isEqualTo(2400);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) r.get("results");
    assertThat(rows).hasSize(3);
    @SuppressWarnings("unchecked")
    Map<String, Object> sg5 = (Map<String, Object>) rows.get(1).get("safegrid");
    @SuppressWarnings("unchecked")
    Map<String, Object> naive5 = (Map<String, Object>) rows.get(1).get("naive");
    // half the test events sit in a few cells: 5 % of the area must catch far more than 5 % of events
    assertThat((Double) sg5.get("pai")).isGreaterThan(5);
    assertThat((Double) naive5.get("pai")).isGreaterThan(5);
  }
}
