package org.safegrid.server.stats.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Local empirical Bayes: thinly exposed cells are pulled to their neighbours, well exposed ones keep their own rate. */
class LocalEmpiricalBayesTest {

  /** A row of 21 cells, each the neighbour of the next; every cell expects {@code e} and saw {@code y}. */
  static int[][] row(int n) {
    int[][] nb = new int[n][];
    for (int i = 0; i < n; i++) {
      nb[i] = i == 0 ? new int[] {1} : i == n - 1 ? new int[] {n - 2} : new int[] {i - 1, i + 1};
    }
    return nb;
  }

  @Test
  void aBarelyExposedCellWithOneEventIsShrunkToItsNeighboursInsteadOfExploding() {
    int n = 21;
    double[] y = new double[n];
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = 10;
      y[i] = 8 + (i % 5);
    }
    // cell 10: a camera that was up for a few minutes saw one event: raw relative risk 100
    e[10] = 0.01;
    y[10] = 1;
    LocalEmpiricalBayes.Estimate r = LocalEmpiricalBayes.of(y, e, row(n)).cell(10);
    assertThat(y[10] / e[10]).isEqualTo(100);
    assertThat(r.relativeRisk()).isLessThan(1.5).isCloseTo(r.priorMean(), within(0.2));
    assertThat(r.lower()).isLessThan(r.relativeRisk());
    assertThat(r.upper()).isGreaterThan(r.relativeRisk());
  }

  @Test
  void aWellExposedCellKeepsItsOwnRateAndItsIntervalIsNarrow() {
    int n = 21;
    double[] y = new double[n];
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = 10;
      y[i] = 8 + (i % 5);
    }
    e[10] = 500;
    y[10] = 1500;
    LocalEmpiricalBayes.Estimate r = LocalEmpiricalBayes.of(y, e, row(n)).cell(10);
    assertThat(r.relativeRisk()).isCloseTo(3.0, within(0.1));
    assertThat(r.upper() - r.lower()).isLessThan(0.4);
    assertThat(r.lower()).isGreaterThan(2.5);
  }
}
