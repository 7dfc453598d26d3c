package org.safegrid.server.hotspot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.TestGrids;
import org.safegrid.server.stats.hotspot.FalseDiscoveryRate;
import org.safegrid.server.stats.hotspot.GiStar;
import org.safegrid.server.stats.hotspot.GiStarResult;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.safegrid.server.stats.hotspot.HotspotClass;
import org.safegrid.server.stats.hotspot.HotspotDissolver;

/**
 * Reliability check 40's "identical input → identical hotspot hash": the same cells and values give
 * the same hotspots, byte for byte, however often they are computed and in whatever order the grid's
 * cells come (a grid set read back from the database has no guaranteed row order).
 */
class HotspotDeterminismTest {

  private static final int N = 30;

  /** Values with two clusters and noise, seeded. */
  private static double[] values() {
    Random r = new Random(441300);
    double[] v = new double[N * N];
    for (int row = 0; row < N; row++) {
      for (int col = 0; col < N; col++) {
        double hot = Math.exp(-(Math.pow(col - 8, 2) + Math.pow(row - 9, 2)) / 12.0) * 40
            + Math.exp(-(Math.pow(col - 22, 2) + Math.pow(row - 20, 2)) / 8.0) * 25;
        v[row * N + col] = Math.floor(hot + r.nextDouble() * 3);
      }
    }
    return v;
  }

  /** The hotspots of a grid whose cells are given in {@code order} (cell codes keep identity). */
  private static String hash(List<Integer> order) throws Exception {
    GridModel square = TestGrids.squares(N, N, 114.3, 23.0, 0.01);
    double[] base = values();
    List<GridModel.Cell> cells = new ArrayList<>();
    double[] v = new double[order.size()];
    for (int i = 0; i < order.size(); i++) {
      GridModel.Cell c = square.cell(order.get(i));
      cells.add(new GridModel.Cell(i, c.code(), c.name(), c.districtCode(), c.townCode(), c.townName(), c.areaM2(),
          c.geometry()));
      v[i] = base[order.get(i)];
    }
    GridModel grid = new GridModel(1, cells);
    GridWeights w = GridWeights.build(1, grid.geometries(), grid.centreX(), grid.centreY(), HotspotProperties.defaults());
    GiStarResult gi = GiStar.compute(v, w.gi());
    HotspotClass[] classes = FalseDiscoveryRate.classify(gi);
    List<Hotspot> hotspots = HotspotDissolver.dissolve(grid.geometries(), classes, gi.zScores(), w.contiguity(),
        i -> new HotspotDissolver.UnitFacts(grid.cell(i).areaM2(), grid.cell(i).districtCode(), Map.of()));
    assertThat(hotspots).as("the pattern has hot and cold spots").hasSizeGreaterThanOrEqualTo(2);
    List<String> lines = new ArrayList<>();
    for (Hotspot h : hotspots) {
      List<String> codes = new ArrayList<>();
      for (int c : h.cells()) {
        codes.add(grid.cell(c).code());
      }
      Collections.sort(codes);
      lines.add(String.format(Locale.ROOT, "%d %s %s %.9f %.9f %.3f %s", h.rank(), h.hotspotClass(), codes, h.meanZ(),
          h.peakZ(), h.areaM2(), h.geometry().norm().toText()));
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    return HexFormat.of().formatHex(md.digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theSameInputGivesTheSameHotspotsInAnyCellOrder() throws Exception {
    List<Integer> natural = new ArrayList<>();
    for (int i = 0; i < N * N; i++) {
      natural.add(i);
    }
    String first = hash(natural);
    assertThat(hash(natural)).as("computed twice").isEqualTo(first);
    for (long seed : new long[] {1, 2, 3}) {
      List<Integer> shuffled = new ArrayList<>(natural);
      Collections.shuffle(shuffled, new Random(seed));
      assertThat(hash(shuffled)).as("cells in shuffled order %d", seed).isEqualTo(first);
    }
  }
}
