package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.io.WKTReader;
import org.safegrid.server.live.LiveEvent;

class RuleEngineTest {

  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  /*
   * The zone: a 0.01° square (about 1 km) from (114.40, 23.10) to (114.41, 23.11).
   *
   *   23.11 +--------+
   *         |  zone  |
   *   23.10 +--------+
   *      114.40    114.41
   */
  private static Zone square() throws Exception {
    return new Zone("coastal_zone", new WKTReader().read(
        "POLYGON ((114.40 23.10, 114.41 23.10, 114.41 23.11, 114.40 23.11, 114.40 23.10))"));
  }

  private static LiveEvent event(String id, String source, String sourceId, String kind, String localTime,
                                 double lon, double lat) {
    Instant at = java.time.LocalDateTime.parse("2026-11-23T" + localTime).atZone(SHANGHAI).toInstant();
    return new LiveEvent(id, source, sourceId, kind, 3, at, at, lon, lat, "{}");
  }

  private static AlertRule coastalNight() {
    return new AlertRule("coastal-night", AlertRule.Type.EVENT, null, AlertSeverity.HIGH,
        new AlertRule.Match("camera", Set.of("intrusion"), null),
        new AlertRule.Geofence("coastal_zone", "inside", null, null),
        List.of(new Schedule.Window(null, LocalTime.of(20, 0), LocalTime.of(6, 0))), "source", null, null, false);
  }

  @Test
  void campusAlarmMatchesBySourceKindAndIsDedupedByCampus() {
    AlertRule rule = new AlertRule("campus-alarm", AlertRule.Type.EVENT, "Campus alarm", AlertSeverity.CRITICAL,
        new AlertRule.Match("camera", Set.of("campus_alarm"), null), null, null, "attr:campusCode", null, null, true);
    RuleEngine engine = new RuleEngine(List.of(rule), Map.of(), SHANGHAI);
    List<AlertCandidate> hit = engine.judge(event("e1", "camera", "CAM-1", "campus_alarm", "10:00:00", 114.4, 23.1),
        Map.of("campusCode", "SCH-0042"));
    assertThat(hit).singleElement().satisfies(c -> {
      assertThat(c.dedupeKey()).isEqualTo("SCH-0042");
      assertThat(c.rule().severity()).isEqualTo(AlertSeverity.CRITICAL);
    });
    assertThat(engine.judge(event("e2", "camera", "CAM-1", "intrusion", "10:00:00", 114.4, 23.1), Map.of())).isEmpty();
    assertThat(engine.judge(event("e3", "patrol", "P-1", "campus_alarm", "10:00:00", 114.4, 23.1), Map.of())).isEmpty();
  }

  @Test
  void checkpointHitMatchesOnTheResultAttribute() {
    AlertRule rule = new AlertRule("checkpoint-hit", AlertRule.Type.EVENT, null, AlertSeverity.HIGH,
        new AlertRule.Match("checkpoint", null, Map.of("result", "hit")), null, null, "event", null, null, false);
    RuleEngine engine = new RuleEngine(List.of(rule), Map.of(), SHANGHAI);
    assertThat(engine.judge(event("c1", "checkpoint", "CP-1", "check", "23:00:00", 114.4, 23.1),
        Map.of("result", "hit"))).hasSize(1);
    assertThat(engine.judge(event("c2", "checkpoint", "CP-1", "check", "23:00:00", 114.4, 23.1),
        Map.of("result", "clear"))).isEmpty();
  }

  @Test
  void coastalDetectionRaisesOnlyInsideTheZoneAndAtNightJudgedAtObservedTime() throws Exception {
    RuleEngine engine = new RuleEngine(List.of(coastalNight()), Map.of("coastal_zone", square()), SHANGHAI);
    assertThat(engine.judge(event("a", "camera", "CAM-9", "intrusion", "21:30:00", 114.405, 23.105), Map.of()))
        .as("inside at night").hasSize(1);
    assertThat(engine.judge(event("b", "camera", "CAM-9", "intrusion", "02:30:00", 114.405, 23.105), Map.of()))
        .as("after midnight is still night").hasSize(1);
    assertThat(engine.judge(event("c", "camera", "CAM-9", "intrusion", "14:00:00", 114.405, 23.105), Map.of()))
        .as("daytime").isEmpty();
    assertThat(engine.judge(event("d", "camera", "CAM-8", "intrusion", "21:30:00", 114.42, 23.105), Map.of()))
        .as("outside the zone").isEmpty();
  }

  @Test
  void riskRuleRaisesOnlyWhenTheLevelRisesIntoItsLevels() {
    AlertRule rule = new AlertRule("risk", AlertRule.Type.RISK_LEVEL, null, AlertSeverity.HIGH, null, null, null,
        null, Set.of("high", "critical"), null, false);
    RuleEngine engine = new RuleEngine(List.of(rule), Map.of(), SHANGHAI);
    Instant t = Instant.parse("2026-11-23T02:00:00Z");
    assertThat(engine.judge(new EngineSignals.RiskLevelChanged("G1", "elevated", "high", 114.4, 23.1, t))).hasSize(1);
    assertThat(engine.judge(new EngineSignals.RiskLevelChanged("G1", "critical", "high", 114.4, 23.1, t)))
        .as("falling from critical to high is not a rise").isEmpty();
    assertThat(engine.judge(new EngineSignals.RiskLevelChanged("G1", "low", "elevated", 114.4, 23.1, t))).isEmpty();
  }

  @Test
  void emergingHotspotRaisesForNewAndIntensifyingOnly() {
    AlertRule rule = new AlertRule("eh", AlertRule.Type.EMERGING_HOTSPOT, null, AlertSeverity.MEDIUM, null, null, null,
        null, null, Set.of("new", "intensifying"), false);
    RuleEngine engine = new RuleEngine(List.of(rule), Map.of(), SHANGHAI);
    Instant t = Instant.parse("2026-11-23T02:00:00Z");
    assertThat(engine.judge(new EngineSignals.EmergingHotspotChanged("H1", null, "new", 114.4, 23.1, t)))
        .singleElement().extracting(AlertCandidate::dedupeKey).isEqualTo("H1:new");
    assertThat(engine.judge(new EngineSignals.EmergingHotspotChanged("H1", "new", "persistent", 114.4, 23.1, t))).isEmpty();
  }

  @Test
  void exitRuleWithDwellJudgesOutOfOrderEventsByObservedTimeThroughTheReorderBuffer() throws Exception {
    AlertRule rule = new AlertRule("left", AlertRule.Type.EVENT, null, AlertSeverity.MEDIUM,
        new AlertRule.Match("patrol", Set.of("position"), null),
        new AlertRule.Geofence("coastal_zone", "exit", Duration.ofSeconds(30), 20.0), null, "attr:unitId", null, null,
        false);
    // inside at 10:00:00; clearly outside at 10:00:10 and 10:00:50 (40 s > dwell 30 s)
    LiveEvent in = event("p0", "patrol", "P-7", "position", "10:00:00", 114.405, 23.105);
    LiveEvent out50 = event("p2", "patrol", "P-7", "position", "10:00:50", 114.42, 23.105);
    LiveEvent out10 = event("p1", "patrol", "P-7", "position", "10:00:10", 114.42, 23.105);
    Map<String, Object> attrs = Map.of("unitId", "P-7");

    // judged in arrival order, the 10:00:10 ping comes too late to count and the unit has been out only 0 s
    RuleEngine arrivalOrder = new RuleEngine(List.of(rule), Map.of("coastal_zone", square()), SHANGHAI);
    List<AlertCandidate> naive = new ArrayList<>();
    for (LiveEvent e : List.of(in, out50, out10)) {
      naive.addAll(arrivalOrder.judge(e, attrs));
    }
    assertThat(naive).isEmpty();

    // through the reorder buffer, the same arrivals are judged 10:00:00, 10:00:10, 10:00:50: out for 40 s
    RuleEngine engine = new RuleEngine(List.of(rule), Map.of("coastal_zone", square()), SHANGHAI);
    ReorderBuffer buffer = new ReorderBuffer(Duration.ofMillis(200));
    Instant arrival = Instant.parse("2026-11-23T02:01:00Z");
    buffer.add(in, arrival);
    buffer.add(out50, arrival.plusMillis(10));
    buffer.add(out10, arrival.plusMillis(20));
    assertThat(buffer.release(arrival.plusMillis(100))).as("nothing released before the window").isEmpty();
    List<LiveEvent> released = buffer.release(arrival.plusMillis(300));
    assertThat(released).extracting(LiveEvent::id).containsExactly("p0", "p1", "p2");
    List<AlertCandidate> judged = new ArrayList<>();
    for (LiveEvent e : released) {
      judged.addAll(engine.judge(e, attrs));
    }
    assertThat(judged).singleElement().satisfies(c -> {
      assertThat(c.eventId()).isEqualTo("p2");
      assertThat(c.dedupeKey()).isEqualTo("P-7");
    });
  }

  @Test
  void scheduleWindowsFollowWeekdaysAndRunOverMidnight() {
    Schedule school = new Schedule(List.of(
        new Schedule.Window(Set.of(DayOfWeek.MONDAY), LocalTime.of(7, 0), LocalTime.of(8, 30)),
        new Schedule.Window(Set.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), LocalTime.of(2, 0))), SHANGHAI);
    // 2026-11-23 is a Monday
    assertThat(school.isActive(local("2026-11-23T07:15"))).isTrue();
    assertThat(school.isActive(local("2026-11-23T08:30"))).as("end is exclusive").isFalse();
    assertThat(school.isActive(local("2026-11-24T07:15"))).as("Tuesday").isFalse();
    assertThat(school.isActive(local("2026-11-27T23:00"))).as("Friday night").isTrue();
    assertThat(school.isActive(local("2026-11-28T01:00"))).as("Friday's window into Saturday").isTrue();
    assertThat(school.isActive(local("2026-11-29T01:00"))).as("Saturday's night has no window").isFalse();
    assertThat(Schedule.always(SHANGHAI).isActive(Instant.EPOCH)).isTrue();
  }

  private static Instant local(String t) {
    return java.time.LocalDateTime.parse(t).atZone(SHANGHAI).toInstant();
  }
}
