package org.safegrid.server.stats.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The edge correction of the Gaussian kernel density, to the raster and to an irregular support. */
class GaussianSmoothingTest {

  /*
   * A 40 × 40 raster of 100 m cells; the support is an L (columns 5–24 of rows 5–14, and columns
   * 5–14 of rows 15–34), the rest of the raster is empty margin:
   *
   *   rows 15–34   ##########..........
   *   rows  5–14   ####################
   *                cols 5 ...        24
   */
  private static final Raster R = new Raster(0, 0, 100, 40, 40);

  private static boolean[] lShape() {
    boolean[] in = new boolean[R.size()];
    for (int j = 5; j < 35; j++) {
      for (int i = 5; i < (j < 15 ? 25 : 15); i++) {
        in[j * R.nx() + i] = true;
      }
    }
    return in;
  }

  @Test
  void uniformWeightsOnAnLShapedSupportStayUniformOnItAndZeroOffIt() {
    boolean[] support = lShape();
    double[] w = new double[R.size()];
    int cells = 0;
    for (int c = 0; c < w.length; c++) {
      if (support[c]) {
        w[c] = 1;
        cells++;
      }
    }
    double[] out = GaussianSmoothing.smooth(w, R, 300, support);
    for (int c = 0; c < out.length; c++) {
      assertThat(out[c]).as("cell %d", c).isCloseTo(support[c] ? 1.0 / cells : 0, within(1e-12));
    }
    // without the correction, the density spills into the margin and the support's corners fall short
    double[] plain = GaussianSmoothing.smooth(w, R, 300);
    assertThat(plain[5 * R.nx() + 5]).isLessThan(0.5 / cells);
  }

  @Test
  void aSupportOfEveryCellCorrectsForTheRastersOwnEdge() {
    double[] w = new double[R.size()];
    java.util.Arrays.fill(w, 1);
    boolean[] all = new boolean[R.size()];
    java.util.Arrays.fill(all, true);
    double[] out = GaussianSmoothing.smooth(w, R, 250, all);
    for (int c = 0; c < out.length; c++) {
      assertThat(out[c]).as("cell %d", c).isCloseTo(1.0 / R.size(), within(1e-12));
    }
    // uncorrected, the corner keeps little more than a quarter of the kernel and the edge half of it
    double[] plain = GaussianSmoothing.smooth(w, R, 250);
    assertThat(plain[0] / plain[20 * R.nx() + 20]).isBetween(0.2, 0.35);
  }
}
