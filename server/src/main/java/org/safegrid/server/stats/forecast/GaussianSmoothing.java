package org.safegrid.server.stats.forecast;

/**
 * Gaussian kernel density on a raster: weights per cell smoothed by a separable Gaussian of
 * bandwidth h (the kernel evaluated at cell centres, truncated at 4h, each axis normalised to
 * 1), then scaled to sum to 1. A bandwidth of 0 leaves the weights as they are.
 */
public final class GaussianSmoothing {

  private GaussianSmoothing() {}

  /**
   * The smoothed weights as shares of 1 (all zero when the weights are), without edge correction: the
   * kernel's tail beyond the raster is lost, so a uniform density comes out about 30 % lower in the
   * outermost row of cells at a bandwidth of one cell (half in the corners). The baselines (kde,
   * blend) are defined this way; the self-exciting background uses the corrected form below.
   */
  public static double[] smooth(double[] weights, Raster r, double bandwidthMeters) {
    if (bandwidthMeters <= 0) {
      return normalise(weights.clone());
    }
    return normalise(convolve(weights, r, kernel(bandwidthMeters / r.cellMeters())));
  }

  /**
   * The smoothed weights as shares of 1, edge-corrected for an irregular window (Diggle 1985): on the
   * cells of {@code support} the smoothed value of each cell is divided by the share of a kernel
   * centred on it that lies on the support (the support smoothed in the same way), and every cell
   * off the support is 0. Uniform weights on the support stay uniform on it, whatever its shape (a
   * support of every cell corrects for the raster's own edge). Weights off the support are ignored.
   */
  public static double[] smooth(double[] weights, Raster r, double bandwidthMeters, boolean[] support) {
    double[] w = new double[weights.length];
    double[] mask = new double[weights.length];
    for (int c = 0; c < w.length; c++) {
      if (support[c]) {
        w[c] = weights[c];
        mask[c] = 1;
      }
    }
    if (bandwidthMeters <= 0) {
      return normalise(w);
    }
    double[] k = kernel(bandwidthMeters / r.cellMeters());
    double[] out = convolve(w, r, k);
    double[] share = convolve(mask, r, k);
    for (int c = 0; c < out.length; c++) {
      // a support cell's own share is at least its kernel's centre weight, never 0
      out[c] = support[c] ? out[c] / share[c] : 0;
    }
    return normalise(out);
  }

  /** The weights convolved with the separable kernel {@code k} (its tails beyond the raster lost). */
  private static double[] convolve(double[] weights, Raster r, double[] k) {
    int nx = r.nx();
    int ny = r.ny();
    int rad = k.length / 2;
    double[] tmp = new double[weights.length];
    for (int j = 0; j < ny; j++) {
      int row = j * nx;
      for (int i = 0; i < nx; i++) {
        double v = weights[row + i];
        if (v == 0) {
          continue;
        }
        int lo = Math.max(0, i - rad);
        int hi = Math.min(nx - 1, i + rad);
        for (int q = lo; q <= hi; q++) {
          tmp[row + q] += v * k[q - i + rad];
        }
      }
    }
    double[] out = new double[weights.length];
    for (int j = 0; j < ny; j++) {
      int lo = Math.max(0, j - rad);
      int hi = Math.min(ny - 1, j + rad);
      for (int q = lo; q <= hi; q++) {
        double kq = k[q - j + rad];
        int src = j * nx;
        int dst = q * nx;
        for (int i = 0; i < nx; i++) {
          out[dst + i] += tmp[src + i] * kq;
        }
      }
    }
    return out;
  }

  /** Scales to sum 1 in place (all zero stays all zero). */
  private static double[] normalise(double[] out) {
    double sum = 0;
    for (double v : out) {
      sum += v;
    }
    if (sum > 0) {
      for (int c = 0; c < out.length; c++) {
        out[c] /= sum;
      }
    }
    return out;
  }

  private static double[] kernel(double hCells) {
    int rad = Math.max(1, (int) Math.ceil(4 * hCells));
    double[] k = new double[2 * rad + 1];
    double s = 0;
    for (int d = -rad; d <= rad; d++) {
      k[d + rad] = Math.exp(-0.5 * d * d / (hCells * hCells));
      s += k[d + rad];
    }
    for (int d = 0; d < k.length; d++) {
      k[d] /= s;
    }
    return k;
  }
}
