package org.safegrid.server.stats.hotspot;

/**
 * Gi* over a space-time cube, as ArcGIS's Emerging Hot Spot Analysis computes it: the
 * neighbourhood of cell i in bin t is the cell and its spatial neighbours in bin t and in the
 * {@code timeLag} bins before it (fewer at the start of the series), with binary weights; the
 * mean and variance are those of all cells in all bins (n = cells × bins). The formula is
 * {@link GiStar}'s with that neighbourhood. Cells without spatial neighbours get NaN.
 */
public final class SpaceTimeGiStar {

  private SpaceTimeGiStar() {}

  /** z[bin][cell]. */
  public static double[][] compute(double[][] values, SpatialWeights w, int timeLag) {
    if (timeLag < 0) {
      throw new IllegalArgumentException("timeLag must be 0 or more, got " + timeLag);
    }
    int bins = values.length;
    int n = w.size();
    double sum = 0;
    for (double[] bin : values) {
      if (bin.length != n) {
        throw new IllegalArgumentException("every bin needs one value per cell (" + n + ")");
      }
      for (double v : bin) {
        sum += v;
      }
    }
    long total = (long) bins * n;
    double mean = sum / total;
    double ss = 0;
    for (double[] bin : values) {
      for (double v : bin) {
        ss += (v - mean) * (v - mean);
      }
    }
    double s2 = ss / total;
    int[] off = w.offsets();
    int[] nb = w.neighbours();
    double[][] lag = new double[bins][n];
    for (int b = 0; b < bins; b++) {
      for (int i = 0; i < n; i++) {
        double l = values[b][i];
        for (int k = off[i]; k < off[i + 1]; k++) {
          l += values[b][nb[k]];
        }
        lag[b][i] = l;
      }
    }
    double[][] z = new double[bins][n];
    for (int b = 0; b < bins; b++) {
      int from = Math.max(0, b - timeLag);
      for (int i = 0; i < n; i++) {
        int k = off[i + 1] - off[i];
        if (k == 0 || !(s2 > 0)) {
          z[b][i] = Double.NaN;
          continue;
        }
        double l = 0;
        for (int t = from; t <= b; t++) {
          l += lag[t][i];
        }
        double wi = (k + 1.0) * (b - from + 1);
        double var = s2 * (total * wi - wi * wi) / (total - 1);
        z[b][i] = (l - wi * mean) / Math.sqrt(var);
      }
    }
    return z;
  }
}
