package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.stats.hotspot.EmergingCategory;

class EngineSignalWatcherTest {

  private static GridModel threeCells() {
    GeometryFactory gf = new GeometryFactory();
    var cells = new java.util.ArrayList<GridModel.Cell>();
    for (int i = 0; i < 3; i++) {
      var square = gf.createPolygon(new Coordinate[] {new Coordinate(i, 0), new Coordinate(i + 1, 0),
          new Coordinate(i + 1, 1), new Coordinate(i, 1), new Coordinate(i, 0)});
      cells.add(new GridModel.Cell(i, "C" + i, null, null, null, null, 1, gf.createMultiPolygon(
          new org.locationtech.jts.geom.Polygon[] {square})));
    }
    return new GridModel(1, cells);
  }

  @Test
  void theFirstLookIsABaselineThenOnlyRisesAreReported() {
    GridModel grid = threeCells();
    Map<String, String> previous = new HashMap<>();
    assertThat(EngineSignalWatcher.levelRises(previous, grid, new String[] {"critical", "low", "high"}, true)).isEmpty();
    // C0 falls, C1 rises two steps, C2 stays
    assertThat(EngineSignalWatcher.levelRises(previous, grid, new String[] {"high", "high", "high"}, false))
        .containsExactly(1);
    // C0 rises back
    assertThat(EngineSignalWatcher.levelRises(previous, grid, new String[] {"critical", "high", "high"}, false))
        .containsExactly(0);
  }

  @Test
  void emergingCategoriesUseTheRuleNamesAndKeepColdApart() {
    assertThat(EngineSignalWatcher.ruleCategory(EmergingCategory.NEW_HOTSPOT)).isEqualTo("new");
    assertThat(EngineSignalWatcher.ruleCategory(EmergingCategory.INTENSIFYING_HOTSPOT)).isEqualTo("intensifying");
    assertThat(EngineSignalWatcher.ruleCategory(EmergingCategory.NEW_COLDSPOT)).isEqualTo("cold:new");
    assertThat(EngineSignalWatcher.ruleCategory(EmergingCategory.NO_PATTERN)).isNull();
    assertThat(List.of(EmergingCategory.values())).allSatisfy(c -> EngineSignalWatcher.ruleCategory(c));
  }
}
