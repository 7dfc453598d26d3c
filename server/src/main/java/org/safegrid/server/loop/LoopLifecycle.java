package org.safegrid.server.loop;

import org.springframework.context.SmartLifecycle;

/**
 * A Spring component whose work is one {@link BackgroundLoop}, started and stopped with the
 * application context: the subclass says which loop ({@link #createLoop()}), this class owns its
 * start, stop and running state. Thread-safe.
 */
public abstract class LoopLifecycle implements SmartLifecycle {

  private BackgroundLoop loop;

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
