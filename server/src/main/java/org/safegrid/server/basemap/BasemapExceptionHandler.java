package org.safegrid.server.basemap;

import org.safegrid.gisdata.tilepackage.TilePackageException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Refused packages and requests as {@link ProblemDetail}s with the machine reason in {@code reason}. */
@RestControllerAdvice(basePackageClasses = BasemapExceptionHandler.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class BasemapExceptionHandler {

  @ExceptionHandler(TilePackageException.class)
  ProblemDetail refused(TilePackageException e) {
    HttpStatus status = e.tooLarge() ? HttpStatus.PAYLOAD_TOO_LARGE : HttpStatus.UNPROCESSABLE_ENTITY;
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, e.getMessage() + " Nothing was stored.");
    p.setTitle(e.tooLarge() ? "Tile package too large" : "Tile package refused");
    p.setProperty("reason", e.reason());
    return p;
  }

  @ExceptionHandler(BasemapRefusedException.class)
  ProblemDetail refused(BasemapRefusedException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
    p.setTitle("Base map request refused");
    p.setProperty("reason", e.reason());
    return p;
  }
}
