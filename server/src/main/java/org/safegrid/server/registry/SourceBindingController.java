package org.safegrid.server.registry;

import java.security.Principal;
import java.util.List;
import org.safegrid.server.web.ApiExceptionHandler;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The device registry API, ADMIN only (rule table): list, add and remove bindings; changes are audited. */
@RestController
class SourceBindingController {

  private final SourceBindings bindings;

  SourceBindingController(SourceBindings bindings) {
    this.bindings = bindings;
  }

  @GetMapping("/api/source-bindings")
  List<SourceBindings.Binding> list() {
    return bindings.list();
  }

  @PostMapping("/api/source-bindings")
  ResponseEntity<SourceBindings.Binding> add(@RequestBody SourceBindings.NewBinding body, Principal user) {
    return ResponseEntity.status(HttpStatus.CREATED).body(bindings.add(body, user.getName()));
  }

  @DeleteMapping("/api/source-bindings/{id}")
  ResponseEntity<Void> remove(@PathVariable long id) {
    bindings.remove(id);
    return ResponseEntity.noContent().build();
  }

  @ExceptionHandler(IllegalStateException.class)
  ProblemDetail conflict(IllegalStateException e) {
    return ApiExceptionHandler.problem(HttpStatus.CONFLICT, "Binding exists", e.getMessage());
  }
}
