package org.safegrid.server.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.postgresql.ds.PGSimpleDataSource;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.broker.EmbeddedBroker;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.ledger.Ledger;
import org.safegrid.ingest.ledger.LedgerChecker;
import org.safegrid.ingest.ledger.LedgerProducer;
import org.safegrid.ingest.simulator.Scenario;
import org.safegrid.ingest.simulator.ScenarioPlayer;
import org.safegrid.ingest.worker.IngestSettings;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.ingest.worker.Topics;

/**
 * The alert-quality benchmark: plays the night {@link Scenario} at accelerated time through the real
 * broker, the server's ingest workers, PostGIS and the alert engine, and scores the incidents the
 * server opened against the scenario's ground truth ({@link AlertQuality}).
 *
 * <p>Accelerated time: the events carry the observed times of a past night (the latest window of
 * {@code --hours} starting at 20:00 in the city's time zone that has ended), compressed into the run
 * at {@code --speed} times real time, so schedule rules such as the coastal night window apply.
 * Every event id starts with the run's prefix; a {@link Ledger} records which the broker
 * acknowledged, and {@code lost_events} is events produced minus events of the run stored. The
 * server reads topics of its own ({@code alertbench.<run>.}) with a consumer group of its own, so
 * nothing else reaches it. Latencies are taken on the live stream ({@code /api/live}), as a duty
 * officer's map sees them.
 *
 * <p>Environment: {@code SAFEGRID_DB_URL}, {@code SAFEGRID_DB_USER}, {@code SAFEGRID_DB_PASSWORD},
 * {@code SAFEGRID_KAFKA_BOOTSTRAP} ({@code ./safegrid bench alerts} sets them, with a fresh database).
 * Options: {@code --hours 2}, {@code --speed 12}, {@code --seed 441300}, {@code --ping-seconds 5},
 * {@code --drain-seconds 180}, {@code --ready-minutes 15} (server start on a fresh database), and the server options of {@link BenchServer}. Without the
 * {@code incident} table (incidents not built into this server) it prints the alert figures and
 * fails with exit code 2. Otherwise the last line is one JSON object.
 */
public final class AlertQualityBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ZoneId CITY_ZONE = ZoneId.of("Asia/Shanghai");

  private final BenchServer srv;
  private final Map<Long, List<Long>> incidentSeen = new ConcurrentHashMap<>();
  private final Map<Long, List<Long>> alertSeen = new ConcurrentHashMap<>();
  private final AtomicLong liveReconnects = new AtomicLong();
  private final AtomicBoolean listening = new AtomicBoolean(true);

  private AlertQualityBenchmark(BenchServer srv) {
    this.srv = srv;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchServer.options(args);
    double hours = Double.parseDouble(o.getOrDefault("hours", "2"));
    double speed = Double.parseDouble(o.getOrDefault("speed", "12"));
    long seed = Long.parseLong(o.getOrDefault("seed", Long.toString(ReferenceCity.DEFAULT_SEED)));
    double pingSeconds = Double.parseDouble(o.getOrDefault("ping-seconds", "5"));
    int drainSeconds = Integer.parseInt(o.getOrDefault("drain-seconds", "180"));
    Duration ready = Duration.ofMinutes(Long.parseLong(o.getOrDefault("ready-minutes", "15")));
    if (!(hours > 0 && hours <= 24 * 7) || !(speed > 0) || !(pingSeconds > 0)) {
      throw new IllegalArgumentException("--hours must be in (0, 168], --speed and --ping-seconds positive");
    }
    EmbeddedBroker.quietLogging();
    String bootstrap = BenchServer.env("SAFEGRID_KAFKA_BOOTSTRAP", "alerts");
    PGSimpleDataSource ds = BenchServer.dataSource("alerts");

    String run = "ab" + Long.toString(System.currentTimeMillis(), 36);
    IngestSettings topics = IngestSettings.defaults(bootstrap).withGroupAndPrefix("alertbench-" + run,
        "alertbench." + run + ".");
    Topics.ensure(topics, Topics.DEFAULT_PARTITIONS);
    BenchServer srv = BenchServer.start(o, List.of("--safegrid.ingest.bootstrap-servers=" + bootstrap,
        "--safegrid.ingest.topic-prefix=" + topics.topicPrefix(), "--safegrid.ingest.group-id=" + topics.groupId(),
        "--logging.level.root=WARN", "--logging.level.org.safegrid=WARN"), "safegrid-alerts-server");
    int status;
    Map<String, Object> out;
    try {
      AlertQualityBenchmark b = new AlertQualityBenchmark(srv);
      out = b.run(ds, topics, run, hours, speed, seed, pingSeconds, drainSeconds, ready);
      status = out == null ? 2 : 0;
    } finally {
      srv.close();
    }
    if (out != null) {
      System.out.println(JSON.writeValueAsString(out));
    }
    System.exit(status);
  }

  /** The latest window of {@code hours} starting at 20:00 city time that ended at least two minutes ago. */
  static Instant nightStart(Instant now, double hours) {
    LocalDate day = now.atZone(CITY_ZONE).toLocalDate();
    Instant start = day.atTime(LocalTime.of(20, 0)).atZone(CITY_ZONE).toInstant();
    Duration length = Duration.ofMillis((long) (hours * 3_600_000));
    while (start.plus(length).isAfter(now.minus(Duration.ofMinutes(2)))) {
      start = start.minus(Duration.ofDays(1));
    }
    return start;
  }

  private Map<String, Object> run(PGSimpleDataSource ds, IngestSettings topics, String run, double hours,
                                  double speed, long seed, double pingSeconds, int drainSeconds, Duration ready)
      throws Exception {
    srv.awaitReady(ready);
    boolean incidents = tableExists(ds, "incident") && tableExists(ds, "incident_alert");
    if (!incidents) {
      System.out.println("note: this server has no incident table: the run measures alerts, then fails");
    }
    Thread live = new Thread(this::listen, "alertbench-live");
    live.setDaemon(true);
    live.start();
    Instant benchStart = Instant.now();
    Instant from = nightStart(benchStart, hours);
    Instant end = from.plus(Duration.ofMillis((long) (hours * 3_600_000)));
    Scenario scenario = new Scenario(ReferenceCity.huizhou(), seed, run, from,
        Scenario.Rates.DEFAULT.withPingSeconds(pingSeconds));
    System.out.printf(Locale.ROOT, "alert bench: night %s .. %s (city time %s) at %.1fx, seed %d, pings every %.0f s, "
            + "%.1f injected incidents/h; run %s%n", from, end, from.atZone(CITY_ZONE).toLocalDateTime(), speed, seed,
        pingSeconds, scenario.rates().truthPerHour(), run);
    Ledger ledger = Ledger.create(run + "-");
    Map<String, Long> firstSent = new ConcurrentHashMap<>();
    long played;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(IngestWorkers.producerProperties(
        topics.bootstrapServers()))) {
      LedgerProducer lp = new LedgerProducer(p, topics);
      AtomicBoolean playing = new AtomicBoolean(true);
      Thread progress = new Thread(() -> {
        long t0 = System.nanoTime();
        while (playing.get()) {
          sleep(30_000);
          if (playing.get()) {
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%.0f s (%.0f s of night due, speed %.1fx): %,d events produced, %d alerts "
                    + "and %d incidents on the live stream%n", wall, wall * speed, speed, ledger.sent().get(),
                alertSeen.size(), incidentSeen.size());
          }
        }
      }, "alertbench-progress");
      progress.setDaemon(true);
      progress.start();
      played = ScenarioPlayer.play(scenario, end, speed, Long.MAX_VALUE, e -> {
        scenario.truthOf(e.id()).filter(t -> t.eventIds().get(0).equals(e.id()))
            .ifPresent(t -> firstSent.put(t.id(), System.currentTimeMillis()));
        lp.sendOne(ledger, e);
      });
      lp.flush();
      playing.set(false);
    }
    double playSeconds = Duration.between(benchStart, Instant.now()).toMillis() / 1000.0;
    // a busy machine can make the player fall behind its schedule: say what speed it reached
    System.out.printf(Locale.ROOT, "played %,d events in %.0f s (%.0f/s): %.1fx real time (asked %.1fx)%n", played,
        playSeconds, played / playSeconds, hours * 3600 / playSeconds, speed);
    LedgerChecker checker = new LedgerChecker(ds);
    try {
      Duration drain = checker.awaitStored(ledger, Duration.ofSeconds(drainSeconds));
      System.out.printf(Locale.ROOT, "every acknowledged event stored %.1f s after the last was produced%n",
          drain.toMillis() / 1000.0);
    } catch (IllegalStateException e) {
      System.out.println("not all events stored: " + e.getMessage());
    }
    settle(ds, incidents);
    listening.set(false);
    long stored = checker.storedIds(ledger.prefix()).size();
    long lost = played - stored;
    System.out.printf(Locale.ROOT, "ledger: produced %d, acknowledged %d, send failed %d, stored %d, lost %d "
        + "(lost = produced - stored)%n", played, ledger.acked().size(), ledger.failed().size(), stored, lost);

    List<AlertQuality.Truth> truth = new ArrayList<>();
    for (Scenario.TruthIncident t : scenario.truth()) {
      Long sent = firstSent.get(t.id());
      if (sent != null) {
        truth.add(new AlertQuality.Truth(t.id(), t.severity(), t.eventIds(), sent));
      }
    }
    Map<String, Integer> kinds = new LinkedHashMap<>();
    scenario.truth().stream().filter(t -> firstSent.containsKey(t.id()))
        .forEach(t -> kinds.merge(t.kind().name().toLowerCase(Locale.ROOT), 1, Integer::sum));
    System.out.println("injected real incidents " + JSON.writeValueAsString(kinds));

    Timestamp since = Timestamp.from(benchStart);
    List<AlertQuality.Group> alerts = groups(ds, "SELECT id, event_id FROM alert WHERE raised_at >= ?", since);
    Map<String, Integer> byRule = countByRule(ds, since);
    System.out.println("alerts by rule " + JSON.writeValueAsString(byRule));
    AlertQuality.Score alertScore = AlertQuality.score(truth, alerts, alertSeen);
    System.out.println("alert level (each alert scored as if it were an incident) " + JSON.writeValueAsString(
        figures(hours, played, alerts.size(), alertScore, lost, alerts.size())));
    if (!incidents) {
      System.err.println("incidents are not available in this server (no incident / incident_alert table): "
          + "the benchmark cannot measure incidents and prints no figures for them");
      return null;
    }
    List<AlertQuality.Group> inc = groups(ds, """
        SELECT i.id, a.event_id FROM incident i
          LEFT JOIN incident_alert ia ON ia.incident_id = i.id
          LEFT JOIN alert a ON a.id = ia.alert_id
         WHERE i.opened_at >= ?""", since);
    AlertQuality.Score score = AlertQuality.score(truth, inc, incidentSeen);
    Map<String, List<AlertQuality.Truth>> truthByKind = new LinkedHashMap<>();
    for (Scenario.TruthIncident t : scenario.truth()) {
      truth.stream().filter(x -> x.id().equals(t.id())).findFirst().ifPresent(x -> truthByKind
          .computeIfAbsent(t.kind().name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(x));
    }
    Map<String, List<Long>> latencyByKind = new LinkedHashMap<>();
    truthByKind.forEach((kind, ts) -> latencyByKind.put(kind,
        AlertQuality.score(ts, inc, incidentSeen).latenciesMillis()));
    System.out.println("first event -> incident on the live stream by kind, ms " + JSON.writeValueAsString(
        latencyByKind));
    System.out.printf(Locale.ROOT, "definitions: recall = share of injected incidents of the class matched by at "
        + "least one SafeGrid incident containing one of their events; precision = share of SafeGrid incidents "
        + "containing at least one ground-truth event; first_event_to_incident = producing the first event of an "
        + "injected incident -> first live-stream 'incident' message of a matching incident (%d matched but never "
        + "seen on the stream); incidents_per_hour per hour of observed (night) time; live stream reconnects %d%n",
        score.notSeen(), liveReconnects.get());
    return figures(hours, played, alerts.size(), score, lost, inc.size());
  }

  private static Map<String, Object> figures(double hours, long events, int alerts, AlertQuality.Score s, long lost,
                                             int incidents) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("hours", hours);
    out.put("events", events);
    out.put("alerts", alerts);
    out.put("incidents", incidents);
    out.put("incidents_per_hour", round(incidents / hours));
    out.put("recall_critical", round(s.recall("critical")));
    out.put("recall_high", round(s.recall("high")));
    out.put("precision", round(s.precision()));
    out.put("first_event_to_incident_p50_ms", s.latencyPercentile(0.50));
    out.put("first_event_to_incident_p99_ms", s.latencyPercentile(0.99));
    out.put("lost_events", lost);
    return out;
  }

  /** Waits until the counts of alerts (and incidents) hold still for 10 s, two minutes at most. */
  private static void settle(PGSimpleDataSource ds, boolean incidents) throws Exception {
    String sql = incidents
        ? "SELECT (SELECT count(*) FROM alert) + (SELECT count(*) FROM incident) + (SELECT count(*) FROM incident_alert)"
        : "SELECT count(*) FROM alert";
    long last = -1;
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      long n;
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        n = rs.getLong(1);
      }
      if (n != last) {
        last = n;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince > Duration.ofSeconds(10).toNanos()) {
        return;
      }
      sleep(1000);
    }
  }

  private static boolean tableExists(PGSimpleDataSource ds, String table) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getString(1) != null;
      }
    }
  }

  /** Rows of (group id, event id) as groups with their event ids. */
  private static List<AlertQuality.Group> groups(PGSimpleDataSource ds, String sql, Timestamp since)
      throws SQLException {
    Map<Long, Set<String>> events = new LinkedHashMap<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setTimestamp(1, since);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Set<String> s = events.computeIfAbsent(rs.getLong(1), k -> new HashSet<>());
          if (rs.getString(2) != null) {
            s.add(rs.getString(2));
          }
        }
      }
    }
    List<AlertQuality.Group> out = new ArrayList<>();
    events.forEach((id, ids) -> out.add(new AlertQuality.Group(id, ids)));
    return out;
  }

  private static Map<String, Integer> countByRule(PGSimpleDataSource ds, Timestamp since) throws SQLException {
    Map<String, Integer> out = new LinkedHashMap<>();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT rule_id, count(*) FROM alert WHERE raised_at >= ? GROUP BY 1 ORDER BY 2 DESC")) {
      ps.setTimestamp(1, since);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }

  /**
   * Follows the live stream, noting the wall time of every {@code incident} and {@code alert}
   * message by id; reconnects when the server drops the stream.
   */
  private void listen() {
    while (listening.get()) {
      try {
        HttpResponse<InputStream> resp = srv.openLive();
        if (resp.statusCode() != 200) {
          resp.body().close();
          throw new IllegalStateException("live stream refused: HTTP " + resp.statusCode());
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
          String event = null;
          String line;
          while (listening.get() && (line = r.readLine()) != null) {
            if (line.startsWith("event:")) {
              event = line.substring(6).trim();
            } else if (line.startsWith("data:") && ("incident".equals(event) || "alert".equals(event))) {
              long now = System.currentTimeMillis();
              JsonNode m = JSON.readTree(line.substring(5));
              if ("incident".equals(event)) {
                // the contract's message is the incident itself; accept it wrapped as alerts are, too
                seen(incidentSeen, m.has("id") ? m.path("id") : m.path("incident").path("id"), now);
              } else {
                seen(alertSeen, m.path("alert").path("id"), now);
              }
            } else if (line.isEmpty()) {
              event = null;
            }
          }
        }
      } catch (Exception e) {
        if (listening.get()) {
          System.out.println("live stream lost (" + e.getMessage() + "); reconnecting");
        }
      }
      if (listening.get()) {
        liveReconnects.incrementAndGet();
        sleep(500);
      }
    }
  }

  private static void seen(Map<Long, List<Long>> seen, JsonNode id, long now) {
    if (id.canConvertToLong()) {
      seen.computeIfAbsent(id.asLong(), k -> new CopyOnWriteArrayList<>()).add(now);
    }
  }

  private static Double round(Double v) {
    return v == null ? null : Math.round(v * 1000) / 1000.0;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
