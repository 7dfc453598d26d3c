package org.safegrid.server.live;

import java.util.List;

/**
 * Receives batches of newly committed events from the event feed ({@link
 * org.safegrid.server.feed.EventFeeds}), each listener from its own consumer with its own position
 * and thread. Batches come whole transactions at a time, in (transaction id, event id) order. An
 * implementation should return quickly (hand heavy work to its own thread). Throwing is allowed: the
 * same events come again after a backoff, and an event that keeps failing is skipped as poison
 * (and an alert says so).
 */
public interface LiveEventListener {

  void onEvents(List<LiveEvent> batch);

  /**
   * As {@link #onEvents(List)}, with the feed position after the batch as an opaque id (the live
   * stream sends it as its SSE id, and {@link LiveReplay} reads from it). The default ignores it.
   */
  default void onEvents(List<LiveEvent> batch, String positionAfter) {
    onEvents(batch);
  }

  /** The position (opaque id) the listener's consumer starts at, before any batch. The default ignores it. */
  default void startAt(String position) {
  }

  /** The consumer's name: its loop's thread and the {@code feed} tag of its metrics. */
  default String feedName() {
    String simple = getClass().getSimpleName();
    int cglib = simple.indexOf('$');
    return (cglib > 0 ? simple.substring(0, cglib) : simple).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
  }
}
