package org.safegrid.server.upload;

/**
 * An upload or activation the user may not make (403): outside the user's district, or the approval of
 * one's own activation request. {@code reason} is the machine reason of the answer.
 */
class UploadForbiddenException extends RuntimeException {

  private final String reason;

  UploadForbiddenException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
