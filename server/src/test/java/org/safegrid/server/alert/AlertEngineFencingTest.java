package org.safegrid.server.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.feed.EventFeedProperties;
import org.safegrid.server.feed.FeedPositions;
import org.safegrid.server.loop.LeaderGate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two alert engines that both believe they lead (a stale leader that has not noticed it lost the
 * lock, and the new one) on one real PostGIS: the compare-and-set on the stored feed position lets
 * only one of them commit any range of the feed, so no campus alarm yields two alerts, even with
 * every alert resolved at once (which takes away the open-alert de-duplication that would
 * otherwise hide a second judgement).
 *
 * <p>The application's own engine is switched off ({@code safegrid.alerts.enabled=false}); the two
 * engines are built from the context's parts and stepped by the test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.MOCK,
    properties = {"safegrid.ingest.enabled=false", "safegrid.alerts.enabled=false"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertEngineFencingTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, AlertEngineFencingTest.class);
  }

  @Autowired
  AlertProperties alertProperties;
  @Autowired
  EventFeedProperties feedProperties;
  @Autowired
  AlertService alerts;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  TransactionTemplate tx;
  @Autowired
  ApplicationEventPublisher publisher;

  private final AtomicLong alarms = new AtomicLong();

  @BeforeAll
  void partitions() {
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
  }

  private AlertEngine engine() {
    return new AlertEngine(alertProperties, feedProperties, alerts, jdbc, tx, publisher, new SimpleMeterRegistry(),
        LeaderGate.ALWAYS);
  }

  /** Commits {@code n} campus alarms, each at its own campus (so each is its own alert), in one transaction. */
  private void commitAlarms(int n) {
    tx.executeWithoutResult(st -> {
      for (int i = 0; i < n; i++) {
        long k = alarms.incrementAndGet();
        jdbc.update("INSERT INTO event (event_id, source, source_id, kind, severity, observed_at, geom, attrs) "
            + "VALUES (?, 'camera', ?, 'campus_alarm', 5, now(), ST_SetSRID(ST_MakePoint(114.4, 23.1), 4326), "
            + "CAST(? AS jsonb))", "fence-" + k, "CAM-" + k, "{\"campusCode\":\"FENCE-" + k + "\"}");
      }
    });
  }

  private void resolveAll() {
    jdbc.update("UPDATE alert SET status = 'resolved' WHERE status IN ('open', 'acknowledged')");
  }

  /** Steps {@code e} until it has read what is committed now (a caught-up engine reads again one poll interval later). */
  private void drain(AlertEngine e) throws Exception {
    Thread.sleep(feedProperties.pollInterval().toMillis() + 50);
    for (int i = 0; i < 1000 && e.step(); i++) {
      // more events waiting
    }
  }

  private Map<String, Object> counts() {
    return jdbc.queryForMap("SELECT count(*) AS alerts, count(DISTINCT event_id) AS events, "
        + "(SELECT count(*) FROM event WHERE kind = 'campus_alarm') AS alarms "
        + "FROM alert WHERE rule_id = 'campus-alarm'");
  }

  @Test
  void aStaleEngineCannotCommitARangeTheNewLeaderCommittedAndResumesFromItsPosition() throws Exception {
    AlertEngine stale = engine();
    AlertEngine fresh = engine();
    stale.step();
    fresh.step(); // both resumed from the same stored position and generation
    long before = (Long) counts().get("alerts");
    commitAlarms(20);
    drain(fresh);
    assertThat(counts()).containsEntry("alerts", before + 20).containsEntry("events", before + 20);
    FeedPositions positions = new FeedPositions(jdbc);
    FeedPositions.Stored afterFresh = positions.find(AlertEngine.CONSUMER).orElseThrow();
    resolveAll();

    // the stale engine reads the same 20 alarms and judges them: its commit is refused and rolled back
    stale.step();
    assertThat(counts()).as("no alert of the stale engine's judgement survives").containsEntry("alerts", before + 20);
    FeedPositions.Stored afterStale = positions.find(AlertEngine.CONSUMER).orElseThrow();
    assertThat(afterStale.generation()).isEqualTo(afterFresh.generation());
    assertThat(afterStale.position()).isEqualTo(afterFresh.position());

    // next step: it resumes from the stored position, so it judges only what is new
    commitAlarms(5);
    drain(stale);
    assertThat(counts()).containsEntry("alerts", before + 25).containsEntry("events", before + 25);
    assertThat(stale.feedPosition()).isEqualTo(positions.find(AlertEngine.CONSUMER).orElseThrow().position());
  }

  @Test
  void twoEnginesRacingOverTheFeedRaiseEveryAlarmExactlyOnce() throws Exception {
    AlertEngine a = engine();
    AlertEngine b = engine();
    a.step();
    b.step();
    long before = (Long) counts().get("alerts");
    AtomicBoolean producing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> engines = new ArrayList<>();
      for (AlertEngine e : List.of(a, b)) {
        engines.add(pool.submit(() -> {
          while (producing.get()) {
            e.step();
          }
          drain(e);
          return null;
        }));
      }
      // resolve as fast as possible: a second judgement of an alarm would then insert a second alert
      Future<?> resolver = pool.submit(() -> {
        while (producing.get()) {
          resolveAll();
        }
        return null;
      });
      for (int round = 0; round < 30; round++) {
        commitAlarms(1 + round % 7);
        Thread.sleep(15);
      }
      producing.set(false);
      for (Future<?> f : engines) {
        f.get();
      }
      resolver.get();
    } finally {
      pool.shutdownNow();
      // an engine still stepping after a failure would race the next test's engines
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("the racing engines stopped").isTrue();
    }
    drain(a);
    drain(b);
    Map<String, Object> c = counts();
    long alarmsCommitted = (Long) c.get("alarms");
    assertThat((Long) c.get("alerts") - before).as("alerts raised during the race")
        .isEqualTo(alarmsCommitted - before);
    assertThat(c.get("alerts")).isEqualTo(c.get("events")).isEqualTo(alarmsCommitted);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM (SELECT event_id FROM alert WHERE rule_id = 'campus-alarm' "
        + "GROUP BY event_id HAVING count(*) > 1) d", Long.class)).as("events alerted twice").isZero();
  }
}
