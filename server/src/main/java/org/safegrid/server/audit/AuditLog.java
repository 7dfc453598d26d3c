package org.safegrid.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The append-only audit trail ({@code audit_event}). Every feature that changes or discloses
 * something worth auditing calls {@link #record} from inside its own transaction: the methods use
 * {@code MANDATORY} propagation, so an action and its audit row commit together or not at all, and
 * calling them outside a transaction fails loudly instead of writing an orphan row.
 *
 * <p>The user is taken from the current security context and the source IP from the current HTTP
 * request (the servlet's remote address; put the server behind a proxy only with
 * {@code server.forward-headers-strategy} set). Thread-safe.
 */
@Service
public class AuditLog {

  /** What came of the audited action. */
  public enum Outcome {
    SUCCESS, FAILURE, DENIED;

    String dbValue() {
      return name().toLowerCase();
    }
  }

  private final JdbcClient jdbc;
  private final ObjectMapper json;

  public AuditLog(JdbcClient jdbc, ObjectMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Records an action by the current user, in the caller's transaction.
   *
   * @param action     what was done, {@code component.verb} (e.g. {@code upload.activate}, {@code user.roles})
   * @param objectType the kind of object acted on (e.g. {@code grid_set}), or null
   * @param objectId   its id, or null
   * @param outcome    success, failure or denied
   * @param detail     small JSON-serialisable facts (before/after, reason); never secrets; may be empty
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void record(String action, String objectType, String objectId, Outcome outcome, Map<String, ?> detail) {
    recordAs(currentUsername(), action, objectType, objectId, outcome, detail);
  }

  /**
   * Records a disclosure whose answer is computed in memory, without a transaction of its own (a hotspot
   * query): the row is written in the caller's transaction if there is one, else in one opened here, and
   * committed before the answer leaves; a failure to write it fails the request, so nothing is disclosed
   * unaudited.
   */
  @Transactional(propagation = Propagation.REQUIRED)
  public void recordDisclosure(String action, String objectType, String objectId, Outcome outcome,
                               Map<String, ?> detail) {
    recordFrom(currentUsername(), currentSourceIp(), action, objectType, objectId, outcome, detail);
  }

  /** Records an action on behalf of a named user (for logins, where no one is signed in yet). */
  @Transactional(propagation = Propagation.MANDATORY)
  public void recordAs(String username, String action, String objectType, String objectId, Outcome outcome,
                       Map<String, ?> detail) {
    recordFrom(username, currentSourceIp(), action, objectType, objectId, outcome, detail);
  }

  /** Records an action with an explicit source address. */
  @Transactional(propagation = Propagation.MANDATORY)
  public void recordFrom(String username, String sourceIp, String action, String objectType, String objectId,
                         Outcome outcome, Map<String, ?> detail) {
    if (action == null || action.isBlank()) {
      throw new IllegalArgumentException("an audit record needs an action");
    }
    String detailJson;
    try {
      detailJson = json.writeValueAsString(detail == null ? Map.of() : detail);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit detail is not serialisable: " + e.getOriginalMessage(), e);
    }
    jdbc.sql("INSERT INTO audit_event (username, source_ip, action, object_type, object_id, outcome, detail) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)")
        .params(username, sourceIp, action, objectType, objectId, outcome.dbValue(), detailJson)
        .update();
  }

  /** The signed-in user's name, or null when the caller is anonymous or not in a request. */
  public static String currentUsername() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || auth instanceof AnonymousAuthenticationToken || !auth.isAuthenticated()) {
      return null;
    }
    return auth.getName();
  }

  /** The remote address of the current HTTP request, or null outside a request. */
  public static String currentSourceIp() {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
      HttpServletRequest request = attrs.getRequest();
      return request.getRemoteAddr();
    }
    return null;
  }
}
