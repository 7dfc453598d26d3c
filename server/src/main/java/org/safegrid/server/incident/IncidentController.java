package org.safegrid.server.incident;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.List;
import java.util.NoSuchElementException;
import org.safegrid.server.alert.AlertService;
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
 * The incident API: list, read (with alerts, events and timeline), acknowledge, assign, resolve,
 * dismiss. A district-scoped user sees and acts on the incidents inside its district only; any other
 * is "not found" (an action on one is audited as {@code scope.denied}).
 */
@RestController
class IncidentController {

  /**
   * Body of an incident action.
   *
   * @param note     optional note (ack, assign)
   * @param reason   the reason (required to resolve and dismiss)
   * @param assignee the officer (required to assign)
   */
  record ActionRequest(String note, String reason, String assignee) {
  }

  private final IncidentService incidents;
  private final ScopeFilter scopes;

  IncidentController(IncidentService incidents, ScopeFilter scopes) {
    this.incidents = incidents;
    this.scopes = scopes;
  }

  @GetMapping("/api/incidents")
  List<Incident> list(@RequestParam(required = false) String status, @RequestParam(required = false) String severity,
                      @RequestParam(required = false) String since, @RequestParam(defaultValue = "500") int limit) {
    return incidents.listIncidents(status, severity, TimeParam.parseOrNull("since", since), limit, scopes.current());
  }

  @GetMapping("/api/incidents/{id}")
  IncidentDetail get(@PathVariable long id) {
    requireVisible(id, false);
    return incidents.getDetail(id);
  }

  @PostMapping("/api/incidents/{id}/ack")
  Incident ack(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
               HttpServletRequest request) {
    requireVisible(id, true);
    return incidents.acknowledge(id, actor(user, request), body == null ? null : body.note());
  }

  @PostMapping("/api/incidents/{id}/assign")
  Incident assign(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
                  HttpServletRequest request) {
    requireVisible(id, true);
    return incidents.assign(id, actor(user, request), body == null ? null : body.assignee(),
        body == null ? null : body.note());
  }

  @PostMapping("/api/incidents/{id}/resolve")
  Incident resolve(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
                   HttpServletRequest request) {
    requireVisible(id, true);
    return incidents.resolve(id, actor(user, request), body == null ? null : body.reason());
  }

  @PostMapping("/api/incidents/{id}/dismiss")
  Incident dismiss(@PathVariable long id, @RequestBody(required = false) ActionRequest body, Principal user,
                   HttpServletRequest request) {
    requireVisible(id, true);
    return incidents.dismiss(id, actor(user, request), body == null ? null : body.reason());
  }

  @ExceptionHandler(IllegalStateException.class)
  ProblemDetail conflict(IllegalStateException e) {
    return ApiExceptionHandler.problem(HttpStatus.CONFLICT, "Incident is not in a state for this action",
        e.getMessage());
  }

  /** Answers "not found" for an incident outside the caller's district (auditing an attempted action). */
  private void requireVisible(long id, boolean action) {
    DataScope scope = scopes.current();
    if (!incidents.isVisible(id, scope)) {
      if (action && !scope.isCity()) {
        scopes.recordDenied(scope, "incident", Long.toString(id));
      }
      throw new NoSuchElementException("no incident " + id);
    }
  }

  private static AlertService.Actor actor(Principal user, HttpServletRequest request) {
    return new AlertService.Actor(user.getName(), request.getRemoteAddr());
  }

}
