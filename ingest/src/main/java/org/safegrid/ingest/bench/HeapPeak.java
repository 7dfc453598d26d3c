package org.safegrid.ingest.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The most heap this JVM had in use at one instant: the heap pools' usage just before each garbage
 * collection (one consistent snapshot of all pools, taken by the collector), and at the time asked.
 * The sum of each pool's own peak is not that: the young pools peak just before a collection, the old
 * pool after many, so that sum can exceed the heap's maximum (it read 556 MiB in a 512 MiB heap).
 */
final class HeapPeak implements NotificationListener {

  private final AtomicLong peak = new AtomicLong();
  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());

  private HeapPeak() {
  }

  /** Starts watching this JVM's collections. */
  static HeapPeak watch() {
    HeapPeak h = new HeapPeak();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(h, null, null);
      }
    }
    return h;
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    Map<String, MemoryUsage> before = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
        .getGcInfo().getMemoryUsageBeforeGc();
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : before.entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    peak.accumulateAndGet(used, Math::max);
  }

  /** The largest heap in use at one instant since {@link #watch()}, in MiB. */
  long peakMb() {
    long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return Math.max(peak.get(), now) / (1024 * 1024);
  }
}
