package org.safegrid.server.stats.hotspot;

import java.util.Arrays;

/**
 * Binary spatial weights between n units in compressed-sparse-row form: unit i's neighbours are
 * {@code neighbours[offsets[i] .. offsets[i+1])}, sorted, never including i itself.
 *
 * <p>Gi* adds the unit itself ("include.self" in spdep terms); the stored lists stay free of it so
 * that a unit with an empty list is known to have no neighbours (an offshore island). Immutable
 * and safe to share between threads.
 */
public final class SpatialWeights {

  private final int[] offsets;
  private final int[] neighbours;

  private SpatialWeights(int[] offsets, int[] neighbours) {
    this.offsets = offsets;
    this.neighbours = neighbours;
  }

  /** Builds weights from symmetric or asymmetric adjacency lists; self links and duplicates are dropped. */
  public static SpatialWeights fromLists(int[][] lists) {
    int n = lists.length;
    int[] offsets = new int[n + 1];
    int[][] clean = new int[n][];
    for (int i = 0; i < n; i++) {
      int[] l = lists[i] == null ? new int[0] : lists[i].clone();
      Arrays.sort(l);
      int k = 0;
      for (int j = 0; j < l.length; j++) {
        if (l[j] < 0 || l[j] >= n) {
          throw new IllegalArgumentException("neighbour " + l[j] + " of unit " + i + " is outside 0.." + (n - 1));
        }
        if (l[j] != i && (k == 0 || l[k - 1] != l[j])) {
          l[k++] = l[j];
        }
      }
      clean[i] = Arrays.copyOf(l, k);
      offsets[i + 1] = offsets[i] + k;
    }
    int[] nb = new int[offsets[n]];
    for (int i = 0; i < n; i++) {
      System.arraycopy(clean[i], 0, nb, offsets[i], clean[i].length);
    }
    return new SpatialWeights(offsets, nb);
  }

  /** Wraps ready CSR arrays (neighbour lists sorted, without self); used by the builders. */
  static SpatialWeights ofCsr(int[] offsets, int[] neighbours) {
    return new SpatialWeights(offsets, neighbours);
  }

  /** Number of units. */
  public int size() {
    return offsets.length - 1;
  }

  /** Number of neighbours of unit i, not counting i itself. */
  public int neighbourCount(int i) {
    return offsets[i + 1] - offsets[i];
  }

  /** Neighbours of unit i (a copy), not including i. */
  public int[] neighboursOf(int i) {
    return Arrays.copyOfRange(neighbours, offsets[i], offsets[i + 1]);
  }

  /** True when unit i has no neighbour besides itself. */
  public boolean isIsolated(int i) {
    return offsets[i + 1] == offsets[i];
  }

  /** Total number of directed links (without self links). */
  public long linkCount() {
    return neighbours.length;
  }

  /**
   * The weights among the units with {@code keep[i]} only, renumbered in order (unit i of the result
   * is the i-th kept unit); links to dropped units vanish.
   */
  public SpatialWeights subset(boolean[] keep) {
    int n = size();
    int[] newIndex = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      newIndex[i] = keep[i] ? m++ : -1;
    }
    int[] off = new int[m + 1];
    int[] nb = new int[neighbours.length];
    int used = 0;
    int r = 0;
    for (int i = 0; i < n; i++) {
      if (!keep[i]) {
        continue;
      }
      for (int k = offsets[i]; k < offsets[i + 1]; k++) {
        int j = newIndex[neighbours[k]];
        if (j >= 0) {
          nb[used++] = j;
        }
      }
      off[++r] = used;
    }
    return new SpatialWeights(off, Arrays.copyOf(nb, used));
  }

  /** True when unit j is in unit i's list. */
  public boolean hasLink(int i, int j) {
    return Arrays.binarySearch(neighbours, offsets[i], offsets[i + 1], j) >= 0;
  }

  /** Neighbour counts (not counting the unit itself) over the units that have any, and how many have none. */
  public NeighbourCounts neighbourCounts() {
    int n = size();
    int min = Integer.MAX_VALUE;
    int max = 0;
    long sum = 0;
    int none = 0;
    for (int i = 0; i < n; i++) {
      int c = neighbourCount(i);
      if (c == 0) {
        none++;
        continue;
      }
      min = Math.min(min, c);
      max = Math.max(max, c);
      sum += c;
    }
    int with = n - none;
    return new NeighbourCounts(with == 0 ? 0 : min, with == 0 ? 0 : sum / (double) with, max, none);
  }

  /**
   * Neighbour counts of a weights matrix, the unit itself not counted.
   *
   * @param min          fewest neighbours of a unit that has any
   * @param mean         mean over the units that have any
   * @param max          most neighbours of a unit
   * @param noNeighbours units without any neighbour (they take no part)
   */
  public record NeighbourCounts(int min, double mean, int max, int noNeighbours) {}

  int[] offsets() {
    return offsets;
  }

  int[] neighbours() {
    return neighbours;
  }
}
