package org.safegrid.server.upload;

import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.ReaderUnavailableException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Refused uploads as {@link ProblemDetail}: 400 for a missing form field, 413 for size limits, 422 for
 * content, 403 outside the user's district or for one's own approval, 503 when the server lacks a reader's tool, with the machine reason in {@code reason} and, when validation ran, the whole report in
 * {@code report}.
 */
@RestControllerAdvice(basePackageClasses = UploadExceptionHandler.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class UploadExceptionHandler {

  @ExceptionHandler(BoundaryReadException.class)
  ProblemDetail refused(BoundaryReadException e) {
    HttpStatus status = e.tooLarge() ? HttpStatus.PAYLOAD_TOO_LARGE : HttpStatus.UNPROCESSABLE_ENTITY;
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, e.getMessage());
    p.setTitle(e.tooLarge() ? "File too large or too complex" : "File refused");
    p.setProperty("reason", e.reason());
    if (!e.suggestedEpsg().isEmpty()) {
      p.setProperty("suggestedEpsg", e.suggestedEpsg());
    }
    return p;
  }

  /** The file's format needs a tool this server lacks (GDAL's ogr2ogr): the installation's fault, not the file's. */
  @ExceptionHandler(ReaderUnavailableException.class)
  ProblemDetail readerUnavailable(ReaderUnavailableException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    p.setTitle("This server cannot read the file's format");
    p.setProperty("reason", e.reason());
    p.setProperty("tool", e.tool());
    return p;
  }

  @ExceptionHandler(UploadParameterException.class)
  ProblemDetail badParameter(UploadParameterException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Upload field missing");
    p.setProperty("reason", e.reason());
    p.setProperty("accepted", e.accepted());
    return p;
  }

  @ExceptionHandler(UploadRefusedException.class)
  ProblemDetail blocked(UploadRefusedException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage());
    p.setTitle("File has blocking problems");
    p.setProperty("reason", "blocking_problems");
    p.setProperty("report", e.report());
    return p;
  }

  @ExceptionHandler(UploadForbiddenException.class)
  ProblemDetail forbidden(UploadForbiddenException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    p.setTitle("Not allowed for your account");
    p.setProperty("reason", e.reason());
    return p;
  }

  @ExceptionHandler(IllegalStateException.class)
  ProblemDetail conflict(IllegalStateException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setTitle("Not possible in this state");
    return p;
  }

  @ExceptionHandler(java.io.UncheckedIOException.class)
  ProblemDetail io(java.io.UncheckedIOException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
        "The file could not be processed: " + (e.getCause() == null ? "I/O error" : e.getCause().getMessage()));
    p.setTitle("Upload failed");
    return p;
  }
}
