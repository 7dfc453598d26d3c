package org.safegrid.server.live;

import java.util.List;

/**
 * Receives batches of newly committed events from {@link EventTail}. Called on the tail's single
 * thread in commit order (by received_at); an implementation must return quickly (hand heavy work to
 * its own executor) and must not throw.
 */
public interface LiveEventListener {

  void onEvents(List<LiveEvent> batch);
}
