package org.safegrid.server.loop;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;

/**
 * A Spring component whose work is one {@link BackgroundLoop}, started and stopped with the
 * application context: the subclass says which loop ({@link #createLoop()}), this class owns its
 * start, stop and running state. A subclass whose work must happen once among several replicas
 * builds its loop {@link BackgroundLoop.Builder#leaderOnly leaderOnly}({@link #leaderGate()}).
 * Thread-safe.
 */
public abstract class LoopLifecycle implements SmartLifecycle {

  // its own lock, not this: a subclass's loop step may synchronise on the component itself
  private final Object lock = new Object();
  private BackgroundLoop loop;
  private volatile LeaderGate leaderGate = LeaderGate.ALWAYS;

  /** The replica's leader election (set by Spring; a component made by hand always leads). */
  @Autowired(required = false)
  public void setLeaderGate(LeaderGate gate) {
    this.leaderGate = gate;
  }

  /** Whether this replica leads; {@link LeaderGate#ALWAYS} when no election is configured. */
  protected LeaderGate leaderGate() {
    return leaderGate;
  }

  /** The loop to run, made at start; null when the component is switched off. */
  protected abstract BackgroundLoop createLoop();

  @Override
  public void start() {
    synchronized (lock) {
      if (loop == null) {
        loop = createLoop();
        if (loop != null) {
          loop.start();
        }
      }
    }
  }

  @Override
  public void stop() {
    synchronized (lock) {
      if (loop != null) {
        loop.stop();
        loop = null;
      }
    }
  }

  @Override
  public boolean isRunning() {
    synchronized (lock) {
      return loop != null && loop.isRunning();
    }
  }

  /** Runs the loop's next step now instead of after its period; no effect when it is not running. */
  protected void wake() {
    BackgroundLoop l;
    synchronized (lock) {
      l = loop;
    }
    if (l != null) {
      l.wake();
    }
  }
}
