package org.safegrid.server.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.safegrid.server.soak.AlertQuality.Group;
import org.safegrid.server.soak.AlertQuality.Score;
import org.safegrid.server.soak.AlertQuality.Truth;

class AlertQualityTest {

  // two real incidents: a campus alarm (critical, produced at t=1,000 ms) and a wanted plate (high, t=5,000 ms)
  static final Truth CAMPUS = new Truth("t-1", "critical", List.of("alm-1", "cdt-2", "cdt-3"), 1_000);
  static final Truth PLATE = new Truth("t-2", "high", List.of("hit-4", "hit-5"), 5_000);
  static final Truth COAST = new Truth("t-3", "high", List.of("itr-6"), 9_000);

  @Test
  void recallCountsInjectedIncidentsMatchedByAnyGroupContainingOneOfTheirEvents() {
    // incident 10 holds a camera detection of the campus alarm only; 11 the second plate hit; 12 fishermen
    List<Group> incidents = List.of(new Group(10, Set.of("cdt-3")), new Group(11, Set.of("hit-5", "fsh-9")),
        new Group(12, Set.of("fsh-7", "fsh-8")));
    Score s = AlertQuality.score(List.of(CAMPUS, PLATE, COAST), incidents, Map.of());
    assertThat(s.recall("critical")).isEqualTo(1.0);
    assertThat(s.recall("high")).isEqualTo(0.5);
    // two of three incidents hold a ground-truth event
    assertThat(s.precision()).isEqualTo(2 / 3.0);
    assertThat(s.notSeen()).isEqualTo(2);
  }

  @Test
  void latencyRunsFromTheFirstEventToTheFirstLiveMessageOfAMatchingIncidentAfterIt() {
    // incident 20 was opened by fishermen before the plate was ever seen (t=2,000): that message does not count;
    // the plate's hit joins it at t=5,400; incident 21 about the campus appears at t=1,250 and t=1,900
    List<Group> incidents = List.of(new Group(20, Set.of("fsh-1", "hit-4")), new Group(21, Set.of("alm-1")));
    Score s = AlertQuality.score(List.of(CAMPUS, PLATE), incidents,
        Map.of(20L, List.of(2_000L, 5_400L), 21L, List.of(1_900L, 1_250L)));
    assertThat(s.latenciesMillis()).containsExactly(250L, 400L);
    assertThat(s.latencyPercentile(0.5)).isEqualTo(250L);
    assertThat(s.latencyPercentile(0.99)).isEqualTo(400L);
    assertThat(s.notSeen()).isZero();
  }

  @Test
  void nothingRaisedOrNothingInjectedGivesNoFigureRatherThanZero() {
    Score none = AlertQuality.score(List.of(PLATE), List.of(), Map.of());
    assertThat(none.precision()).isNull();
    assertThat(none.recall("critical")).isNull();
    assertThat(none.recall("high")).isEqualTo(0.0);
    assertThat(none.latencyPercentile(0.5)).isNull();
  }

  @Test
  void oneIncidentHoldingTwoRealIncidentsMatchesBothAndCountsOnceForPrecision() {
    Score s = AlertQuality.score(List.of(PLATE, COAST), List.of(new Group(30, Set.of("hit-4", "itr-6"))), Map.of());
    assertThat(s.recall("high")).isEqualTo(1.0);
    assertThat(s.groups()).isEqualTo(1);
    assertThat(s.truthGroups()).isEqualTo(1);
  }
}
