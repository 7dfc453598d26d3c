package org.safegrid.server.stats.hotspot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs R {@code spdep::localG} (and {@code localG_perm}) on the same weights and values as
 * {@link GiStar} (and {@link GiStarPermutation}), as the independent peer for tests and the benchmark.
 *
 * <p>The weights travel as a 1-based edge list, the values one per line with 17 significant
 * digits; R builds the {@code nb} object, adds the unit itself ({@code include.self}), makes
 * binary weights ({@code nb2listw(style = "B")}) and writes the z-scores back. Needs
 * {@code Rscript} with spdep on the PATH (Debian: {@code apt-get install r-cran-spdep}).
 */
public final class RLocalG {

  /** What R returned: z per unit and the time {@code localG} itself took. */
  public record Result(double[] z, double localGMillis) {}

  /**
   * What R {@code localG_perm} returned: the folded pseudo p ({@code "Pr(folded) Sim"}) per unit,
   * the analytic z of {@code localG} on the same weights, and the time {@code localG_perm} took.
   */
  public record PermResult(double[] pSim, double[] z, double localGPermMillis) {}

  private RLocalG() {}

  public static Result run(double[] values, SpatialWeights w) {
    double[][] cols = runScript(values, w, 0, 0);
    return new Result(cols[1], cols[0][0]);
  }

  /** Runs {@code spdep::localG_perm(x, lw, nsim, iseed = seed)} on the same weights (serially). */
  public static PermResult runPerm(double[] values, SpatialWeights w, int nsim, long seed) {
    double[][] cols = runScript(values, w, nsim, seed);
    return new PermResult(cols[2], cols[1], cols[0][0]);
  }

  /** {time ms}, z, and (with nsim > 0) pseudo p. */
  private static double[][] runScript(double[] values, SpatialWeights w, int nsim, long seed) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("localg");
      Path edges = dir.resolve("edges.txt");
      Path xs = dir.resolve("x.txt");
      Path out = dir.resolve("z.txt");
      Path script = dir.resolve("localg.R");
      StringBuilder sb = new StringBuilder(values.length * 24);
      for (int i = 0; i < w.size(); i++) {
        for (int j : w.neighboursOf(i)) {
          sb.append(i + 1).append(' ').append(j + 1).append('\n');
        }
      }
      Files.writeString(edges, sb);
      sb.setLength(0);
      for (double v : values) {
        sb.append(String.format(Locale.ROOT, "%.17g", v)).append('\n');
      }
      Files.writeString(xs, sb);
      Files.writeString(script, String.join("\n", List.of(
          "suppressPackageStartupMessages(library(spdep))",
          "args <- commandArgs(trailingOnly = TRUE)",
          "x <- scan(args[2], quiet = TRUE)",
          "n <- length(x)",
          "e <- if (file.size(args[1]) > 0) read.table(args[1]) else data.frame(V1 = integer(0), V2 = integer(0))",
          "nb <- split(as.integer(e$V2), factor(e$V1, levels = 1:n))",
          "names(nb) <- NULL",
          "nb <- lapply(nb, function(v) if (length(v) == 0) 0L else sort(v))",
          "class(nb) <- 'nb'",
          "attr(nb, 'region.id') <- as.character(1:n)",
          "nb <- include.self(nb)",
          "lw <- nb2listw(nb, style = 'B', zero.policy = TRUE)",
          "nsim <- as.integer(args[4])",
          "if (nsim > 0) {",
          "  t0 <- proc.time()[['elapsed']]",
          "  g <- localG_perm(x, lw, nsim = nsim, zero.policy = TRUE, iseed = as.integer(args[5]))",
          "  t1 <- proc.time()[['elapsed']]",
          "  ps <- attr(g, 'internals')[, 'Pr(folded) Sim']",
          "  z <- as.numeric(localG(x, lw, zero.policy = TRUE))",
          "  writeLines(c(sprintf('%.6f', (t1 - t0) * 1000), sprintf('%.17g %.17g', z, ps)), args[3])",
          "} else {",
          "  t0 <- proc.time()[['elapsed']]",
          "  g <- localG(x, lw, zero.policy = TRUE)",
          "  t1 <- proc.time()[['elapsed']]",
          "  z <- as.numeric(g)",
          "  writeLines(c(sprintf('%.6f', (t1 - t0) * 1000), sprintf('%.17g', z)), args[3])",
          "}",
          "")));
      Process p;
      try {
        p = new ProcessBuilder("Rscript", script.toString(), edges.toString(), xs.toString(), out.toString(),
            Integer.toString(nsim), Long.toString(seed % Integer.MAX_VALUE)).redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new IllegalStateException("Rscript is not installed: apt-get install r-cran-spdep (" + e.getMessage() + ")", e);
      }
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("Rscript/spdep failed (apt-get install r-cran-spdep): " + log);
      }
      List<String> lines = Files.readAllLines(out);
      double ms = Double.parseDouble(lines.get(0));
      double[] z = new double[lines.size() - 1];
      double[] ps = new double[z.length];
      for (int i = 0; i < z.length; i++) {
        String[] f = lines.get(i + 1).trim().split("\\s+");
        z[i] = number(f[0]);
        ps[i] = f.length > 1 ? number(f[1]) : Double.NaN;
      }
      return new double[][] {{ms}, z, ps};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (dir != null) {
        try (var s = Files.walk(dir)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
          // temp files only
        }
      }
    }
  }

  private static double number(String s) {
    return s.equals("NA") || s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
  }
}
