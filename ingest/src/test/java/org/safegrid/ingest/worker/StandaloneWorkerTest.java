package org.safegrid.ingest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.safegrid.ingest.worker.Fixtures.awaitCount;
import static org.safegrid.ingest.worker.Fixtures.event;
import static org.safegrid.ingest.worker.Fixtures.send;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.safegrid.ingest.IngestWorkerMain;
import org.safegrid.ingest.broker.KafkaClientSecurity;
import org.safegrid.ingest.testing.DbRole;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.testing.PostgisExtension;
import org.safegrid.ingest.testing.PromQlNames;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.testing.TestKafka;

/**
 * The standalone worker process as the compose stack runs it ({@link IngestWorkerMain} in its own JVM,
 * connected as the insert-only ingest role): its Prometheus endpoint carries the ingest meters and
 * consumer lag and asks for the scrape token; on a database a newer release has migrated it refuses to
 * start.
 */
@ExtendWith({PostgisExtension.class, KafkaExtension.class})
class StandaloneWorkerTest {

  private static final int EVENTS = 300;
  private static final String TOKEN = "scrape-token-for-the-test-0123456789";
  private static final Path OPS = Path.of("..", "ops");

  @Test
  void theWorkerProcessExportsItsIngestMetersAndLagBehindTheScrapeToken(TestDatabase db, TestKafka kafka)
      throws Exception {
    IngestWorkerTest.clean(db);
    IngestSettings s = IngestWorkerTest.settings(kafka, 1);
    Topics.ensure(s, 2);
    int port = freePort();
    Path log = Files.createTempFile("standalone-worker", ".log");
    ProcessBuilder pb = worker(db, s, log);
    pb.environment().put("SAFEGRID_INGEST_METRICS_PORT", Integer.toString(port));
    pb.environment().put("SAFEGRID_METRICS_TOKEN", TOKEN);
    Process p = pb.start();
    try {
      try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(kafka.bootstrapServers())) {
        for (int i = 0; i < EVENTS; i++) {
          send(producer, s, event("sw-", i));
        }
        producer.flush();
      }
      awaitCount(db, "SELECT count(*) FROM event", EVENTS, Duration.ofSeconds(90));

      HttpClient http = HttpClient.newHttpClient();
      URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(metrics).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).as("a scrape without the token").isEqualTo(401);
      HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer " + TOKEN + "x").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).as("a scrape with a wrong token").isEqualTo(401);

      // the written counter reaches the stored count once the batch's meters are updated
      String body = "";
      long written = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (written < EVENTS && System.nanoTime() < deadline) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).header("Authorization", "Bearer " + TOKEN)
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        body = r.body();
        written = sum(body, "safegrid_ingest_events_written_total");
        Thread.sleep(200);
      }
      assertThat(written).as("events written, summed over sources, in:%n%s", body).isEqualTo(EVENTS);
      assertThat(sum(body, "safegrid_ingest_events_in_total")).isEqualTo(EVENTS);
      assertThat(body).contains("safegrid_ingest_consumer_lag ", "safegrid_ingest_partitions_assigned ",
          "safegrid_ingest_batch_latency_seconds_count", "jvm_memory_used_bytes", "process_start_time_seconds");
      assertThat(value(body, "safegrid_ingest_consumer_lag")).as("lag once everything is stored").isZero();
      // every metric the shipped worker alert rules and dashboard panels query is in this scrape
      Set<String> queried = new TreeSet<>(PromQlNames.ruleGroups(OPS.resolve("prometheus/safegrid-rules.yml"))
          .getOrDefault("safegrid-ingest", Set.of()));
      PromQlNames.dashboardExpressions(OPS.resolve("grafana/safegrid-dashboard.json")).stream()
          .map(PromQlNames::metricNames).filter(n -> n.stream().anyMatch(x -> x.startsWith("safegrid_ingest_")))
          .forEach(queried::addAll);
      queried.remove("up");
      assertThat(queried).as("worker metrics queried").hasSizeGreaterThan(4);
      Set<String> missing = new TreeSet<>(queried);
      missing.removeAll(PromQlNames.exported(body));
      assertThat(missing).as("metrics the worker rules or panels query but the worker does not export").isEmpty();
      assertThat(value(body, "safegrid_ingest_partitions_assigned")).as("two partitions of each source's topic")
          .isEqualTo(2 * org.safegrid.ingest.event.Source.values().length);
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
  }

  @Test
  void aWorkerOnASchemaOfANewerReleaseRefusesToStartAndSaysWhy(TestDatabase db, TestKafka kafka) throws Exception {
    IngestSettings s = IngestWorkerTest.settings(kafka, 1);
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
          + "installed_by, execution_time, success) SELECT max(installed_rank) + 1, '999.2', 'from the future', 'SQL', "
          + "'V999_2__from_the_future.sql', 1, current_user, 1, true FROM flyway_schema_history");
    }
    try {
      Path log = Files.createTempFile("standalone-worker-newer", ".log");
      Process p = worker(db, s, log).start();
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        p.destroyForcibly();
      }
      String out = Files.readString(log);
      assertThat(exited).as("the worker kept running on a newer schema:%n%s", out).isTrue();
      assertThat(p.exitValue()).as(out).isEqualTo(3);
      assertThat(out).contains("schema is at version 999.2", "newer than this SafeGrid build knows",
          "Refusing to start").doesNotContain("ingest worker ready");
    } finally {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("DELETE FROM flyway_schema_history WHERE version = '999.2'");
      }
    }
  }

  /** {@link IngestWorkerMain} in its own JVM, as the ingest role, on {@code s}'s topics and group. */
  private static ProcessBuilder worker(TestDatabase db, IngestSettings s, Path log) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        IngestWorkerMain.class.getName());
    pb.environment().put("SAFEGRID_DB_URL", db.jdbcUrl());
    pb.environment().put("SAFEGRID_DB_USER", DbRole.INGEST.roleName());
    pb.environment().put("SAFEGRID_DB_PASSWORD", DbRole.INGEST.password());
    pb.environment().put("SAFEGRID_KAFKA_BOOTSTRAP", s.bootstrapServers());
    KafkaClientSecurity.fromEnvironment().exportTo(pb.environment());
    pb.environment().put("SAFEGRID_INGEST_GROUP", s.groupId());
    pb.environment().put("SAFEGRID_INGEST_TOPIC_PREFIX", s.topicPrefix());
    pb.environment().remove("SAFEGRID_DB_MIGRATOR_USER");
    return pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  private static long sum(String body, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} ([0-9.eE+]+)$").matcher(body);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return Math.round(total);
  }

  private static double value(String body, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(body);
    assertThat(m.find()).as("%s in the scrape", name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
