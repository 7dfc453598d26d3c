package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An upload whose validation report has blocking problems: nothing was stored; the report says why. */
class UploadRefusedException extends RuntimeException {

  private final transient ObjectNode report;

  UploadRefusedException(String message, ObjectNode report) {
    super(message);
    this.report = report;
  }

  ObjectNode report() {
    return report;
  }
}
