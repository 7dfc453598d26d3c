package org.safegrid.server.stats.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.server.stats.Sampling;

/**
 * The penalised Poisson regression: unpenalised it equals R's {@code glm(family = poisson)} with an
 * offset (coefficients and standard errors); penalised, it recovers known relative risks of a
 * simulation (R's glmnet is not assumed installed, so the ridge is checked against the truth).
 * Needs {@code Rscript} on the PATH; without it the R test fails and says so.
 */
class PoissonRegressionTest {

  private static final String[] NAMES = {"campus_school_hours", "coastal_night", "checkpoint"};
  private static final double[] TRUTH = {Math.log(0.02), Math.log(2.0), Math.log(1.5), Math.log(0.7)};

  /** Rows of a simulated city: three covariates, exposure between 0.2 and 3, counts Poisson at the truth. */
  record Data(double[][] x, double[] y, double[] offset) {}

  static Data simulate(Random rnd, int n, double[] beta) {
    double[][] x = new double[n][];
    double[] y = new double[n];
    double[] off = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = new double[] {rnd.nextDouble() < 0.2 ? 1 : 0, rnd.nextDouble() < 0.3 ? rnd.nextDouble() : 0,
          rnd.nextDouble() < 0.1 ? 1 + rnd.nextInt(2) : 0};
      off[i] = Math.log(0.2 + 2.8 * rnd.nextDouble());
      double eta = off[i] + beta[0];
      for (int j = 0; j < 3; j++) {
        eta += beta[j + 1] * x[i][j];
      }
      y[i] = Sampling.poisson(rnd, Math.exp(eta));
    }
    return new Data(x, y, off);
  }

  @Test
  void unpenalisedFitEqualsRGlmWithOffset(@TempDir Path dir) throws Exception {
    Data d = simulate(new Random(7), 20_000, TRUTH);
    PoissonRegression.Fit ours = PoissonRegression.fit(NAMES, d.x(), d.y(), d.offset(), 0);
    double[][] peer = rGlm(dir, d);
    for (int j = 0; j < 4; j++) {
      assertThat(ours.coefficients()[j]).as("coefficient " + ours.names()[j]).isCloseTo(peer[0][j], within(1e-7));
      assertThat(ours.standardErrors()[j]).as("standard error " + ours.names()[j])
          .isCloseTo(peer[1][j], within(1e-6 * peer[1][j]));
    }
    assertThat(ours.deviance()).isCloseTo(peer[2][0], within(1e-6 * peer[2][0]));
  }

  @Test
  void ridgeRecoversKnownRelativeRisksAndItsIntervalsCoverThem() {
    // 200 simulated cities; a mild penalty (λ = 1 against a Fisher information in the hundreds)
    Random rnd = new Random(11);
    int reps = 200;
    int[] covered = new int[4];
    double[] meanBeta = new double[4];
    for (int r = 0; r < reps; r++) {
      Data d = simulate(rnd, 5_000, TRUTH);
      PoissonRegression.Fit f = PoissonRegression.fit(NAMES, d.x(), d.y(), d.offset(), 1);
      for (int j = 1; j < 4; j++) {
        double[] ci = f.relativeRiskInterval(j, 0.95);
        if (ci[0] <= Math.exp(TRUTH[j]) && Math.exp(TRUTH[j]) <= ci[1]) {
          covered[j]++;
        }
        meanBeta[j] += f.coefficients()[j] / reps;
      }
    }
    for (int j = 1; j < 4; j++) {
      assertThat(meanBeta[j]).as("mean estimate of " + NAMES[j - 1]).isCloseTo(TRUTH[j], within(0.05));
      assertThat(covered[j] / (double) reps).as("coverage of the 95 % interval of " + NAMES[j - 1])
          .isBetween(0.90, 0.99);
    }
  }

  @Test
  void ridgeShrinksTowardsNoEffectAndKeepsAColumnWithoutVariationFittable() {
    Data d = simulate(new Random(3), 2_000, TRUTH);
    double[][] withEmpty = new double[d.x().length][];
    for (int i = 0; i < withEmpty.length; i++) {
      withEmpty[i] = new double[] {d.x()[i][0], d.x()[i][1], d.x()[i][2], 0};
    }
    String[] names = {"a", "b", "c", "never_present"};
    assertThatThrownBy(() -> PoissonRegression.fit(names, withEmpty, d.y(), d.offset(), 0))
        .hasMessageContaining("cannot be separated").hasMessageContaining("ridge");
    PoissonRegression.Fit penalised = PoissonRegression.fit(names, withEmpty, d.y(), d.offset(), 1);
    assertThat(penalised.relativeRisk(4)).isEqualTo(1.0);
    PoissonRegression.Fit light = PoissonRegression.fit(NAMES, d.x(), d.y(), d.offset(), 0);
    PoissonRegression.Fit heavy = PoissonRegression.fit(NAMES, d.x(), d.y(), d.offset(), 1e4);
    for (int j = 1; j < 4; j++) {
      assertThat(Math.abs(heavy.coefficients()[j])).as(NAMES[j - 1]).isLessThan(Math.abs(light.coefficients()[j]));
    }
  }

  @Test
  void patrolExposureAsOffsetKeepsPatrolledCellsFromLookingRiskier() {
    // Ensign et al. 2018: events found where patrols go. Every cell has the same true rate; patrolled
    // cells report three times as much. As an offset the patrol explains the extra reports; as a
    // covariate-free count it would read as a relative risk of 3.
    Random rnd = new Random(5);
    int n = 4_000;
    double[][] x = new double[n][];
    double[] y = new double[n];
    double[] offset = new double[n];
    double[] none = new double[n];
    for (int i = 0; i < n; i++) {
      boolean patrolled = i % 4 == 0;
      x[i] = new double[] {patrolled ? 1 : 0};
      offset[i] = Math.log(patrolled ? 3 : 1);
      y[i] = Sampling.poisson(rnd, 0.5 * Math.exp(offset[i]));
    }
    PoissonRegression.Fit withExposure = PoissonRegression.fit(new String[] {"patrol_zone"}, x, y, offset, 0);
    PoissonRegression.Fit withoutExposure = PoissonRegression.fit(new String[] {"patrol_zone"}, x, y, none, 0);
    double[] ci = withExposure.relativeRiskInterval(1, 0.95);
    assertThat(ci[0]).isLessThan(1);
    assertThat(ci[1]).isGreaterThan(1);
    assertThat(withoutExposure.relativeRisk(1)).isCloseTo(3, within(0.2));
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    assertThatThrownBy(() -> PoissonRegression.fit(new String[] {"a"}, new double[][] {{1}, {0}},
        new double[] {0, 0}, null, 0)).hasMessageContaining("no events");
    assertThatThrownBy(() -> PoissonRegression.fit(new String[] {"a"}, new double[][] {{1}, {0}},
        new double[] {-1, 2}, null, 0)).hasMessageContaining("row 0");
    assertThatThrownBy(() -> PoissonRegression.fit(new String[] {"a"}, new double[][] {{1}},
        new double[] {1, 2}, null, 0)).hasMessageContaining("one entry per row");
  }

  /** R glm on the same rows: coefficients, standard errors, deviance. */
  static double[][] rGlm(Path dir, Data d) throws IOException, InterruptedException {
    Path csv = dir.resolve("rows.csv");
    StringBuilder sb = new StringBuilder("y,x1,x2,x3,o\n");
    for (int i = 0; i < d.y().length; i++) {
      sb.append(String.format(Locale.ROOT, "%d,%.17g,%.17g,%.17g,%.17g%n", (long) d.y()[i], d.x()[i][0], d.x()[i][1],
          d.x()[i][2], d.offset()[i]));
    }
    Files.writeString(csv, sb);
    Path script = dir.resolve("glm.R");
    Path out = dir.resolve("out.txt");
    Files.writeString(script, String.join("\n",
        "a <- commandArgs(TRUE)",
        "d <- read.csv(a[1])",
        "m <- glm(y ~ x1 + x2 + x3 + offset(o), family = poisson, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))",
        "s <- summary(m)$coefficients",
        "writeLines(c(paste(sprintf('%.17g', s[, 1]), collapse = ' '), paste(sprintf('%.17g', s[, 2]), collapse = ' '),",
        "  sprintf('%.17g', deviance(m))), a[2])", ""));
    Process p;
    try {
      p = new ProcessBuilder("Rscript", script.toString(), csv.toString(), out.toString()).redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("this test needs Rscript (R's base glm) on the PATH: install r-base-core ("
          + e.getMessage() + ")", e);
    }
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("Rscript glm failed: " + log);
    }
    List<String> lines = Files.readAllLines(out);
    double[][] r = new double[3][];
    for (int k = 0; k < 3; k++) {
      String[] parts = lines.get(k).trim().split(" ");
      r[k] = new double[parts.length];
      for (int j = 0; j < parts.length; j++) {
        r[k][j] = Double.parseDouble(parts[j]);
      }
    }
    return r;
  }
}
