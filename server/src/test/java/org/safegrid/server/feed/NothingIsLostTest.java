package org.safegrid.server.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.ledger.LedgerProducer;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.worker.IngestMetrics;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.server.SafeGridApplication;
import org.safegrid.server.loop.BackgroundLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Proof that every campus alarm stored raises exactly one alert, whatever happens between the
 * store and the alert engine: a writer transaction held open for 30 s while other workers commit, an
 * alert path that fails for 10 s, and the server stopped for two minutes while a standalone ingest
 * worker (its own consumer group member and connection pool, the production layout) keeps storing.
 * Alarms are produced with a real Kafka client through the embedded broker and counted against a
 * ledger of what the broker acknowledged; the server is the real application on a real PostGIS.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NothingIsLostTest {

  private static final Logger log = LoggerFactory.getLogger(NothingIsLostTest.class);
  private static final Duration ALERTED_WITHIN = Duration.ofSeconds(60);

  private TestDatabase db;
  private JdbcTemplate jdbc;
  private IngestSettings settings;
  private IngestWorkers standalone;
  private KafkaProducer<byte[], byte[]> kafka;
  private LedgerProducer producer;
  private final AtomicInteger alarmNo = new AtomicInteger();

  @BeforeAll
  void setUp() {
    db = PostgisExtension.createDatabase("NothingIsLostTest");
    jdbc = new JdbcTemplate(db.dataSource());
    jdbc.execute("SELECT safegrid_ensure_event_partitions(current_date - 1, current_date + 1)");
    String unique = "nil" + ProcessHandle.current().pid() + "x" + System.nanoTime();
    String bootstrap = KafkaExtension.bootstrapServers();
    settings = IngestSettings.defaults(bootstrap).withGroupAndPrefix(unique + "-g", unique + ".").withWorkers(2);
    standalone = IngestWorkers.start(settings, db.dataSource(), new IngestMetrics(new SimpleMeterRegistry()));
    kafka = new KafkaProducer<>(IngestWorkers.producerProperties(bootstrap));
    producer = new LedgerProducer(kafka, settings);
  }

  @AfterAll
  void tearDown() {
    if (kafka != null) {
      kafka.close();
    }
    if (standalone != null) {
      standalone.close();
    }
  }

  private ConfigurableApplicationContext startServer(String... extra) {
    List<String> props = new ArrayList<>(List.of("spring.datasource.url=" + db.jdbcUrl(),
        "spring.datasource.username=" + DbRole.APP.roleName(), "spring.datasource.password=" + DbRole.APP.password(),
        "spring.flyway.user=" + DbRole.OWNER.roleName(), "spring.flyway.password=" + DbRole.OWNER.password(),
        "server.port=0", "safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "safegrid.security.admin-password=nothing-is-lost-pw"));
    props.addAll(List.of(extra));
    // as command-line arguments: they must win over application.yml, as the environment does in production
    return new SpringApplicationBuilder(SafeGridApplication.class)
        .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
  }

  /** A campus alarm of its own campus, so that each alarm is its own cause. */
  private Event alarm(String prefix) {
    int i = alarmNo.incrementAndGet();
    String campus = "CAMPUS-" + prefix + i;
    return new Event(prefix + i, Source.CAMERA, "CAM-ALARM-" + (i % 7), "campus_alarm", 5, Instant.now(),
        114.40 + (i % 50) * 0.001, 23.10 + (i % 40) * 0.001, Datum.WGS84,
        new CameraAttrs("CAM-ALARM-" + (i % 7), "button", 1.0, campus).toMap());
  }

  /** Produces {@code n} alarms, one every {@code every}; returns when the broker answered for all. */
  private void produce(Ledger ledger, int n, Duration every) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      producer.sendOne(ledger, alarm(ledger.prefix()));
      Thread.sleep(every.toMillis());
    }
    producer.flush();
    assertThat(ledger.failedIds()).as("sends the broker refused").isEmpty();
  }

  /** How many campus-alarm alerts each stored event of the ledger raised. */
  private Map<String, Long> alertsPerAlarm(Set<String> ids) {
    Map<String, Long> counts = new java.util.HashMap<>();
    for (String id : ids) {
      counts.put(id, 0L);
    }
    jdbc.query("SELECT event_id, count(*) FROM alert WHERE rule_id = 'campus-alarm' AND event_id = ANY (?) "
        + "GROUP BY event_id", rs -> {
          counts.put(rs.getString(1), rs.getLong(2));
        }, (Object) ids.toArray(String[]::new));
    return counts;
  }

  /** Waits until every id has an alert; then asserts each has exactly one. */
  private void assertEachAlertedExactlyOnce(Set<String> ids) throws InterruptedException {
    long deadline = System.nanoTime() + ALERTED_WITHIN.toNanos();
    Map<String, Long> counts = alertsPerAlarm(ids);
    while (counts.containsValue(0L) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      counts = alertsPerAlarm(ids);
    }
    Thread.sleep(1000);  // a duplicate would come right behind the first
    counts = alertsPerAlarm(ids);
    assertThat(counts).as("alerts per stored alarm").hasSize(ids.size());
    assertThat(counts.values()).as("every stored alarm raised exactly one alert").containsOnly(1L);
  }

  private Set<String> storedAlarms(Ledger ledger) throws Exception {
    new LedgerChecker(db.dataSource()).awaitStored(ledger, Duration.ofSeconds(90));
    LedgerChecker.Result r = new LedgerChecker(db.dataSource()).check(ledger);
    assertThat(r.lost()).as("ledger: acked alarms not stored").isZero();
    return new LedgerChecker(db.dataSource()).storedIds(ledger.prefix());
  }

  /**
   * Produces {@code n} alarms spread over {@code span} while alerting is off (failing or stopped),
   * waits out the span and checks that all were stored and none alerted yet; returns their ids.
   */
  private Set<String> storedWhileAlertingIsOff(String prefix, int n, Duration span) throws Exception {
    Instant from = Instant.now();
    Ledger ledger = Ledger.create(prefix);
    produce(ledger, n, span.dividedBy(n));
    Set<String> stored = storedAlarms(ledger);
    Thread.sleep(Math.max(0, span.minus(Duration.between(from, Instant.now())).toMillis()));
    assertThat(alertsPerAlarm(stored).values()).as("nothing alerted while alerting is off").containsOnly(0L);
    return stored;
  }

  /** Starts the server, sees {@code n} alarms alerted once each, stops it; returns their ledger. */
  private Ledger runServerAlertingOn(String prefix, int n) throws Exception {
    Ledger ledger = Ledger.create(prefix);
    try (ConfigurableApplicationContext server = startServer()) {
      produce(ledger, n, Duration.ofMillis(200));
      assertEachAlertedExactlyOnce(storedAlarms(ledger));
    }
    return ledger;
  }

  private static void insertOpenAlarm(Connection c, String id, int n) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO event (event_id, source, source_id, kind, severity, "
        + "observed_at, geom, attrs) VALUES (?, 'camera', 'CAM-SLOW', 'campus_alarm', 5, now(), "
        + "ST_SetSRID(ST_MakePoint(114.45, 23.12), 4326), jsonb_build_object('cameraId', 'CAM-SLOW', "
        + "'class', 'button', 'confidence', 1.0, 'campusCode', ?))")) {
      ps.setString(1, id);
      ps.setString(2, "CAMPUS-" + id + n);
      ps.executeUpdate();
    }
  }

  @Test
  void aWriterTransactionHeldOpenFor30sHoldsBackNoOtherAlarmAndItsOwnAreAlertedWhenItCommits() throws Exception {
    try (ConfigurableApplicationContext server = startServer()) {
      Ledger ledger = Ledger.create("open30.");
      List<String> slowIds = List.of("open30-slow-1", "open30-slow-2", "open30-slow-3");
      Instant committedAt;
      try (Connection slow = db.connect()) {
        slow.setAutoCommit(false);
        for (int i = 0; i < slowIds.size(); i++) {
          insertOpenAlarm(slow, slowIds.get(i), i);
        }
        Instant openedAt = Instant.now();
        produce(ledger, 25, Duration.ofSeconds(1));
        Set<String> fast = storedAlarms(ledger);
        assertEachAlertedExactlyOnce(fast);
        assertThat(alertsPerAlarm(new HashSet<>(slowIds)).values()).as("not committed yet").containsOnly(0L);
        long left = Duration.ofSeconds(30).minus(Duration.between(openedAt, Instant.now())).toMillis();
        assertThat(left).as("the other alarms were alerted while the transaction was open").isPositive();
        Thread.sleep(left);
        slow.commit();
        committedAt = Instant.now();
      }
      assertEachAlertedExactlyOnce(new HashSet<>(slowIds));
      List<Long> latency = jdbc.queryForList("SELECT (extract(epoch FROM a.raised_at - e.received_at) * 1000)::bigint "
          + "FROM alert a JOIN event e ON e.event_id = a.event_id WHERE a.rule_id = 'campus-alarm' "
          + "AND starts_with(a.event_id, 'open30.') ORDER BY 1", Long.class);
      long late = jdbc.queryForObject("SELECT (extract(epoch FROM max(raised_at) - ?) * 1000)::bigint FROM alert "
          + "WHERE event_id = ANY (?)", Long.class, java.sql.Timestamp.from(committedAt), slowIds.toArray(String[]::new));
      log.info("30 s open transaction: {} other alarms, stored to alert p50 {} ms, max {} ms; the open "
          + "transaction's alarms alerted {} ms after its commit", latency.size(), latency.get(latency.size() / 2),
          latency.get(latency.size() - 1), late);
      assertThat(latency.get(latency.size() - 1)).as("no alarm waited for the open transaction (30 s)")
          .isLessThan(10_000);
    }
  }

  @Test
  void anAlertPathThatFailsFor10sLosesNoAlarmAndRaisesNoneTwice() throws Exception {
    try (ConfigurableApplicationContext server = startServer()) {
      Ledger before = Ledger.create("fail10a.");
      produce(before, 3, Duration.ofMillis(200));
      assertEachAlertedExactlyOnce(storedAlarms(before));
      // the alert path fails for every insert for 10 s (a real error from the database, not a transient one)
      jdbc.execute("CREATE FUNCTION nil_refuse() RETURNS trigger LANGUAGE plpgsql AS "
          + "$$ BEGIN RAISE EXCEPTION 'injected alert failure'; END $$");
      jdbc.execute("CREATE TRIGGER nil_refuse BEFORE INSERT ON alert FOR EACH ROW EXECUTE FUNCTION nil_refuse()");
      Set<String> stored = storedWhileAlertingIsOff("fail10b.", 10, Duration.ofSeconds(10));
      jdbc.execute("DROP TRIGGER nil_refuse ON alert");
      assertEachAlertedExactlyOnce(stored);
      MeterRegistry meters = server.getBean(MeterRegistry.class);
      assertThat(meters.counter(BackgroundLoop.FAILURES_METRIC, "loop", "alert-engine").count())
          .as("the failures were seen and retried").isPositive();
      assertThat(jdbc.queryForObject("SELECT count(*) FROM alert WHERE rule_id = 'feed-poison-event'", Long.class))
          .as("a 10 s failure is not poison").isZero();
    }
  }

  @Test
  void theServerStoppedForTwoMinutesWhileAStandaloneWorkerStoresResumesWithEveryAlarmAndReportsTheGap()
      throws Exception {
    Ledger before = runServerAlertingOn("down2a.", 3);
    Instant stoppedAt = Instant.now();
    // two minutes without a server: the standalone worker keeps storing, one alarm every 4 s
    Set<String> stored = storedWhileAlertingIsOff("down2b.", 30, Duration.ofMinutes(2));
    try (ConfigurableApplicationContext server = startServer()) {
      Ledger after = Ledger.create("down2c.");
      produce(after, 3, Duration.ofMillis(200));
      Set<String> all = new HashSet<>(stored);
      all.addAll(storedAlarms(after));
      all.addAll(storedAlarms(before));
      assertEachAlertedExactlyOnce(all);
      Map<String, Object> gap = jdbc.queryForMap("SELECT severity, title, (detail->>'events')::bigint AS events, "
          + "(detail->>'notAlertedOneByOne')::bigint AS skipped FROM alert WHERE rule_id = 'alerting-gap' "
          + "AND raised_at > ? ORDER BY id DESC LIMIT 1", java.sql.Timestamp.from(stoppedAt));
      log.info("gap reported: {}", gap);
      assertThat((Long) gap.get("events")).as("the gap names what was stored while alerting was down")
          .isGreaterThanOrEqualTo(stored.size());
      assertThat(gap.get("skipped")).as("within the 1 h horizon every alarm is judged").isEqualTo(0L);
      assertThat(gap.get("severity")).isEqualTo("medium");
    }
  }

  @Test
  void alarmsStoredLongerAgoThanTheHorizonAreNamedInOneGapAlertInsteadOfOneByOne() throws Exception {
    runServerAlertingOn("horizon-a.", 1);
    Ledger old = Ledger.create("horizon-b.");
    produce(old, 4, Duration.ofMillis(100));
    Set<String> stored = storedAlarms(old);
    Thread.sleep(3000);
    try (ConfigurableApplicationContext server = startServer("safegrid.feed.resume-horizon=2s")) {
      Ledger fresh = Ledger.create("horizon-c.");
      produce(fresh, 2, Duration.ofMillis(100));
      assertEachAlertedExactlyOnce(storedAlarms(fresh));
      assertThat(alertsPerAlarm(stored).values()).as("older than the horizon: not alerted one by one")
          .containsOnly(0L);
      Map<String, Object> gap = jdbc.queryForMap("SELECT severity, title, "
          + "(detail->>'notAlertedOneByOne')::bigint AS skipped, "
          + "detail->'notAlertedBySourceKind'->>'camera/campus_alarm' AS alarms FROM alert "
          + "WHERE rule_id = 'alerting-gap' ORDER BY id DESC LIMIT 1");
      assertThat(gap.get("severity")).isEqualTo("high");
      assertThat((String) gap.get("title")).contains("events were stored while alerting was down")
          .contains("older than 2 s not alerted one by one");
      assertThat((Long) gap.get("skipped")).isGreaterThanOrEqualTo(stored.size());
      assertThat(Long.parseLong((String) gap.get("alarms"))).isGreaterThanOrEqualTo(stored.size());
    }
  }
}
