package org.safegrid.server.upload;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import org.safegrid.server.audit.AuditLog;
import org.springframework.stereotype.Component;

/**
 * Upload, activation, discard and export records for the audit trail, written through {@link AuditLog}: the
 * caller must be inside the transaction of the action (a call outside one fails instead of writing an orphan).
 */
@Component
class UploadAudit {

  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

  private final AuditLog log;
  private final ObjectMapper json;

  UploadAudit(AuditLog log, ObjectMapper json) {
    this.log = log;
    this.json = json;
  }

  void record(Actor actor, String action, String objectType, Object objectId, String outcome, ObjectNode detail) {
    log.recordFrom(actor.username(), actor.sourceIp(), action, objectType, objectId == null ? null : objectId.toString(),
        AuditLog.Outcome.valueOf(outcome.toUpperCase(Locale.ROOT)),
        detail == null ? null : json.convertValue(detail, MAP));
  }

  ObjectNode detail() {
    return json.createObjectNode();
  }
}
