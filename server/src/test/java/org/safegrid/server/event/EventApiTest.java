package org.safegrid.server.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Refusal;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.testing.TestDatabase;
import org.safegrid.ingest.worker.EventWriter;
import org.safegrid.ingest.worker.RefusedMessage;
import org.safegrid.server.PostgisTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/**
 * The event read-back and stats endpoints over events written by the real ingest write path.
 * Security filters are off here: the access rules belong to the security configuration and its
 * own test; this test is about what the endpoints answer.
 */
@SpringBootTest(properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
    "safegrid.feed.enabled=false", "safegrid.security.admin-password=test-admin-pw"})
@AutoConfigureMockMvc(addFilters = false)
class EventApiTest {

  static TestDatabase db;
  static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(2));
  static final int N = 25;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    db = PostgisTestSupport.register(registry, EventApiTest.class);
  }

  @Autowired
  MockMvc mvc;
  @Autowired
  javax.sql.DataSource dataSource;
  final ObjectMapper json = new ObjectMapper();

  static boolean written;

  @BeforeEach
  void writeEventsOnce() throws Exception {
    if (written) {
      return;
    }
    written = true;
    EventDecoder decoder = new EventDecoder(EventRules.DEFAULT);
    List<EventDecoder.Accepted> batch = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      // cameras at the west of the box, patrols at the east; one event per minute
      Event e = i % 2 == 0
          ? new Event("cam-" + i, Source.CAMERA, "CAM-1", "intrusion", 3, T0.plusSeconds(60L * i), 114.40, 23.10,
              Datum.WGS84, new CameraAttrs("CAM-1", "person", 0.8, null).toMap())
          : new Event("pat-" + i, Source.PATROL, "U-1", "position", 0, T0.plusSeconds(60L * i), 114.50, 23.10,
              Datum.WGS84, new PatrolAttrs("U-1", 30.0, 90.0, "patrolling", null).toMap());
      batch.add((EventDecoder.Accepted) decoder.decode(e.source(), EventCodec.encode(e)));
    }
    try (Connection c = db.connect()) {
      new EventWriter().write(c, batch, List.of(new RefusedMessage("t", 0, 0, Refusal.MALFORMED_JSON),
          new RefusedMessage("t", 0, 1, Refusal.MALFORMED_JSON), new RefusedMessage("t", 0, 2, Refusal.OUTSIDE_SERVICE_AREA)));
    }
  }

  JsonNode getJson(String uri, int status) throws Exception {
    MvcResult r = mvc.perform(get(uri)).andReturn();
    assertThat(r.getResponse().getStatus()).as("%s: %s", uri, r.getResponse().getContentAsString()).isEqualTo(status);
    return json.readTree(r.getResponse().getContentAsString());
  }

  /**
   * The pool plans every query for its parameters: after five executions a server-side prepared
   * statement would otherwise switch to a generic plan, which for a bbox holding most events scans
   * them all instead of walking the time index.
   */
  @Test
  void pooledConnectionsPlanForTheActualParameters() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (Connection c = dataSource.getConnection(); var st = c.createStatement();
           var rs = st.executeQuery("SHOW plan_cache_mode")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("force_custom_plan");
      }
    }
  }

  @Test
  void oneEventIsAGeoJsonFeatureAndAnUnknownIdIs404() throws Exception {
    JsonNode f = getJson("/api/events/cam-4", 200);
    assertThat(f.get("type").asText()).isEqualTo("Feature");
    assertThat(f.get("id").asText()).isEqualTo("cam-4");
    assertThat(f.at("/geometry/type").asText()).isEqualTo("Point");
    assertThat(f.at("/geometry/coordinates/0").asDouble()).isEqualTo(114.40);
    assertThat(f.at("/geometry/coordinates/1").asDouble()).isEqualTo(23.10);
    assertThat(f.at("/properties/source").asText()).isEqualTo("camera");
    assertThat(f.at("/properties/observedAt").asText()).isEqualTo(T0.plusSeconds(240).toString());
    assertThat(f.at("/properties/attrs/class").asText()).isEqualTo("person");
    assertThat(f.at("/properties/sameIdEvents").asLong()).isEqualTo(1);
    assertThat(getJson("/api/events/cam-4?source=camera&sourceId=" + f.at("/properties/sourceId").asText(), 200)
        .get("id").asText()).isEqualTo("cam-4");
    assertThat(getJson("/api/events/cam-4?source=checkpoint", 404).get("detail").asText())
        .contains("from checkpoint");
    JsonNode missing = getJson("/api/events/nope", 404);
    assertThat(missing.get("status").asInt()).isEqualTo(404);
  }

  @Test
  void pagesWalkAllMatchingEventsNewestFirstWithoutGapsOrRepeats() throws Exception {
    Set<String> seen = new HashSet<>();
    String uri = "/api/events?limit=4";
    String previous = null;
    int pages = 0;
    while (uri != null) {
      JsonNode page = getJson(uri, 200);
      assertThat(page.get("type").asText()).isEqualTo("FeatureCollection");
      for (JsonNode f : page.get("features")) {
        String at = f.at("/properties/observedAt").asText();
        if (previous != null) {
          assertThat(at).isLessThan(previous);
        }
        previous = at;
        assertThat(seen.add(f.get("id").asText())).isTrue();
      }
      uri = page.has("next") ? page.get("next").asText().replaceFirst("^http://localhost", "") : null;
      pages++;
    }
    assertThat(seen).hasSize(N);
    assertThat(pages).isEqualTo(7);
  }

  @Test
  void filtersBySourceKindBboxAndTime() throws Exception {
    JsonNode cams = getJson("/api/events?source=camera&limit=1000", 200);
    assertThat(cams.get("features")).hasSize(13);
    JsonNode east = getJson("/api/events?bbox=114.45,23.0,114.6,23.2", 200);
    assertThat(east.get("features")).hasSize(12);
    east.get("features").forEach(f -> assertThat(f.at("/properties/kind").asText()).isEqualTo("position"));
    JsonNode window = getJson("/api/events?from=" + T0.plusSeconds(60) + "&to=" + T0.plusSeconds(240), 200);
    assertThat(window.get("features")).hasSize(3);
    assertThat(getJson("/api/events?kind=fire", 200).get("features")).isEmpty();
  }

  @Test
  void badParametersAre400ProblemDetails() throws Exception {
    for (String bad : List.of("bbox=1,2,3", "bbox=a,b,c,d", "limit=0", "limit=5000", "source=drone",
        "from=yesterday", "from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z", "cursor=%25%25", "kind=DROP%20TABLE")) {
      JsonNode p = getJson("/api/events?" + bad, 400);
      assertThat(p.get("status").asInt()).as(bad).isEqualTo(400);
      assertThat(p.get("detail").asText()).as(bad).isNotBlank();
    }
    assertThat(getJson("/api/stats?since=noon", 400).get("status").asInt()).isEqualTo(400);
  }

  @Test
  void statsCountPerSourceAndRefusalsFromTheCounterTables() throws Exception {
    JsonNode s = getJson("/api/stats", 200);
    assertThat(s.at("/sources/camera/total").asLong()).isEqualTo(13);
    assertThat(s.at("/sources/patrol/total").asLong()).isEqualTo(12);
    assertThat(s.at("/sources/checkpoint/total").asLong()).isZero();
    assertThat(s.get("total").asLong()).isEqualTo(N);
    assertThat(s.at("/refusals/malformed_json").asLong()).isEqualTo(2);
    assertThat(s.at("/refusals/outside_service_area").asLong()).isEqualTo(1);
    assertThat(s.get("newestEventAt").asText()).isEqualTo(T0.plusSeconds(60L * (N - 1)).toString());
    assertThat(s.get("ingestLagSeconds").asDouble()).isGreaterThan(0);
    JsonNode since = getJson("/api/stats?since=" + T0.plusSeconds(60L * 20), 200);
    assertThat(since.at("/sources/camera/since").asLong()).isEqualTo(3);
    assertThat(since.at("/sources/patrol/since").asLong()).isEqualTo(2);
    assertThat(since.at("/sources/camera/total").asLong()).isEqualTo(13);
  }
}
