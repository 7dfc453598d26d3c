package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CategoryForecastsTest {

  static final long DAY = 86_400_000L;
  static final Raster RASTER = new Raster(0, 0, 250, 20, 20);

  /** 400 property events uniform over the 5 km square in 100 days, 30 fraud events in one cell (2,625 m, 2,625 m). */
  static List<EventPoint> city() {
    Random rnd = new Random(7);
    List<EventPoint> out = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      out.add(new EventPoint((long) (rnd.nextDouble() * 100 * DAY), rnd.nextDouble() * 5000, rnd.nextDouble() * 5000,
          "property"));
    }
    for (int i = 0; i < 30; i++) {
      out.add(new EventPoint((long) (rnd.nextDouble() * 100 * DAY), 2625, 2625, "fraud"));
    }
    out.sort(java.util.Comparator.comparingLong(EventPoint::epochMillis));
    return out;
  }

  @Test
  void aCategoryTooSmallToFitIsRefusedByTheBacktestWithTheModelsReason() {
    assertThatThrownBy(() -> CategoryForecasts.fit(city(), RASTER, 0, 100 * DAY, 250,
        SelfExcitingModel.Bounds.defaults(), CategoryForecasts.TooFew.THROW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(pooled) [fraud]").hasMessageContaining("30 events").hasMessageContaining("at least 200");
  }

  @Test
  void aCategoryTooSmallToFitKeepsItsBackgroundOnlyBaselineInTheLiveForecast() {
    CategoryForecasts f = CategoryForecasts.fit(city(), RASTER, 0, 100 * DAY, 250,
        SelfExcitingModel.Bounds.defaults(), CategoryForecasts.TooFew.BACKGROUND_ONLY);
    assertThat(f.fits()).containsOnlyKeys("property");
    assertThat(f.fallbacks()).singleElement().satisfies(fb -> {
      assertThat(fb.categories()).containsExactly("fraud");
      assertThat(fb.events()).isEqualTo(30);
      assertThat(fb.perDay()).isCloseTo(0.3, within(1e-9));
      assertThat(fb.reason()).contains("at least 200");
    });
    double[] withFraud = f.expected(100 * DAY, 10 * DAY);
    CategoryForecasts propertyOnly = CategoryForecasts.fit(
        city().stream().filter(p -> p.category().equals("property")).toList(), RASTER, 0, 100 * DAY, 250,
        SelfExcitingModel.Bounds.defaults(), CategoryForecasts.TooFew.THROW);
    double[] without = propertyOnly.expected(100 * DAY, 10 * DAY);
    double fraudTotal = 0;
    for (int c = 0; c < withFraud.length; c++) {
      fraudTotal += withFraud[c] - without[c];
    }
    // 0.3 a day for 10 days, smoothed around the fraud cell: most of it near (2,625 m, 2,625 m)
    assertThat(fraudTotal).isCloseTo(3.0, within(1e-6));
    int fraudCell = RASTER.index(2625, 2625);
    assertThat(withFraud[fraudCell] - without[fraudCell]).isGreaterThan(0.3);
    // replaying the same events into fresh accumulators gives the same forecast
    CategoryForecasts replay = f.fresh();
    for (EventPoint p : city()) {
      replay.add(p);
      f.add(p);
    }
    assertThat(replay.expected(100 * DAY, DAY)).containsExactly(f.expected(100 * DAY, DAY));
    // an event of a fallback category changes nothing: its baseline is stationary
    double[] before = f.expected(100 * DAY, DAY);
    f.add(new EventPoint(100 * DAY - 1000, 2625, 2625, "fraud"));
    assertThat(f.expected(100 * DAY, DAY)).containsExactly(before);
  }
}
