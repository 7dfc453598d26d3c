package org.safegrid.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A server whose GDAL ogr2ogr is missing (the configured path points nowhere): readiness says so,
 * a Shapefile upload is answered 503 with the reason and stores nothing, other formats still work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=test-admin-pw",
    "safegrid.upload.ogr2ogr=/nonexistent/gdal/bin/ogr2ogr"})
class UploadReaderUnavailableTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, UploadReaderUnavailableTest.class);
  }

  @Autowired
  TestRestTemplate rest;
  @Autowired
  JdbcTemplate jdbc;
  @Autowired
  UserAccountService accounts;

  @TempDir
  Path tmp;

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void aShapefileWithoutOgr2OgrIs503WithTheReasonAndReadinessSaysDegraded() throws Exception {
    accounts.createUser("gis", "gis-pw-long-enough", List.of(Role.GIS_ADMIN));
    // the fixture itself is written by the test machine's GDAL, which the server under test is told it lacks
    byte[] zip = UploadFixtures.districtsShapefileGk4547Gbk(tmp);

    ResponseEntity<String> r = rest.withBasicAuth("gis", "gis-pw-long-enough").postForEntity("/api/uploads",
        UploadForms.form("districts_4547.zip", zip, "districts"), String.class);
    assertThat(r.getStatusCode().value()).as("%s", r.getBody()).isEqualTo(503);
    JsonNode body = json.readTree(r.getBody());
    assertThat(body.path("reason").asText()).isEqualTo("reader_unavailable");
    assertThat(body.path("tool").asText()).isEqualTo("ogr2ogr");
    assertThat(body.path("detail").asText()).contains("ogr2ogr").contains("gdal-bin")
        .contains("safegrid.upload.ogr2ogr").doesNotContain("/nonexistent");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM overlay_draft", Integer.class)).isZero();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE action = 'upload' AND outcome = 'failure' "
        + "AND detail->>'reason' = 'reader_unavailable'", Integer.class)).isEqualTo(1);

    for (String probe : List.of("/actuator/health", "/actuator/health/readiness")) {
      ResponseEntity<String> h = rest.withBasicAuth("admin", "test-admin-pw").getForEntity(probe, String.class);
      assertThat(h.getStatusCode().value()).as("%s: %s", probe, h.getBody()).isEqualTo(200);
      JsonNode health = json.readTree(h.getBody());
      assertThat(health.path("status").asText()).as(probe).isEqualTo("DEGRADED");
      JsonNode readers = health.path("components").path("uploadReaders");
      assertThat(readers.path("status").asText()).as(probe).isEqualTo("DEGRADED");
      assertThat(readers.path("details").path("shapefile").asText()).isEqualTo("unavailable");
      assertThat(readers.path("details").path("reason").asText()).contains("ogr2ogr");
    }

    ResponseEntity<String> geojson = rest.withBasicAuth("gis", "gis-pw-long-enough").postForEntity("/api/uploads",
        UploadForms.form("districts.geojson", UploadFixtures.districtsWgs84(), "districts"), String.class);
    assertThat(geojson.getStatusCode().value()).as("%s", geojson.getBody()).isEqualTo(201);
  }
}
