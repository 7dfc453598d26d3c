package org.safegrid.server.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether each tracked subject (a patrol unit, a camera) is inside or outside a zone, with
 * hysteresis and dwell so that GPS jitter at a boundary does not flap enter/exit.
 *
 * <p>A subject changes side only when (1) it is on the other side by more than {@code hysteresisMeters}
 * from the boundary — positions within the band keep the current state — and (2) it has stayed on
 * the other side for at least {@code dwell}, counted in observed time. Observations older than the
 * subject's newest are ignored (they cannot be undone; order within the reorder buffer is already
 * by observed time). The first observation of a subject sets its side without a transition. Not
 * thread-safe: one engine thread owns it.
 */
public final class GeofenceTracker {

  /** What an observation did to its subject. */
  public enum Transition { NONE, ENTERED, EXITED }

  private static final class State {
    Boolean inside;
    Instant lastObserved;
    Boolean pendingSide;
    Instant pendingSince;
  }

  private final Zone zone;
  private final Duration dwell;
  private final double hysteresisMeters;
  private final Map<String, State> subjects = new HashMap<>();

  public GeofenceTracker(Zone zone, Duration dwell, double hysteresisMeters) {
    if (dwell.isNegative() || hysteresisMeters < 0) {
      throw new IllegalArgumentException("geofence dwell and hysteresis must not be negative");
    }
    this.zone = zone;
    this.dwell = dwell;
    this.hysteresisMeters = hysteresisMeters;
  }

  /** Feeds one position of a subject; returns the transition it caused. */
  public Transition observe(String subject, double lon, double lat, Instant observedAt) {
    State s = subjects.computeIfAbsent(subject, k -> new State());
    if (s.lastObserved != null && observedAt.isBefore(s.lastObserved)) {
      return Transition.NONE;
    }
    s.lastObserved = observedAt;
    boolean geometricallyInside = zone.contains(lon, lat);
    boolean clear = hysteresisMeters == 0 || zone.boundaryDistanceMeters(lon, lat) > hysteresisMeters;
    if (s.inside == null) {
      // first sight: the subject is where it is; when it crossed is unknown, so no transition
      s.inside = geometricallyInside;
      return Transition.NONE;
    }
    if (geometricallyInside == s.inside || !clear) {
      // same side, or inside the hysteresis band: the candidate change (if any) is dropped only
      // when the subject is clearly back on its current side
      if (geometricallyInside == s.inside && clear) {
        s.pendingSide = null;
      }
      return checkDwell(s, observedAt);
    }
    if (s.pendingSide == null || s.pendingSide != geometricallyInside) {
      s.pendingSide = geometricallyInside;
      s.pendingSince = observedAt;
    }
    return checkDwell(s, observedAt);
  }

  private Transition checkDwell(State s, Instant now) {
    if (s.pendingSide == null || Duration.between(s.pendingSince, now).compareTo(dwell) < 0) {
      return Transition.NONE;
    }
    s.inside = s.pendingSide;
    s.pendingSide = null;
    return s.inside ? Transition.ENTERED : Transition.EXITED;
  }

  /** Whether the subject is currently judged inside. */
  public boolean isInside(String subject) {
    State s = subjects.get(subject);
    return s != null && Boolean.TRUE.equals(s.inside);
  }
}
