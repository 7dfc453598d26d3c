package org.safegrid.server.alert;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.web.ApiExceptionHandler;
import org.safegrid.server.web.TimeParam;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The alert API: list, read, acknowledge, resolve, dismiss; the rules; the officer roster. A
 * district-scoped user sees and acts on the alerts inside its district only; any other alert is
 * "not found" (an action on one is audited as {@code scope.denied}).
 */
@RestController
class AlertController {

  /**
   * Body of an alert action.
   *
   * @param note   optional note (ack, resolve)
   * @param reason the reason (required to dismiss)
   */
  record ActionRequest(String note, String reason) {
  }

  private final AlertService alerts;
  private final AlertEngine engine;
  private final ScopeFilter scopes;

  AlertController(AlertService alerts, AlertEngine engine, ScopeFilter scopes) {
    this.alerts = alerts;
    this.engine = engine;
    this.scopes = scopes;
  }

  @GetMapping("/api/alerts/rules")
  List<AlertRule> rules() {
    return engine.listRules();
  }

  @GetMapping(value = "/api/alerts", produces = {"application/json", "application/geo+json"})
  Object list(@RequestParam(required = false) String status, @RequestParam(required = false) String severity,
              @RequestParam(required = false) String since, @RequestParam(defaultValue = "json") String format,
              @RequestParam(defaultValue = "500") int limit) {
    List<Alert> list = alerts.listAlerts(status, severity, TimeParam.parseOrNull("since", since), limit, scopes.current());
    return switch (format) {
      case "json" -> list;
      case "geojson" -> alerts.toGeoJson(list);
      default -> throw new IllegalArgumentException("format must be json or geojson");
    };
  }

  @GetMapping("/api/alerts/{id}")
  Alert get(@PathVariable long id) {
    requireVisible(id, false);
    return alerts.getAlert(id);
  }

  @PostMapping("/api/alerts/{id}/ack")
  Alert ack(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
            HttpServletRequest request) {
    requireVisible(id, true);
    return alerts.acknowledge(id, actor(user, request), body == null ? null : body.note());
  }

  @PostMapping("/api/alerts/{id}/resolve")
  Alert resolve(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
                HttpServletRequest request) {
    requireVisible(id, true);
    return alerts.resolve(id, actor(user, request), body == null ? null : body.note());
  }

  @PostMapping("/api/alerts/{id}/dismiss")
  Alert dismiss(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
                HttpServletRequest request) {
    requireVisible(id, true);
    return alerts.dismiss(id, actor(user, request), body == null ? null : body.reason());
  }

  @GetMapping("/api/alerts/roster")
  List<Map<String, Object>> roster() {
    return alerts.listRoster(scopes.current());
  }

  @PostMapping(value = "/api/alerts/roster", consumes = {"text/csv", "text/plain"})
  Map<String, Object> uploadRoster(@RequestBody String csv, Principal user, HttpServletRequest request) {
    return Map.of("rows", alerts.replaceRoster(csv, actor(user, request)));
  }

  @ExceptionHandler(IllegalStateException.class)
  ProblemDetail conflict(IllegalStateException e) {
    return ApiExceptionHandler.problem(HttpStatus.CONFLICT, "Alert is not in a state for this action", e.getMessage());
  }

  /** Answers "not found" for an alert outside the caller's district (auditing an attempted action). */
  private void requireVisible(long id, boolean action) {
    DataScope scope = scopes.current();
    if (!alerts.isVisible(id, scope)) {
      if (action && !scope.isCity()) {
        scopes.recordDenied(scope, "alert", Long.toString(id));
      }
      throw new NoSuchElementException("no alert " + id);
    }
  }

  private static AlertService.Actor actor(Principal user, HttpServletRequest request) {
    return new AlertService.Actor(user.getName(), request.getRemoteAddr());
  }

}
