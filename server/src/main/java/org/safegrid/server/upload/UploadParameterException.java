package org.safegrid.server.upload;

import java.util.List;

/**
 * An upload refused before its file was read because a form field is missing or unusable (400): the
 * machine reason, and the values the field accepts. Nothing was stored; the refusal is audited.
 */
class UploadParameterException extends RuntimeException {

  private final String reason;
  private final List<String> accepted;

  UploadParameterException(String reason, String message, List<String> accepted) {
    super(message);
    this.reason = reason;
    this.accepted = List.copyOf(accepted);
  }

  String reason() {
    return reason;
  }

  List<String> accepted() {
    return accepted;
  }
}
