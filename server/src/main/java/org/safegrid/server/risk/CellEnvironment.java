package org.safegrid.server.risk;

import java.util.Map;

/**
 * Static exposures of every cell to the environment, in the manner of risk terrain modelling.
 *
 * @param campus      distance-weighted campus count: Σ max(0, 1 − d/radius) over campuses
 * @param coastal     share of the cell's area inside the coastal zone, 0..1
 * @param checkpoint  distance-weighted checkpoint count
 * @param overlays    the same kind of exposure to any other overlay layer, by layer
 * @param cameras     cameras inside the cell (for camera-hours of coverage)
 * @param checkpoints checkpoints inside the cell (for checkpoint-hours of coverage)
 */
public record CellEnvironment(double[] campus, double[] coastal, double[] checkpoint, Map<String, double[]> overlays,
                              int[] cameras, int[] checkpoints) {

  /** No environment at all (every exposure 0) for n cells. */
  public static CellEnvironment none(int n) {
    return new CellEnvironment(new double[n], new double[n], new double[n], Map.of(), new int[n], new int[n]);
  }
}
