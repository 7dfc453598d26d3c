package org.safegrid.server.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.KafkaExtension;
import org.safegrid.ingest.worker.IngestWorkers;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The server runs ingest workers in-process: events produced to Kafka end up in PostGIS and in the stats. */
@SpringBootTest(properties = {"safegrid.reference.load=false", "safegrid.feed.enabled=false",
    "safegrid.security.admin-password=test-admin-pw", "safegrid.ingest.workers=1"})
class InProcessIngestTest {

  static final String PREFIX = "inproc" + ProcessHandle.current().pid() + ".";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, InProcessIngestTest.class);
    registry.add("safegrid.ingest.bootstrap-servers", KafkaExtension::bootstrapServers);
    registry.add("safegrid.ingest.topic-prefix", () -> PREFIX);
    registry.add("safegrid.ingest.group-id", () -> "inproc-" + ProcessHandle.current().pid());
  }

  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  IngestStatsService stats;

  @Test
  void producedEventsAreStoredAndCounted() throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));
    int n = 50;
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
        IngestWorkers.producerProperties(KafkaExtension.bootstrapServers()))) {
      for (int i = 0; i < n; i++) {
        Event e = new Event("inproc-" + i, Source.CAMERA, "CAM-9", "loitering", 2, t0.plusSeconds(i), 114.41, 23.11,
            Datum.WGS84, new CameraAttrs("CAM-9", "person", 0.7, null).toMap());
        p.send(new ProducerRecord<>(PREFIX + "camera", "CAM-9".getBytes(StandardCharsets.UTF_8),
            EventCodec.encode(e)));
      }
      p.send(new ProducerRecord<>(PREFIX + "camera", "CAM-9".getBytes(StandardCharsets.UTF_8),
          "{broken".getBytes(StandardCharsets.UTF_8))).get();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    long stored = 0;
    while (System.nanoTime() < deadline && stored < n) {
      stored = jdbc.queryForObject("SELECT count(*) FROM event", Long.class);
      Thread.sleep(200);
    }
    assertThat(stored).isEqualTo(n);
    while (System.nanoTime() < deadline && stats.stats(null).refusalsTotal() < 1) {
      Thread.sleep(200);
    }
    IngestStatsService.Stats s = stats.stats(null);
    assertThat(s.sources().get("camera").get("total")).isEqualTo(n);
    assertThat(s.refusals()).containsEntry("malformed_json", 1L);
    assertThat(s.consumerLag()).isNotNull();
  }
}
