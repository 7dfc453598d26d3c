package org.safegrid.server.hotspot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.risk.CellEnvironment;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskEngine;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.risk.TestGrids;
import org.safegrid.server.stats.hotspot.HotspotClass;

/** What a grid's hotspot answer is computed on and what it states. */
class HotspotQuestionsTest {

  private static final long T0 = 1_790_000_000_000L;

  private static RiskSnapshot.WindowScores window(GridModel grid, int events) {
    RiskEngine e = new RiskEngine(grid, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), CellEnvironment.none(grid.size()),
        List.of(Duration.ofHours(24)));
    e.advanceTo(T0);
    Random r = new Random(17);
    for (int i = 0; i < events; i++) {
      double lon = i % 3 == 0 ? 114.30 + r.nextDouble() * 0.05 : 114.30 + r.nextDouble() * 0.2;
      double lat = i % 3 == 0 ? 23.00 + r.nextDouble() * 0.05 : 23.00 + r.nextDouble() * 0.2;
      e.accept(T0 - r.nextInt(3_600_000), lon, lat, "camera", "intrusion", 3);
    }
    return e.snapshot().windows().get(0);
  }

  @Test
  void theDefaultAnswerIsOnCountsOverQueenContiguityAndStatesItsNeighbourhood() {
    GridModel grid = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    HotspotService service = new HotspotService(HotspotProperties.defaults());
    HotspotService.Result r = service.hotspots(window(grid, 2_000), HotspotService.Variable.COUNT, 90, null);
    assertThat(r.weights().method()).isEqualTo("contiguity");
    assertThat(r.weights().counts().max()).isEqualTo(8);
    assertThat(r.weights().counts().min()).isEqualTo(3);
    assertThat(r.warning()).isNull();
    assertThat(r.hotspots()).isNotEmpty();
    assertThat(r.hotspots().get(0).hotspotClass().isHot()).isTrue();
  }

  @Test
  void aSparseWindowIsAnsweredWithAWarning() {
    GridModel grid = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    HotspotService service = new HotspotService(HotspotProperties.defaults());
    HotspotService.Result r = service.hotspots(window(grid, 10), HotspotService.Variable.COUNT, 90, null);
    assertThat(r.warning()).isNotNull();
    assertThat(r.warning().code()).isEqualTo("mostly_zero");
  }

  @Test
  void densityLeavesOutCellsWithTooLittleLandAndPermutationsGivePseudoP() {
    GridModel square = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    List<GridModel.Cell> cells = new ArrayList<>();
    for (int i = 0; i < square.size(); i++) {
      GridModel.Cell c = square.cell(i);
      // the top row is a coastal sliver: 5 % land
      double area = i >= 380 ? c.areaM2() * 0.05 : c.areaM2();
      cells.add(new GridModel.Cell(c.cellId(), c.code(), c.name(), c.districtCode(), c.townCode(), c.townName(), area,
          c.geometry()));
    }
    GridModel grid = new GridModel(1, cells);
    HotspotService service = new HotspotService(HotspotProperties.defaults());
    HotspotService.Result r = service.hotspots(window(grid, 2_000), HotspotService.Variable.DENSITY, 90, null, null,
        new HotspotService.Options(199, true, 0.1));
    assertThat(r.excludedCells()).isEqualTo(20);
    assertThat(r.classes()[390]).isEqualTo(HotspotClass.EXCLUDED);
    assertThat(r.gi().z(390)).isNaN();
    assertThat(r.gi().pSim(0)).isBetween(1 / 200.0, 0.5);
    assertThat(r.gi().permutations()).isEqualTo(199);
  }
}
