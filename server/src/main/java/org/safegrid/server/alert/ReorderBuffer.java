package org.safegrid.server.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.safegrid.server.live.LiveEvent;

/**
 * Holds arriving events for a short window and releases them in the order of their own observed
 * time, so that events of one source that arrive a little out of order are judged in the order they
 * happened. An event is released once it has waited {@code window} since arrival; everything held
 * that was observed before it is released with it. Not thread-safe: one engine thread owns it.
 */
public final class ReorderBuffer {

  private record Held(LiveEvent event, Instant arrivedAt) {
  }

  private final Duration window;
  private final PriorityQueue<Held> byObserved = new PriorityQueue<>(
      // the id alone does not order devices that sent one id at one instant; the feed's order within it does
      Comparator.comparing((Held h) -> h.event().observedAt()).thenComparing(h -> h.event().id())
          .thenComparing(h -> h.event().source()).thenComparing(h -> h.event().sourceId()));

  public ReorderBuffer(Duration window) {
    this.window = window;
  }

  public void add(LiveEvent e, Instant arrivedAt) {
    byObserved.add(new Held(e, arrivedAt));
  }

  /** Releases, in observed order, every event that waited long enough and those observed before it. */
  public List<LiveEvent> release(Instant now) {
    Instant due = now.minus(window);
    Instant releaseUpTo = null;
    for (Held h : byObserved) {
      if (!h.arrivedAt().isAfter(due) && (releaseUpTo == null || h.event().observedAt().isAfter(releaseUpTo))) {
        releaseUpTo = h.event().observedAt();
      }
    }
    List<LiveEvent> out = new ArrayList<>();
    while (releaseUpTo != null && !byObserved.isEmpty() && !byObserved.peek().event().observedAt().isAfter(releaseUpTo)) {
      out.add(byObserved.poll().event());
    }
    return out;
  }

  public int size() {
    return byObserved.size();
  }
}
