package org.safegrid.server.feedhealth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.server.live.LiveEvent;
import org.springframework.jdbc.core.JdbcTemplate;

@ExtendWith(PostgisExtension.class)
class FeedHealthMonitorTest {

  private static LiveEvent ping(String source, String sourceId, Instant at, String attrs) {
    return new LiveEvent(sourceId + at, source, sourceId, source.equals("patrol") ? "position" : "check", 0, at, at,
        114.4, 23.1, attrs);
  }

  @Test
  void silenceIsReportedOnceOffDutyUnitsAreNotSilentAndARestartRemembersLastSeen(TestDatabase db) {
    JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
    FeedHealthProperties props = new FeedHealthProperties(true, Map.of("patrol", Duration.ofMinutes(2)),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Set.of("off_duty"), Set.of("campus_alarm"));
    List<Object> signals = new ArrayList<>();
    FeedHealthMonitor monitor = new FeedHealthMonitor(jdbc, props, signals::add);
    Instant t = Instant.parse("2026-11-23T01:00:00Z");
    monitor.onEvents(List.of(
        ping("patrol", "GPS-1", t, "{\"unitId\":\"U-1\",\"status\":\"patrolling\"}"),
        ping("patrol", "GPS-2", t, "{\"unitId\":\"U-2\",\"status\":\"off_duty\"}"),
        ping("checkpoint", "CP-1", t, "{}"),
        new LiveEvent("alarm", "camera", "ALM-SCH-1", "campus_alarm", 4, t, t, 114.4, 23.1, "{}"),
        // a reported incident: its sender (a call centre) has no expected interval and is not a feed
        new LiveEvent("inc-1", "incident", "110-HZ", "violent", 3, t, t, 114.4, 23.1, "{\"channel\":\"110\"}")));

    assertThat(monitor.check(t.plusSeconds(110))).as("within the interval").isEmpty();
    assertThat(monitor.check(t.plusSeconds(130))).extracting(FeedHealthMonitor.Seen::sourceId).containsExactly("U-1");
    assertThat(monitor.check(t.plusSeconds(200))).as("reported once").isEmpty();
    assertThat(monitor.check(t.plus(Duration.ofMinutes(16)))).extracting(FeedHealthMonitor.Seen::sourceId)
        .as("checkpoints have 15 minutes by default").containsExactly("CP-1");
    assertThat(signals).hasSize(2);

    monitor.onEvents(List.of(ping("patrol", "GPS-1", t.plusSeconds(300), "{\"unitId\":\"U-1\",\"status\":\"patrolling\"}")));
    assertThat(signals.get(2)).isInstanceOf(FeedHealthSignals.SourceResumed.class);

    monitor.flush();
    FeedHealthMonitor restarted = new FeedHealthMonitor(jdbc, props, e -> { });
    restarted.load();
    var layer = restarted.toGeoJson(t.plus(Duration.ofHours(1)), false);
    assertThat(layer.features()).extracting(f -> f.properties().get("sourceId")).containsExactlyInAnyOrder("U-1", "CP-1")
        .as("the off-duty unit stays off duty after the restart; alarm stations and incident senders are not feeds")
        .doesNotContain("U-2", "110-HZ");
    assertThat(layer.features()).filteredOn(f -> f.properties().get("sourceId").equals("U-1"))
        .singleElement().satisfies(f -> assertThat(f.properties().get("lastSeenAt")).isEqualTo(t.plusSeconds(300).toString()));
  }
}
