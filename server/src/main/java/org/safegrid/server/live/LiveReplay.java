package org.safegrid.server.live;

import java.util.List;

/**
 * Reads again what the live stream sent between two of its message ids (feed positions), for a client
 * that reconnects with {@code Last-Event-ID}, on this replica or another: the ids name positions in the
 * commit-ordered event feed of the shared database, not anything of one replica. Implemented by the
 * feed ({@code feed.FeedReplay}). Thread-safe.
 */
public interface LiveReplay {

  /**
   * The events after position {@code from} up to and including position {@code to}, in feed order, at
   * most {@code limit} of them (a client asks {@code limit + 1} to learn that there are more).
   *
   * @throws IllegalArgumentException when {@code from} is not a position of this stream
   */
  List<LiveEvent> between(String from, String to, int limit);

  /** True when {@code id} has the shape of a position id (older releases sent epoch milliseconds). */
  boolean isPosition(String id);
}
