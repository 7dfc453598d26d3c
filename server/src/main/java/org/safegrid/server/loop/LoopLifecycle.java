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
  public synchronized void start() {
    if (loop == null) {
      loop = createLoop();
      if (loop != null) {
        loop.start();
      }
    }
  }

  @Override
  public synchronized void stop() {
    if (loop != null) {
      loop.stop();
      loop = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return loop != null && loop.isRunning();
  }
}
