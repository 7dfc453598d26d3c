package org.safegrid.server.hotspot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.risk.CellEnvironment;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskEngine;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.risk.TestGrids;

/** The hotspot answer of a window is computed once and shared until the window is replaced. */
class HotspotServiceCacheTest {

  private static final long T0 = 1_790_000_000_000L;

  private static RiskSnapshot.WindowScores window(GridModel grid, long seed) {
    return window(grid, seed, Duration.ofHours(24));
  }

  private static RiskSnapshot.WindowScores window(GridModel grid, long seed, Duration length) {
    RiskEngine e = new RiskEngine(grid, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), CellEnvironment.none(grid.size()),
        List.of(length));
    e.advanceTo(T0);
    Random r = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      // a cluster in the south-west corner and noise
      double lon = i % 3 == 0 ? 114.30 + r.nextDouble() * 0.05 : 114.30 + r.nextDouble() * 0.2;
      double lat = i % 3 == 0 ? 23.00 + r.nextDouble() * 0.05 : 23.00 + r.nextDouble() * 0.2;
      e.accept(T0 - r.nextInt(3_600_000), lon, lat, "camera", "intrusion", 3);
    }
    return e.snapshot().windows().get(0);
  }

  @Test
  void theSameWindowAndQuestionGetTheSameAnswerAndANewWindowANewOne() {
    GridModel grid = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    HotspotService service = new HotspotService(HotspotProperties.defaults());
    RiskSnapshot.WindowScores first = window(grid, 1);
    HotspotService.Result a = service.hotspots(first, HotspotService.Variable.COUNT, 90, null);
    assertThat(a.hotspots()).isNotEmpty();
    assertThat(service.hotspots(first, HotspotService.Variable.COUNT, 90, null)).isSameAs(a);
    // another question about the same window is its own answer
    HotspotService.Result strict = service.hotspots(first, HotspotService.Variable.COUNT, 99, null);
    assertThat(strict).isNotSameAs(a);
    assertThat(strict.hotspots().size()).isLessThanOrEqualTo(a.hotspots().size());
    // the engine's next refresh is a new window: computed afresh, with its own data
    RiskSnapshot.WindowScores next = window(grid, 2);
    HotspotService.Result b = service.hotspots(next, HotspotService.Variable.COUNT, 90, null);
    assertThat(b).isNotSameAs(a);
    assertThat(b.gi().zScores()).isNotEqualTo(a.gi().zScores());
  }

  /** Waits until {@code answer} returns something other than {@code old}. */
  private static HotspotService.Result awaitReplaced(java.util.function.Supplier<HotspotService.Result> answer,
                                                     HotspotService.Result old) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HotspotService.Result r = answer.get();
    while (r == old) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the live answer was never replaced by its successor");
      }
      Thread.sleep(20);
      r = answer.get();
    }
    return r;
  }

  @Test
  void aLiveQuestionGetsTheNewestFinishedAnswerWhileItsSuccessorIsComputed() throws Exception {
    GridModel grid = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    HotspotService service = new HotspotService(HotspotProperties.defaults());
    RiskSnapshot.WindowScores first = window(grid, 1);
    // nobody asked before: computed while the caller waits, and the same object as the window's answer
    HotspotService.Result a = service.liveHotspots(first, HotspotService.Variable.COUNT, 90, null, null);
    assertThat(a).isSameAs(service.hotspots(first, HotspotService.Variable.COUNT, 90, null));

    // the engine's next window: the caller gets the previous answer at once, the successor follows
    RiskSnapshot.WindowScores next = window(grid, 2);
    assertThat(service.liveHotspots(next, HotspotService.Variable.COUNT, 90, null, null)).isSameAs(a);
    HotspotService.Result b = awaitReplaced(() -> service.liveHotspots(next, HotspotService.Variable.COUNT, 90, null, null), a);
    assertThat(b).isSameAs(service.hotspots(next, HotspotService.Variable.COUNT, 90, null));
    assertThat(b.gi().zScores()).isNotEqualTo(a.gi().zScores());

    // another question, or another window length, is never answered with this question's answer
    HotspotService.Result strict = service.liveHotspots(next, HotspotService.Variable.COUNT, 99, null, null);
    assertThat(strict).isSameAs(service.hotspots(next, HotspotService.Variable.COUNT, 99, null));
    RiskSnapshot.WindowScores hour = window(grid, 3, Duration.ofHours(1));
    assertThat(service.liveHotspots(hour, HotspotService.Variable.COUNT, 90, null, null))
        .isSameAs(service.hotspots(hour, HotspotService.Variable.COUNT, 90, null));
  }

  @Test
  void aLiveAnswerOlderThanTheLimitIsNotHandedOut() throws Exception {
    GridModel grid = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    HotspotService service = new HotspotService(HotspotProperties.defaults(), Duration.ofMillis(200));
    HotspotService.Result a = service.liveHotspots(window(grid, 1), HotspotService.Variable.COUNT, 90, null, null);
    Thread.sleep(300);
    RiskSnapshot.WindowScores later = window(grid, 2);
    HotspotService.Result b = service.liveHotspots(later, HotspotService.Variable.COUNT, 90, null, null);
    assertThat(b).isNotSameAs(a).isSameAs(service.hotspots(later, HotspotService.Variable.COUNT, 90, null));
  }

  @Test
  void theDefaultLiveAnswerIsReadyWhenTheEngineHasLoadedAGrid() {
    GridModel grid = TestGrids.squares(20, 20, 114.30, 23.00, 0.01);
    HotspotService service = new HotspotService(HotspotProperties.defaults());
    RiskEngine e = new RiskEngine(grid, RiskProperties.defaults().withSources(RiskProperties.ALL_SOURCES), CellEnvironment.none(grid.size()),
        List.of(Duration.ofHours(1), Duration.ofHours(24)));
    e.advanceTo(T0);
    Random r = new Random(5);
    for (int i = 0; i < 2_000; i++) {
      e.accept(T0 - r.nextInt(3_600_000), 114.30 + r.nextDouble() * 0.05, 23.00 + r.nextDouble() * 0.05,
          "camera", "intrusion", 3);
    }
    RiskSnapshot first = e.snapshot();
    service.onGridLoaded(new org.safegrid.server.risk.RiskGridLoaded(grid, first));
    assertThat(service.hasWeightsFor(grid.gridSetId())).isTrue();
    // the engine's next windows: the first callers get the prepared answers without any computation
    e.advanceTo(T0 + 1000);
    RiskSnapshot next = e.snapshot();
    for (int w = 0; w < 2; w++) {
      HotspotService.Result prepared = service.hotspots(first.windows().get(w), HotspotService.Variable.COUNT, 90, null);
      assertThat(service.liveHotspots(next.windows().get(w), HotspotService.Variable.COUNT, 90, null, null))
          .isSameAs(prepared);
    }
  }
}
