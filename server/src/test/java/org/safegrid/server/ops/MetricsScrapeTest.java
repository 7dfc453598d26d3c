package org.safegrid.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.ingest.testing.PromQlNames;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Prometheus scrapes the server with the scrape-only token, which reads {@code /actuator/prometheus} and
 * nothing else; and every metric the shipped alert rules and dashboard query for the server is in a real
 * scrape (a renamed meter would otherwise leave an alert that can never fire).
 */
// Spring Boot tests leave metrics export off unless asked: the Prometheus registry exists as in production
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "safegrid.ingest.enabled=false", "safegrid.reference.load=false", "safegrid.security.admin-password=scrape-admin-pw",
    "safegrid.metrics.token=" + MetricsScrapeTest.TOKEN,
    "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapeTest {

  static final String TOKEN = "the-scrape-token-of-this-test-0123456789";
  private static final Path OPS = Path.of("..", "ops");
  /** Series Prometheus makes itself, not the target. */
  private static final Set<String> SYNTHETIC = Set.of("up");

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, MetricsScrapeTest.class);
  }

  @Autowired
  TestRestTemplate rest;
  @Autowired
  UserAccountService accounts;

  @BeforeAll
  void someTraffic() {
    // counters that appear with their first event: a failed login, an answered request
    rest.withBasicAuth("admin", "not-the-password").getForEntity("/api/me", String.class);
    rest.getForEntity("/actuator/health", String.class);
  }

  @Test
  void theScrapeTokenReadsMetricsAndNothingElse() {
    ResponseEntity<String> scrape = get("/actuator/prometheus", "Bearer " + TOKEN);
    assertThat(scrape.getStatusCode().value()).isEqualTo(200);
    assertThat(scrape.getBody()).contains("jvm_memory_used_bytes");
    assertThat(String.valueOf(scrape.getHeaders().get(HttpHeaders.SET_COOKIE))).as("a scrape opens no session")
        .doesNotContain("JSESSIONID");

    assertThat(get("/actuator/prometheus", "Bearer " + TOKEN + "x").getStatusCode().value()).as("wrong token")
        .isEqualTo(401);
    assertThat(get("/actuator/prometheus", null).getStatusCode().value()).as("no credential").isEqualTo(401);
    // the token is no key to anything else, read or write
    assertThat(get("/actuator/metrics", "Bearer " + TOKEN).getStatusCode().value()).isEqualTo(401);
    assertThat(get("/api/alerts", "Bearer " + TOKEN).getStatusCode().value()).isEqualTo(401);
    assertThat(get("/api/users", "Bearer " + TOKEN).getStatusCode().value()).isEqualTo(401);
    HttpHeaders bearer = new HttpHeaders();
    bearer.set(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN);
    assertThat(rest.exchange("/actuator/prometheus", HttpMethod.POST, new HttpEntity<>("", bearer), String.class)
        .getStatusCode().value()).as("POST with the token").isIn(401, 403, 405);
    // an admin still may, with their own credentials
    assertThat(rest.withBasicAuth("admin", "scrape-admin-pw").getForEntity("/actuator/prometheus", String.class)
        .getStatusCode().value()).isEqualTo(200);
  }

  @Test
  void noUserAccountMayHoldTheScrapeRole() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> accounts.createUser("scraper", "scraper-password-1",
        List.of(Role.METRICS))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scrape token");
    HttpHeaders json = new HttpHeaders();
    json.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<String> r = rest.withBasicAuth("admin", "scrape-admin-pw").exchange("/api/users", HttpMethod.POST,
        new HttpEntity<>("{\"username\":\"scraper2\",\"password\":\"Tq8#vLm2!pZr9wXe-7\",\"roles\":[\"METRICS\"]}",
            json), String.class);
    assertThat(r.getStatusCode().value()).as(r.getBody()).isEqualTo(400);
    assertThat(r.getBody()).contains("scrape token");
  }

  @Test
  void everyServerMetricTheShippedRulesAndDashboardQueryIsExported() throws Exception {
    Set<String> exported = PromQlNames.exported(get("/actuator/prometheus", "Bearer " + TOKEN).getBody());
    Map<String, Set<String>> groups = PromQlNames.ruleGroups(OPS.resolve("prometheus/safegrid-rules.yml"));
    assertThat(groups).containsKey("safegrid");
    Set<String> queried = new TreeSet<>(groups.get("safegrid"));
    for (String expr : PromQlNames.dashboardExpressions(OPS.resolve("grafana/safegrid-dashboard.json"))) {
      Set<String> names = PromQlNames.metricNames(expr);
      // the standalone workers' panels are checked against a worker's own scrape (StandaloneWorkerTest)
      if (names.stream().noneMatch(n -> n.startsWith("safegrid_ingest_"))) {
        queried.addAll(names);
      }
    }
    queried.removeAll(SYNTHETIC);
    assertThat(queried).as("metrics queried").hasSizeGreaterThan(10);
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(exported);
    assertThat(missing).as("metrics the rules or dashboard query but the server does not export").isEmpty();
  }

  private ResponseEntity<String> get(String path, String authorization) {
    HttpHeaders h = new HttpHeaders();
    if (authorization != null) {
      h.set(HttpHeaders.AUTHORIZATION, authorization);
    }
    return rest.exchange(path, HttpMethod.GET, new HttpEntity<>(h), String.class);
  }
}
