package org.safegrid.server.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.safegrid.server.PostgisTestSupport;
import org.safegrid.server.security.EndpointPolicy;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.SecurityConfig;
import org.safegrid.server.security.UserAccountService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The OpenAPI document against the controllers and the endpoint rule table, on a running server: it is
 * readable by signed-in users only; every handler operation is in it and nothing else is (no
 * undocumented operation); every operation it lists is protected by a rule (no anonymous and no
 * unreachable operation), with the rule's roles and the problem responses; Swagger UI is served from the
 * WebJar under the app's CSP, with no inline script and nothing from another origin.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"safegrid.ingest.enabled=false", "safegrid.reference.load=false",
        "spring.datasource.hikari.maximum-pool-size=4", "spring.datasource.hikari.minimum-idle=1",
        "safegrid.security.admin-password=test-admin-pw-123"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    PostgisTestSupport.register(registry, OpenApiContractTest.class);
  }

  @LocalServerPort
  int port;
  @Autowired
  UserAccountService accounts;
  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void users() {
    accounts.createUser("vera", "vera-password-12", List.of(Role.VIEWER));
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode document() throws Exception {
    HttpResponse<String> r = get("/v3/api-docs", "vera", "vera-password-12");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  /** {@code {id:\d+}} and {@code {id}} are the same path variable. */
  private static String normalise(String pattern) {
    return pattern.replaceAll("\\{([^}:]+):[^}]*}", "{$1}");
  }

  @Test
  void theDocumentIsForSignedInUsersOnly() throws Exception {
    assertThat(get("/v3/api-docs", null, null).statusCode()).isEqualTo(401);
    assertThat(get("/swagger-ui/index.html", null, null).statusCode()).isEqualTo(401);
    assertThat(get("/v3/api-docs", "vera", "wrong-password-1").statusCode()).isEqualTo(401);
    assertThat(document().path("openapi").asText()).startsWith("3.");
  }

  @Test
  void everyControllerOperationIsDocumentedAndNothingElse() throws Exception {
    Set<String> handlers = new TreeSet<>();
    mappings.getHandlerMethods().forEach((info, method) -> {
      String pkg = method.getBeanType().getPackageName();
      if (!pkg.startsWith("org.safegrid")) {
        return; // springdoc's own endpoints and Spring's error controller
      }
      Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
      assertThat(methods).as("%s declares its HTTP method", method).isNotEmpty();
      for (String p : info.getPatternValues()) {
        for (RequestMethod m : methods) {
          handlers.add(m.name() + " " + normalise(p));
        }
      }
    });
    Set<String> documented = new TreeSet<>();
    JsonNode paths = document().path("paths");
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      e.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + normalise(e.getKey())));
    }
    assertThat(handlers).as("handler operations").hasSizeGreaterThan(50);
    assertThat(documented).as("the document's operations against the controllers'")
        .containsExactlyInAnyOrderElementsOf(handlers);
  }

  @Test
  void everyDocumentedOperationIsProtectedByItsRuleAndNamesItsRolesAndProblems() throws Exception {
    EndpointPolicy policy = SecurityConfig.endpointPolicy();
    JsonNode doc = document();
    assertThat(doc.path("components").path("schemas").has(ApiDocsConfiguration.PROBLEM_SCHEMA)).isTrue();
    List<String> unprotected = new ArrayList<>();
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = e.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> o = ops.next();
        String method = o.getKey().toUpperCase();
        JsonNode op = o.getValue();
        String where = method + " " + e.getKey();
        var rule = policy.findRule(method, ApiDocsConfiguration.concretePath(e.getKey()));
        if (rule.isEmpty() || rule.get().access() == EndpointPolicy.Access.PERMIT_ALL
            || rule.get().access() == EndpointPolicy.Access.DENY_ALL) {
          unprotected.add(where + " -> " + rule.map(EndpointPolicy.Rule::who).orElse("no rule"));
          continue;
        }
        if (rule.get().access() == EndpointPolicy.Access.ROLES) {
          List<String> roles = new ArrayList<>();
          op.path("x-required-roles").forEach(r -> roles.add(r.asText()));
          assertThat(roles).as(where).containsExactlyInAnyOrderElementsOf(
              rule.get().roles().stream().map(Role::name).toList());
          assertThat(op.path("description").asText()).as(where).contains("roles " + String.join(", ",
              rule.get().roles().stream().map(Role::name).sorted().toList()));
        } else {
          assertThat(op.path("x-access").asText()).as(where).isEqualTo("authenticated");
        }
        for (String status : List.of("401", "403")) {
          assertThat(op.path("responses").path(status).path("content").path("application/problem+json")
              .path("schema").path("$ref").asText()).as("%s answers %s as a problem", where, status)
              .isEqualTo("#/components/schemas/" + ApiDocsConfiguration.PROBLEM_SCHEMA);
        }
        checked++;
      }
    }
    assertThat(unprotected).as("operations no role protects (anonymous) or no rule reaches").isEmpty();
    assertThat(checked).isGreaterThan(50);
  }

  @Test
  void swaggerUiComesFromTheWebJarUnderTheAppsContentSecurityPolicy() throws Exception {
    HttpResponse<String> redirect = get("/swagger-ui.html", "vera", "vera-password-12");
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.headers().firstValue("Location").orElse("")).contains("/swagger-ui/index.html");
    HttpResponse<String> page = get("/swagger-ui/index.html", "vera", "vera-password-12");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("script-src 'self'").doesNotContain("unsafe-inline");
    String html = page.body();
    // every script is a file of this origin: the CSP forbids inline script, so an inline one would not run
    Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
    int n = 0;
    while (scripts.find()) {
      n++;
      assertThat(scripts.group(1)).as("script tag").contains("src=");
      assertThat(scripts.group(2).strip()).as("inline script body").isEmpty();
    }
    assertThat(n).isPositive();
    Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
    while (refs.find()) {
      assertThat(refs.group(1)).as("asset reference").doesNotContain("//");
      assertThat(get("/swagger-ui/" + refs.group(1).replaceFirst("^\\./", ""), "vera", "vera-password-12")
          .statusCode()).as("asset %s", refs.group(1)).isEqualTo(200);
    }
    HttpResponse<String> init = get("/swagger-ui/swagger-initializer.js", "vera", "vera-password-12");
    assertThat(init.statusCode()).isEqualTo(200);
    assertThat(init.body()).contains("/v3/api-docs").doesNotContain("petstore");
  }
}
