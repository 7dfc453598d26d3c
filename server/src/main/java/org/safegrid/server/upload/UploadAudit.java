package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Writes upload, activation and export records to the append-only audit trail, in the caller's transaction. */
@Component
class UploadAudit {

  private final JdbcClient jdbc;
  private final ObjectMapper json;

  UploadAudit(JdbcClient jdbc, ObjectMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  void record(Actor actor, String action, String objectType, Object objectId, String outcome, ObjectNode detail) {
    try {
      jdbc.sql("INSERT INTO audit_event (username, source_ip, action, object_type, object_id, outcome, detail) "
              + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)")
          .params(actor.username(), actor.sourceIp(), action, objectType, objectId == null ? null : objectId.toString(),
              outcome, json.writeValueAsString(detail == null ? json.createObjectNode() : detail))
          .update();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  ObjectNode detail() {
    return json.createObjectNode();
  }
}
