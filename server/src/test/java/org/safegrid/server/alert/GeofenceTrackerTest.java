package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.io.WKTReader;

class GeofenceTrackerTest {

  /* A zone whose east edge is the meridian 114.41: west of it is inside. */
  private static Zone westOf11441() throws Exception {
    return new Zone("z", new WKTReader().read(
        "POLYGON ((114.40 23.10, 114.41 23.10, 114.41 23.11, 114.40 23.11, 114.40 23.10))"));
  }

  private static final double METER_LON = 1 / (111_320.0 * Math.cos(Math.toRadians(23.105)));

  @Test
  void gpsJitterAcrossTheBoundaryDoesNotFlap() throws Exception {
    GeofenceTracker tracker = new GeofenceTracker(westOf11441(), Duration.ofSeconds(10), 25);
    Instant t = Instant.parse("2026-11-23T12:00:00Z");
    List<GeofenceTracker.Transition> transitions = new ArrayList<>();
    // first seen clearly outside, then clearly inside (100 m west of the edge) for 20 s
    transitions.add(tracker.observe("P-1", 114.42, 23.105, t.minusSeconds(10)));
    transitions.add(tracker.observe("P-1", 114.41 - 100 * METER_LON, 23.105, t));
    transitions.add(tracker.observe("P-1", 114.41 - 100 * METER_LON, 23.105, t.plusSeconds(20)));
    // parked on the edge: ±15 m of jitter every 5 s for 10 minutes
    for (int i = 0; i < 120; i++) {
      double offset = (i % 2 == 0 ? 15 : -15) * METER_LON;
      transitions.add(tracker.observe("P-1", 114.41 + offset, 23.105, t.plusSeconds(25 + 5L * i)));
    }
    assertThat(transitions).filteredOn(x -> x == GeofenceTracker.Transition.ENTERED).hasSize(1);
    assertThat(transitions).filteredOn(x -> x == GeofenceTracker.Transition.EXITED).isEmpty();
    assertThat(tracker.isInside("P-1")).isTrue();
  }

  @Test
  void withoutHysteresisTheSameJitterFlaps() throws Exception {
    GeofenceTracker tracker = new GeofenceTracker(westOf11441(), Duration.ZERO, 0);
    Instant t = Instant.parse("2026-11-23T12:00:00Z");
    int exits = 0;
    for (int i = 0; i < 20; i++) {
      double offset = (i % 2 == 0 ? -15 : 15) * METER_LON;
      if (tracker.observe("P-1", 114.41 + offset, 23.105, t.plusSeconds(5L * i)) == GeofenceTracker.Transition.EXITED) {
        exits++;
      }
    }
    assertThat(exits).as("the control: plain point-in-polygon flips every ping").isEqualTo(10);
  }

  @Test
  void aRealExitCountsOnlyAfterTheDwell() throws Exception {
    GeofenceTracker tracker = new GeofenceTracker(westOf11441(), Duration.ofSeconds(30), 25);
    Instant t = Instant.parse("2026-11-23T12:00:00Z");
    assertThat(tracker.observe("P-2", 114.405, 23.105, t)).as("first sight").isEqualTo(GeofenceTracker.Transition.NONE);
    assertThat(tracker.isInside("P-2")).isTrue();
    assertThat(tracker.observe("P-2", 114.405, 23.105, t.plusSeconds(30))).isEqualTo(GeofenceTracker.Transition.NONE);
    assertThat(tracker.observe("P-2", 114.42, 23.105, t.plusSeconds(40))).isEqualTo(GeofenceTracker.Transition.NONE);
    assertThat(tracker.observe("P-2", 114.42, 23.105, t.plusSeconds(60))).isEqualTo(GeofenceTracker.Transition.NONE);
    assertThat(tracker.observe("P-2", 114.43, 23.105, t.plusSeconds(70))).isEqualTo(GeofenceTracker.Transition.EXITED);
    assertThat(tracker.observe("P-2", 114.405, 23.105, t.plusSeconds(5)))
        .as("an old position cannot undo the exit").isEqualTo(GeofenceTracker.Transition.NONE);
    assertThat(tracker.isInside("P-2")).isFalse();
  }
}
