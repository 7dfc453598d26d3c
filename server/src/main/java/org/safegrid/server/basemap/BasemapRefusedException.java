package org.safegrid.server.basemap;

import org.springframework.http.HttpStatus;

/** A base-map request refused with a status and a machine reason; nothing was stored. */
class BasemapRefusedException extends RuntimeException {

  private final HttpStatus status;
  private final String reason;

  BasemapRefusedException(HttpStatus status, String reason, String message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }

  HttpStatus status() {
    return status;
  }

  String reason() {
    return reason;
  }
}
