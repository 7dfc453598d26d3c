package org.safegrid.server.stats.forecast;

/**
 * Gaussian kernel density on a raster: weights per cell smoothed by a separable Gaussian of
 * bandwidth h (the kernel evaluated at cell centres, truncated at 4h, each axis normalised to
 * 1), then scaled to sum to 1. A bandwidth of 0 leaves the weights as they are.
 */
public final class GaussianSmoothing {

  private GaussianSmoothing() {}

  /** The smoothed weights as shares of 1 (all zero when the weights are). */
  public static double[] smooth(double[] weights, Raster r, double bandwidthMeters) {
    int nx = r.nx();
    int ny = r.ny();
    double[] out;
    if (bandwidthMeters <= 0) {
      out = weights.clone();
    } else {
      double[] k = kernel(bandwidthMeters / r.cellMeters());
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
      out = new double[weights.length];
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
    }
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
