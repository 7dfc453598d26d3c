package org.safegrid.ingest.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.event.Event;

class ScenarioPlayerTest {

  static final Instant START = Instant.now().minus(Duration.ofHours(2));
  static final Scenario.Rates RATES = Scenario.Rates.DEFAULT.withPingSeconds(300);

  static Scenario scenario() {
    return new Scenario(ReferenceCity.huizhou(), 3, "p", START, RATES);
  }

  @Test
  void playsEveryEventBeforeTheEndInOrderAndNoFasterThanTheSpeed() {
    // two minutes of night at 600x: 200 ms of wall time at least
    Instant end = START.plus(Duration.ofMinutes(2));
    List<Event> played = new ArrayList<>();
    long t0 = System.nanoTime();
    long n = ScenarioPlayer.play(scenario(), end, 600, Long.MAX_VALUE, played::add);
    long wallMillis = (System.nanoTime() - t0) / 1_000_000;

    List<Event> expected = new ArrayList<>();
    Scenario same = scenario();
    for (Event e = same.next(); e.observedAt().isBefore(end); e = same.next()) {
      expected.add(e);
    }
    assertThat(n).isEqualTo(played.size());
    assertThat(played).isEqualTo(expected);
    // the last event is due at (its observed offset) / 600
    long lastDueMillis = Duration.between(START, played.get(played.size() - 1).observedAt()).toMillis() / 600;
    assertThat(lastDueMillis).isGreaterThan(150);
    assertThat(wallMillis).isGreaterThanOrEqualTo(lastDueMillis);
  }

  @Test
  void stopsAfterTheLimit() {
    List<Event> played = new ArrayList<>();
    long n = ScenarioPlayer.play(scenario(), Instant.MAX, 1e6, 500, played::add);
    assertThat(n).isEqualTo(500);
    assertThat(played).hasSize(500);
  }
}
