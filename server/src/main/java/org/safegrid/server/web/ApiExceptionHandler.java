package org.safegrid.server.web;

import java.util.NoSuchElementException;
import org.safegrid.server.reliability.StatementTimeouts;
import org.safegrid.server.risk.EngineLoadingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns errors into RFC 9457 {@link ProblemDetail} bodies with a reason a user can act on; never a
 * stack trace or database text.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", "parameter '" + e.getName() + "' has an invalid value");
  }

  @ExceptionHandler(NoSuchElementException.class)
  ProblemDetail notFound(NoSuchElementException e) {
    return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage());
  }

  @ExceptionHandler(EngineLoadingException.class)
  ResponseEntity<ProblemDetail> engineLoading(EngineLoadingException e) {
    ProblemDetail p = problem(HttpStatus.SERVICE_UNAVAILABLE, "Risk engine loading", e.getMessage());
    p.setProperty("reason", "engine_loading");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "2").body(p);
  }

  @ExceptionHandler(org.springframework.dao.DataAccessException.class)
  ResponseEntity<ProblemDetail> database(org.springframework.dao.DataAccessException e,
      jakarta.servlet.http.HttpServletResponse response) {
    if (!response.isCommitted()) {
      // a streamed answer (CSV export) may have taken the writer and set its type before the query failed
      response.reset();
    }
    if (StatementTimeouts.isTimeout(e)) {
      // cancelled by the statement timeout of its query class: the caller can narrow the request
      log.warn("query cancelled by its statement timeout: {}", e.getMostSpecificCause().getMessage());
      ProblemDetail p = problem(HttpStatus.SERVICE_UNAVAILABLE, "Query took too long",
          "the database query ran longer than its time limit and was cancelled; narrow the request "
              + "(a smaller area or time window) or try again shortly");
      p.setProperty("reason", "statement_timeout");
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5").body(p);
    }
    log.error("database error", e);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem(HttpStatus.SERVICE_UNAVAILABLE,
        "Database unavailable", "the database could not answer; try again shortly"));
  }

  /** Builds a problem with a title and an actionable detail. */
  public static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setTitle(title);
    return p;
  }
}
