package org.safegrid.server.stats.hotspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.safegrid.server.stats.Sampling;

/**
 * Global Moran's I z (normality assumption, binary weights), the curve behind
 * {@code distance_band=auto}, against R {@code spdep::moran.test(randomisation = FALSE)} on the same
 * asymmetric weights, on a random field whose seed is drawn when the test runs (printed). Needs
 * {@code Rscript} with spdep.
 */
class MoranIAgreesWithSpdepTest {

  @Test
  void zEqualsSpdepMoranTestUnderNormality() throws Exception {
    long seed = new SecureRandom().nextLong();
    System.out.println("MoranIAgreesWithSpdepTest seed = " + seed);
    Random rnd = new Random(seed);
    int n = 400;
    double[] x = new double[n];
    double[] y = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextDouble() * 4000;
      y[i] = rnd.nextDouble() * 4000;
      v[i] = Sampling.poisson(rnd, x[i] < 1500 ? 7 : 2);
    }
    x[0] = 90_000; // an island: no neighbour, left out of n as spdep's adjust.n does
    // a band topped up to 6 neighbours is asymmetric: S1 and S2 take both directions into account
    SpatialWeights w = WeightsBuilder.distanceBand(x, y, 250, 6);
    assertThat(w.isIsolated(0)).isTrue();
    double ours = MoranI.zNormal(v, w);
    assertThat(MoranI.zNormal(v, WeightsBuilder.knn(x, y, 6))).isFinite();
    Path dir = Files.createTempDirectory("moran");
    try {
      StringBuilder edges = new StringBuilder();
      for (int i = 0; i < n; i++) {
        for (int j : w.neighboursOf(i)) {
          edges.append(i + 1).append(' ').append(j + 1).append('\n');
        }
      }
      Files.writeString(dir.resolve("e.txt"), edges);
      StringBuilder xs = new StringBuilder();
      for (double d : v) {
        xs.append(String.format(Locale.ROOT, "%.17g%n", d));
      }
      Files.writeString(dir.resolve("x.txt"), xs);
      Files.writeString(dir.resolve("m.R"), String.join("\n",
          "suppressPackageStartupMessages(library(spdep))",
          "e <- read.table('" + dir.resolve("e.txt") + "'); x <- scan('" + dir.resolve("x.txt") + "', quiet = TRUE)",
          "n <- length(x); nb <- split(as.integer(e$V2), factor(e$V1, levels = 1:n)); names(nb) <- NULL",
          "nb <- lapply(nb, function(v) if (length(v) == 0) 0L else sort(v)); class(nb) <- 'nb'",
          "attr(nb, 'region.id') <- as.character(1:n)",
          "lw <- nb2listw(nb, style = 'B', zero.policy = TRUE)",
          "t <- moran.test(x, lw, randomisation = FALSE, zero.policy = TRUE)",
          "cat(sprintf('%.17g', t$statistic))", ""));
      Process p = new ProcessBuilder("Rscript", dir.resolve("m.R").toString()).redirectErrorStream(false).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      assertThat(p.waitFor()).as("Rscript with spdep").isZero();
      assertThat(ours).isCloseTo(Double.parseDouble(out), within(1e-9));
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void theAutomaticBandPeaksWhereTheClusteringIsStrongest() {
    // blobs of 5 x 5 busy cells every 12 cells on a 60 x 60 grid: clustering peaks near the blob size
    double[][] g = GiStarTest.grid(60, 60);
    double[] v = new double[3600];
    Random rnd = new Random(1);
    for (int i = 0; i < 3600; i++) {
      int r = i / 60;
      int c = i % 60;
      v[i] = (r % 12 < 5 && c % 12 < 5 ? 8 : 1) + rnd.nextInt(2);
    }
    WeightsBuilder.BandChoice choice = WeightsBuilder.autoBand(g[0], g[1], v, 8);
    assertThat(choice.distances()).hasSize(10);
    assertThat(choice.distances()[0]).isCloseTo(100, within(1e-9));
    assertThat(choice.bandMeters()).isIn(java.util.Arrays.stream(choice.distances()).boxed().toArray());
    int at = java.util.Arrays.binarySearch(choice.distances(), choice.bandMeters());
    if (choice.peak()) {
      assertThat(choice.moranZ()[at]).isGreaterThan(choice.moranZ()[at - 1]);
      assertThat(choice.moranZ()[at]).isGreaterThanOrEqualTo(choice.moranZ()[at + 1]);
    }
  }
}
