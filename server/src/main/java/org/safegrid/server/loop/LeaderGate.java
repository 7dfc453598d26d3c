package org.safegrid.server.loop;

/**
 * Says whether this replica is the elected leader, the one that runs the work which must happen
 * once among several server replicas (a {@link BackgroundLoop} built with {@code leaderOnly}).
 * Implementations are thread-safe.
 */
public interface LeaderGate {

  /** A gate that always leads: a single server without election. */
  LeaderGate ALWAYS = new LeaderGate() {
    @Override
    public boolean isLeader() {
      return true;
    }

    @Override
    public long term() {
      return 1;
    }

    @Override
    public Runnable onGained(Runnable listener) {
      return () -> { };
    }
  };

  /** True while this replica leads and its lease is fresh. */
  boolean isLeader();

  /**
   * Counts the times this replica became the leader; a step that keeps state read from the database
   * reads it again when the term changed (another replica may have led in between).
   */
  long term();

  /** Calls {@code listener} each time this replica becomes the leader; returns what unsubscribes it. */
  Runnable onGained(Runnable listener);
}
