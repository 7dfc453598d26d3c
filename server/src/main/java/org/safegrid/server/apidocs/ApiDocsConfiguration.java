package org.safegrid.server.apidocs;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.safegrid.server.security.EndpointPolicy;
import org.safegrid.server.security.Role;
import org.safegrid.server.security.SecurityConfig;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI 3 document ({@code GET /v3/api-docs}, Swagger UI at {@code /swagger-ui.html}), generated
 * by springdoc from the controllers and completed here from the access-rule table
 * ({@link SecurityConfig#endpointPolicy()}): each operation says who may call it (in its description
 * and as {@code x-required-roles}, or {@code x-access: authenticated}) and names its problem responses
 * (RFC 9457 {@code application/problem+json}: 400 bad input, 401 not signed in, 403 not allowed, 404
 * unknown or outside the caller's district, 503 not ready). The table, not annotations, is the source,
 * so the document cannot claim other rights than those enforced.
 */
@Configuration
class ApiDocsConfiguration {

  static final String PROBLEM_SCHEMA = "Problem";

  @Bean
  OpenAPI safeGridOpenApi() {
    return new OpenAPI()
        .info(new Info().title("SafeGrid API").version("1")
            .description("Geospatial risk monitoring: events, risk, hotspots, alerts, incidents, patrol, uploads. "
                + "Sign in with HTTP Basic (API clients) or the login form's session (the browser; state-changing "
                + "requests then carry the CSRF token from cookie XSRF-TOKEN in header X-XSRF-TOKEN). Every "
                + "operation lists the roles that may call it; anything not listed is refused.")
            .license(new License().name("see the project's LICENSE")))
        .components(new Components()
            .addSecuritySchemes("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic"))
            .addSecuritySchemes("session", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.COOKIE).name("JSESSIONID")))
        .addSecurityItem(new SecurityRequirement().addList("basic"))
        .addSecurityItem(new SecurityRequirement().addList("session"));
  }

  @SuppressWarnings("rawtypes")
  private static Schema problemSchema() {
    return new ObjectSchema().description("RFC 9457 problem detail; `detail` says what to change")
        .addProperty("type", new StringSchema()).addProperty("title", new StringSchema())
        .addProperty("status", new IntegerSchema()).addProperty("detail", new StringSchema())
        .addProperty("instance", new StringSchema());
  }

  /** Adds each operation's access rule and problem responses from the endpoint rule table. */
  @Bean
  OpenApiCustomizer accessRulesAndProblems() {
    EndpointPolicy policy = SecurityConfig.endpointPolicy();
    return openApi -> {
      // here, not on the base document: springdoc rebuilds the schemas from the controllers
      if (openApi.getComponents() == null) {
        openApi.setComponents(new Components());
      }
      openApi.getComponents().addSchemas(PROBLEM_SCHEMA, problemSchema());
      if (openApi.getPaths() == null) {
        return;
      }
      openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
          document(policy, path, method, op)));
    };
  }

  static void document(EndpointPolicy policy, String pathTemplate, PathItem.HttpMethod method, Operation op) {
    String concrete = concretePath(pathTemplate);
    Optional<EndpointPolicy.Rule> rule = policy.findRule(method.name(), concrete);
    String who;
    if (rule.isEmpty() || rule.get().access() == EndpointPolicy.Access.DENY_ALL) {
      who = "no one (no rule allows it)";
      op.addExtension("x-access", "denied");
    } else if (rule.get().access() == EndpointPolicy.Access.ROLES) {
      List<String> roles = rule.get().roles().stream().map(Role::name).sorted().toList();
      who = "roles " + String.join(", ", roles);
      op.addExtension("x-required-roles", roles);
    } else if (rule.get().access() == EndpointPolicy.Access.AUTHENTICATED) {
      who = "any signed-in user";
      op.addExtension("x-access", "authenticated");
    } else {
      who = "anyone";
      op.addExtension("x-access", "anonymous");
    }
    String description = op.getDescription() == null ? "" : op.getDescription() + "\n\n";
    op.setDescription(description + "**Who may call it:** " + who + ".");
    ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
    boolean hasInput = (op.getParameters() != null && !op.getParameters().isEmpty()) || op.getRequestBody() != null;
    if (hasInput) {
      responses.putIfAbsent("400", problem("Bad input: a parameter or the body is malformed or out of range; "
          + "the problem's detail names it"));
    }
    responses.putIfAbsent("401", problem("Not signed in, or the session ended (rights changed, idle lock)"));
    responses.putIfAbsent("403", problem("Signed in without a role that may call this, a cross-origin request, "
        + "a missing CSRF token, or a district outside the caller's scope"));
    if (pathTemplate.contains("{")) {
      responses.putIfAbsent("404", problem("No such object, or one outside the caller's district"));
    }
    responses.putIfAbsent("503", problem("Not ready (the engine is loading) or too busy; retry later"));
    op.setResponses(responses);
  }

  /** The template with each {@code {variable}} replaced by a value, for matching against the rule table. */
  static String concretePath(String template) {
    return template.replaceAll("\\{[^}]+}", "x");
  }

  private static ApiResponse problem(String description) {
    return new ApiResponse().description(description).content(new Content().addMediaType("application/problem+json",
        new MediaType().schema(new Schema<Map<String, Object>>().$ref("#/components/schemas/" + PROBLEM_SCHEMA))));
  }
}
