package org.safegrid.ingest.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.safegrid.ingest.event.Event;

/**
 * Plays a {@link Scenario} against the wall clock: the event observed at {@code start + d} is handed
 * to the sink at {@code wallStart + d / speed}, so speed 1 is real time and speed 60 plays an hour
 * of night in a minute (the events keep their observed times). Runs on the caller's thread; stops
 * at the observed end, after a number of events, or when the thread is interrupted.
 */
public final class ScenarioPlayer {

  private ScenarioPlayer() {
  }

  /**
   * Plays the events observed before {@code end}, at most {@code limit} of them.
   *
   * @return how many events were handed to the sink
   */
  public static long play(Scenario scenario, Instant end, double speed, long limit, Consumer<Event> sink) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be positive, was " + speed);
    }
    long wallStart = System.nanoTime();
    long played = 0;
    while (played < limit && !Thread.currentThread().isInterrupted()) {
      Event e = scenario.next();
      if (!e.observedAt().isBefore(end)) {
        break;
      }
      long due = wallStart + (long) (Duration.between(scenario.start(), e.observedAt()).toNanos() / speed);
      long wait = due - System.nanoTime();
      if (wait > 1_000_000) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      sink.accept(e);
      played++;
    }
    return played;
  }
}
