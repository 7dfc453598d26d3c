package org.safegrid.gisdata.hostile;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Heap growth around a piece of work in this JVM: collects garbage, resets the peak usage of every
 * heap pool, and later reports how far the sum of the pools' peaks rose above the starting use.
 * The sum of per-pool peaks over-estimates the true peak, which only makes the assertion stricter.
 */
public final class HeapWatch {

  private final List<MemoryPoolMXBean> pools;
  private final long before;

  private HeapWatch(List<MemoryPoolMXBean> pools, long before) {
    this.pools = pools;
    this.before = before;
  }

  public static HeapWatch start() {
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .toList();
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    pools.forEach(MemoryPoolMXBean::resetPeakUsage);
    return new HeapWatch(pools, used);
  }

  /** Bytes the heap's peak rose above its use at {@link #start()}. */
  public long peakDeltaBytes() {
    long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return Math.max(0, peak - before);
  }
}
