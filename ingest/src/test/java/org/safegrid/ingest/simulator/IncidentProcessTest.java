package org.safegrid.ingest.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.Source;

class IncidentProcessTest {

  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @Test
  void theScenarioWithIncidentsMergesThemInTimeOrderAndEveryIncidentPassesTheContract() {
    ReferenceCity city = ReferenceCity.huizhou();
    Instant start = Instant.now().minus(Duration.ofDays(2));
    Scenario scenario = new Scenario(city, 7, "t", start, Scenario.Rates.DEFAULT.withPingSeconds(60))
        .withIncidents(city, IncidentProcess.Parameters.DEFAULT.with(400, 0.4, 2, 150), 11, SHANGHAI);
    EventDecoder decoder = new EventDecoder(EventRules.DEFAULT);
    Instant last = start;
    Set<String> ids = new HashSet<>();
    Map<String, Integer> byKind = new HashMap<>();
    int nearRepeats = 0;
    Instant end = start.plus(Duration.ofHours(12));
    for (Event e = scenario.next(); e.observedAt().isBefore(end); e = scenario.next()) {
      assertThat(e.observedAt()).isAfterOrEqualTo(last);
      last = e.observedAt();
      assertThat(ids.add(e.id())).as(e.id()).isTrue();
      if (e.source() == Source.INCIDENT) {
        byKind.merge(e.kind(), 1, Integer::sum);
        nearRepeats += e.attrs().containsKey("nearRepeatOf") ? 1 : 0;
        assertThat(decoder.decode(e.source(), EventCodec.encode(e))).as("%s", e)
            .isInstanceOf(EventDecoder.Accepted.class);
      }
    }
    int incidents = byKind.values().stream().mapToInt(Integer::intValue).sum();
    // 400 a day on average over 12 hours (the cycle makes any half day differ), and near repeats among them
    assertThat(incidents).isBetween(80, 400);
    assertThat(nearRepeats).isPositive();
    assertThat(byKind.keySet()).isSubsetOf(IncidentProcess.Parameters.DEFAULT.kindShares().keySet());
    assertThat(byKind).containsKeys("property", "disorder");
  }

  @Test
  void theSameSeedDrawsTheSameIncidents() {
    ReferenceCity city = ReferenceCity.huizhou();
    Instant start = Instant.parse("2026-01-05T00:00:00Z");
    IncidentProcess a = new IncidentProcess(city, IncidentProcess.Parameters.DEFAULT, 3, "r", start, SHANGHAI);
    IncidentProcess b = new IncidentProcess(city, IncidentProcess.Parameters.DEFAULT, 3, "r", start, SHANGHAI);
    for (int i = 0; i < 500; i++) {
      assertThat(a.nextIncident()).isEqualTo(b.nextIncident());
    }
  }
}
