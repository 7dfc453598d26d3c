package org.safegrid.server.feedhealth;

import java.time.Duration;
import java.time.Instant;

/** Spring application events of feed health: a source went silent, or was heard again. */
public final class FeedHealthSignals {

  private FeedHealthSignals() {
  }

  /**
   * A camera, checkpoint or patrol unit has been silent for longer than its expected interval.
   *
   * @param source           camera, checkpoint or patrol
   * @param sourceId         the device id, or the patrol unit id
   * @param lastSeenAt       when it was last heard (stored)
   * @param expectedInterval its expected interval
   * @param lon              its last position
   * @param lat              its last position
   * @param detectedAt       when the silence was noticed
   */
  public record SourceSilent(String source, String sourceId, Instant lastSeenAt, Duration expectedInterval, double lon,
                             double lat, Instant detectedAt) {
  }

  /** A source that was silent has been heard again. */
  public record SourceResumed(String source, String sourceId, Instant at) {
  }
}
