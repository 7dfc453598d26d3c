package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The EM recovers the parameters of simulated self-exciting processes. Standard errors are
 * measured, not assumed: the same process is simulated with {@link #SEEDS} seeds and fitted; the
 * standard deviation of the estimates over seeds is each parameter's standard error (SE). The
 * mean estimate must lie within 2 SE of the truth (a bias smaller than twice one fit's error) and every
 * single estimate within 4 SE.
 */
class HawkesEmTest {

  static final int SEEDS = 8;
  static final double MU = 3;
  static final double THETA = 0.5;
  static final double OMEGA = 0.25;
  static final double SIGMA = 120;
  static final double SIDE = 10_000;
  static final double DAYS = 730;

  @Test
  void emRecoversKnownParametersOfASimulatedHawkesProcess() {
    double[][] est = new double[SEEDS][];
    for (int s = 0; s < SEEDS; s++) {
      List<EventPoint> pts = HawkesSimulation.simulate(100 + s, MU, THETA, OMEGA, SIGMA, SIDE, DAYS);
      Raster r = Raster.covering(0, 0, SIDE, SIDE, 250, 2000);
      SelfExcitingFit f = SelfExcitingModel.fit("sim", pts, r, 0, (long) (DAYS * HawkesSimulation.DAY_MS), 1000,
          SelfExcitingModel.Bounds.defaults());
      est[s] = ParameterRecovery.of(f);
    }
    ParameterRecovery.assertRecovered("simulated Hawkes process:", new double[] {MU, THETA, OMEGA, SIGMA}, est, 0.15);
  }

  @Test
  void aPoissonProcessOnARasterWithAnEmptyMarginShowsLessTriggeringWithTheBackgroundOnItsSupportAndAFloorOffIt() {
    // the background lives on the cells within 500 m of an event and is edge-corrected to them: it no
    // longer spills into the 2 km margin where no event is. θ is 0.20 (σ 363 m, 1/ω at its 30-day
    // bound; background share 0.82), down from 0.50 (σ 456 m) with the correction to the raster's
    // rectangle; the truth is θ = 0. What is left is the support's own 500 m band beyond the square,
    // into which a 1 km bandwidth still spills (with a 250 m band θ is 0.007)
    List<EventPoint> pts = HawkesSimulation.simulate(7, 5, 0, 1, 100, SIDE, 365);
    Raster r = Raster.covering(0, 0, SIDE, SIDE, 250, 2000);
    SelfExcitingFit f = SelfExcitingModel.fit("sim", pts, r, 0, 365 * HawkesSimulation.DAY_MS, 1000,
        SelfExcitingModel.Bounds.defaults());
    assertThat(f.theta()).isLessThan(0.3);
    assertThat(f.backgroundEvents() / f.events()).isGreaterThan(0.75);
    // off the support the background is only the floor (a thousandth of it spread over every cell, so
    // that no forecast is exactly 0); on every cell within 500 m of an event it is well above it
    boolean[] support = r.cellsNear(pts, SelfExcitingModel.SUPPORT_DISTANCE_METERS);
    double floor = SelfExcitingModel.BACKGROUND_FLOOR_SHARE / r.size();
    for (int c = 0; c < r.size(); c++) {
      if (support[c]) {
        assertThat(f.background()[c]).as("cell %d", c).isGreaterThan(100 * floor);
      } else {
        assertThat(f.background()[c]).as("cell %d", c).isCloseTo(floor, org.assertj.core.api.Assertions.within(1e-15));
      }
    }
    assertThat(f.background()[r.index(-1500, -1500)]).isPositive();
    assertThat(java.util.Arrays.stream(f.background()).sum()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
  }

  @Test
  void aPoissonProcessOnARasterThatIsItsSquareShowsAlmostNoTriggering() {
    // the same events with the raster on the square itself: the background follows them to the edge
    // and no triggering is left (θ < 10⁻⁴)
    List<EventPoint> pts = HawkesSimulation.simulate(7, 5, 0, 1, 100, SIDE, 365);
    Raster r = new Raster(0, 0, 250, (int) (SIDE / 250), (int) (SIDE / 250));
    SelfExcitingFit f = SelfExcitingModel.fit("sim", pts, r, 0, 365 * HawkesSimulation.DAY_MS, 1000,
        SelfExcitingModel.Bounds.defaults());
    assertThat(f.theta()).isLessThan(0.1);
    assertThat(f.backgroundEvents() / f.events()).isGreaterThan(0.9);
  }

  @Test
  void aCategoryWithTooFewEventsIsRefusedWithItsNameAndCount() {
    List<EventPoint> pts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pts.add(new EventPoint(i * HawkesSimulation.DAY_MS, i * 10, i * 10, "ARSON"));
    }
    Raster r = Raster.covering(0, 0, 1000, 1000, 250, 500);
    assertThatThrownBy(() -> SelfExcitingModel.fit("ARSON", pts, r, 0, 100 * HawkesSimulation.DAY_MS, 500,
        SelfExcitingModel.Bounds.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ARSON': 40 events")
        .hasMessageContaining("at least 200");
  }
}
