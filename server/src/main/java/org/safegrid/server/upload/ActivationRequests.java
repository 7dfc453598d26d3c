package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.safegrid.gisdata.validate.LayerKind;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Activation with four eyes: the entry point of every activation asked for over the API. It keeps a
 * district-scoped officer inside the district ({@link UploadScope}); then a districts layer or a grid set
 * that changes any district's area by more than {@code safegrid.upload.approval.district-area-tolerance}
 * against the live one is not activated but becomes a pending {@code activation_request} holding the diff,
 * which a second GIS administrator approves (then it is activated) or either rejects. The requester cannot
 * approve (403 {@code own_request}, also a database CHECK). A request made against a live set or layer that
 * has changed since is superseded, not approved (409). The first districts layer and the first grid set
 * (nothing live) need no approval: there is no scope yet to widen. Every step is audited.
 */
@Service
public class ActivationRequests {

  /** What an activation asked for over the API came to: activated now, or waiting for approval. */
  public sealed interface Outcome permits Activated, Pending {}

  public record Activated(GridSetLifecycle.Activation activation) implements Outcome {}

  public record Pending(Request request) implements Outcome {}

  /** A four-eyes request: what, why, the diff shown to the approver, who asked and who decided. */
  public record Request(long id, String targetKind, long targetId, String status, String reason, JsonNode diff,
                        String requestedBy, OffsetDateTime requestedAt, String decidedBy, OffsetDateTime decidedAt) {}

  private final GridSetLifecycle lifecycle;
  private final GridSetDiff diffs;
  private final UploadScope scope;
  private final UploadProperties properties;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final UploadAudit audit;
  private final ObjectMapper json;

  ActivationRequests(GridSetLifecycle lifecycle, GridSetDiff diffs, UploadScope scope, UploadProperties properties,
      JdbcClient jdbc, TransactionTemplate tx, UploadAudit audit, ObjectMapper json) {
    this.lifecycle = lifecycle;
    this.diffs = diffs;
    this.scope = scope;
    this.properties = properties;
    this.jdbc = jdbc;
    this.tx = tx;
    this.audit = audit;
    this.json = json;
  }

  /** Activates grid set {@code id}, or files a request for a second administrator's approval. */
  public Outcome activateGridSet(long id, Actor actor) {
    refusingAudited(actor, "grid_set", id, () -> scope.checkGridSetActivation(actor, id));
    Long live = liveGridSet();
    if (properties.approval().enabled() && live != null && live != id) {
      ObjectNode diff = json.valueToTree(diffs.diff(id, live));
      List<String> moved = movedDistricts(diff.path("districts"));
      if (!moved.isEmpty()) {
        diff.put("liveId", live);
        return new Pending(request("grid-set", id, reasonText(moved), diff, actor));
      }
    }
    return new Activated(lifecycle.activateGridSet(id, actor));
  }

  /** Activates overlay draft {@code id}, or (a districts layer) files a request for approval. */
  public Outcome activateOverlay(long id, Actor actor) {
    var draft = jdbc.sql("SELECT layer, version FROM overlay_draft WHERE id = ?").param(id)
        .query((rs, n) -> new Object[] {rs.getString(1), rs.getInt(2)}).optional()
        .orElseThrow(() -> new NoSuchElementException("There is no overlay draft " + id + "."));
    LayerKind layer = LayerKind.of((String) draft[0]);
    int version = (Integer) draft[1];
    refusingAudited(actor, "overlay_draft", id, () -> scope.checkOverlayActivation(actor, layer, version));
    Integer live = jdbc.sql("SELECT version FROM overlay_layer WHERE layer = 'districts'").query(Integer.class)
        .optional().orElse(null);
    if (properties.approval().enabled() && layer == LayerKind.DISTRICTS && live != null && live != version) {
      ObjectNode diff = districtsDiff(version);
      List<String> moved = movedDistricts(diff.path("districts"));
      if (!moved.isEmpty()) {
        diff.put("liveId", live);
        return new Pending(request("overlay", id, reasonText(moved), diff, actor));
      }
    }
    return new Activated(lifecycle.activateOverlayDraft(id, actor));
  }

  /** Pending requests, oldest first, each with its diff. */
  public List<Request> listPending() {
    return jdbc.sql(SELECT + " WHERE status = 'pending' ORDER BY id").query((rs, n) -> request(rs)).list();
  }

  /** Request {@code id}; throws when there is none. */
  public Request get(long id) {
    return find(id);
  }

  /**
   * Approves request {@code id} as {@code approver} and activates its target; refused (403) for the
   * requester, (409) for a decided request or one whose live set or layer has changed since.
   */
  public GridSetLifecycle.Activation approve(long id, Actor approver) {
    Request r = find(id);
    String objectType = r.targetKind().equals("grid-set") ? "grid_set" : "overlay_draft";
    if (r.requestedBy().equals(approver.username())) {
      tx.executeWithoutResult(s -> audit.record(approver, "activation.approve", "activation_request", id, "failure",
          detail(r, "own_request")));
      throw new UploadForbiddenException("own_request", "You asked for this activation; a second GIS administrator "
          + "must approve it (four eyes).");
    }
    if (!"pending".equals(r.status())) {
      throw new IllegalStateException("Activation request " + id + " is " + r.status() + "; only a pending one can be approved.");
    }
    long liveThen = r.diff().path("liveId").asLong();
    Long liveNow = r.targetKind().equals("grid-set") ? liveGridSet()
        : jdbc.sql("SELECT version FROM overlay_layer WHERE layer = 'districts'").query(Long.class).optional().orElse(null);
    if (liveNow == null || liveNow != liveThen) {
      decide(r, "superseded", approver, "live_changed");
      throw new IllegalStateException("The live " + (r.targetKind().equals("grid-set") ? "grid set" : "districts layer")
          + " has changed since request " + id + " was made, so its diff no longer holds; activate again for a new request.");
    }
    GridSetLifecycle.Activation a = r.targetKind().equals("grid-set")
        ? approvedGridSet(r, approver, objectType) : approvedOverlay(r, approver, objectType);
    decide(r, "approved", approver, null);
    return a;
  }

  /** Rejects request {@code id} (its requester may withdraw it the same way); nothing is activated. */
  public Request reject(long id, Actor actor) {
    Request r = find(id);
    if (!"pending".equals(r.status())) {
      throw new IllegalStateException("Activation request " + id + " is " + r.status() + "; only a pending one can be rejected.");
    }
    decide(r, "rejected", actor, null);
    return find(id);
  }

  private GridSetLifecycle.Activation approvedGridSet(Request r, Actor approver, String objectType) {
    refusingAudited(approver, objectType, r.targetId(), () -> scope.checkGridSetActivation(approver, r.targetId()));
    return lifecycle.activateGridSet(r.targetId(), approver);
  }

  private GridSetLifecycle.Activation approvedOverlay(Request r, Actor approver, String objectType) {
    refusingAudited(approver, objectType, r.targetId(), () -> scope.checkLayer(approver, LayerKind.DISTRICTS));
    return lifecycle.activateOverlayDraft(r.targetId(), approver);
  }

  private void decide(Request r, String status, Actor actor, String why) {
    tx.executeWithoutResult(s -> {
      int n = jdbc.sql("UPDATE activation_request SET status = ?, decided_by = ?, decided_at = now() "
              + "WHERE id = ? AND status = 'pending'").params(status, actor.username(), r.id()).update();
      if (n == 0) {
        throw new IllegalStateException("Activation request " + r.id() + " was decided meanwhile.");
      }
      ObjectNode d = detail(r, why);
      d.put("result", status);
      audit.record(actor, "activation." + ("approved".equals(status) ? "approve" : "rejected".equals(status)
          ? "reject" : "supersede"), "activation_request", r.id(), "success", d);
    });
  }

  private Request request(String kind, long targetId, String reason, ObjectNode diff, Actor actor) {
    return tx.execute(s -> {
      Long existing = jdbc.sql("SELECT id FROM activation_request WHERE target_kind = ? AND target_id = ? "
              + "AND status = 'pending' FOR UPDATE").params(kind, targetId).query(Long.class).optional().orElse(null);
      if (existing != null) {
        // asked again: the newer diff replaces the older one (the live set may have changed)
        jdbc.sql("UPDATE activation_request SET diff = ?::jsonb, reason = ?, requested_by = ?, requested_at = now() "
                + "WHERE id = ?").params(diff.toString(), reason, actor.username(), existing).update();
      }
      long id = existing != null ? existing : jdbc.sql("INSERT INTO activation_request (target_kind, target_id, reason, "
              + "diff, requested_by) VALUES (?, ?, ?, ?::jsonb, ?) RETURNING id")
          .params(kind, targetId, reason, diff.toString(), actor.username()).query(Long.class).single();
      ObjectNode d = audit.detail();
      d.put("targetKind", kind);
      d.put("targetId", targetId);
      d.put("reason", reason);
      d.put("result", "pending");
      audit.record(actor, "activation.request", "activation_request", id, "success", d);
      return find(id);
    });
  }

  /** Runs a scope check; a refusal is audited as a failed activation before it is thrown. */
  private void refusingAudited(Actor actor, String objectType, long id, Runnable check) {
    try {
      check.run();
    } catch (UploadForbiddenException e) {
      ObjectNode d = audit.detail();
      d.put("result", "refused");
      d.put("reason", e.reason());
      d.put("message", e.getMessage());
      tx.executeWithoutResult(s -> audit.record(actor, "activate", objectType, id, "failure", d));
      throw e;
    }
  }

  /** Districts whose area moves by more than the tolerance, as "441302: +12.3 %" (a new one: "441399: new"). */
  List<String> movedDistricts(JsonNode districts) {
    double tol = properties.approval().districtAreaTolerance();
    List<String> out = new ArrayList<>();
    for (JsonNode d : districts) {
      if (d.path("districtCode").isNull() || d.path("districtCode").isMissingNode()) {
        continue; // cells in no district are visible to no district-scoped user
      }
      double before = d.path("areaBeforeM2").asDouble();
      double after = d.path("areaAfterM2").asDouble();
      String code = d.path("districtCode").asText();
      if (before <= 0 && after > 0) {
        out.add(code + ": new");
      } else if (before > 0 && Math.abs(after - before) / before > tol) {
        out.add(String.format(Locale.ROOT, "%s: %+.1f %%", code, 100 * (after - before) / before));
      }
    }
    return out;
  }

  private String reasonText(List<String> moved) {
    return String.format(Locale.ROOT, "Changes the area of %d district(s) by more than %.1f %% (%s): a second GIS "
        + "administrator must approve it (four eyes).", moved.size(), 100 * properties.approval().districtAreaTolerance(),
        String.join(", ", moved.size() > 10 ? moved.subList(0, 10) : moved));
  }

  /** Per district code, its area in the live districts layer and in draft version {@code version}. */
  private ObjectNode districtsDiff(int version) {
    ObjectNode diff = json.createObjectNode();
    ArrayNode rows = diff.putArray("districts");
    jdbc.sql("""
            SELECT coalesce(n.code, o.code), coalesce(o.area, 0), coalesce(n.area, 0) FROM
              (SELECT code, sum(ST_Area(geom::geography)) AS area FROM overlay_feature
               WHERE layer = 'districts' AND version = :v GROUP BY code) n
            FULL JOIN
              (SELECT f.code, sum(ST_Area(f.geom::geography)) AS area FROM overlay_feature f
               JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version
               WHERE f.layer = 'districts' GROUP BY f.code) o ON o.code = n.code
            ORDER BY 1""").param("v", version)
        .query(rs -> {
          ObjectNode r = rows.addObject();
          r.put("districtCode", rs.getString(1));
          r.put("areaBeforeM2", Math.round(rs.getDouble(2) * 10) / 10.0);
          r.put("areaAfterM2", Math.round(rs.getDouble(3) * 10) / 10.0);
          r.put("movedM2", Math.round((rs.getDouble(3) - rs.getDouble(2)) * 10) / 10.0);
        });
    return diff;
  }

  private Long liveGridSet() {
    return jdbc.sql("SELECT id FROM grid_set WHERE status = 'active'").query(Long.class).optional().orElse(null);
  }

  private static final String SELECT = "SELECT id, target_kind, target_id, status, reason, diff::text, requested_by, "
      + "requested_at, decided_by, decided_at FROM activation_request";

  private Request find(long id) {
    return jdbc.sql(SELECT + " WHERE id = ?").param(id).query((rs, n) -> request(rs)).optional()
        .orElseThrow(() -> new NoSuchElementException("There is no activation request " + id + "."));
  }

  private Request request(java.sql.ResultSet rs) throws java.sql.SQLException {
    try {
      return new Request(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
          json.readTree(rs.getString(6)), rs.getString(7), rs.getObject(8, OffsetDateTime.class), rs.getString(9),
          rs.getObject(10, OffsetDateTime.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored activation diff unreadable", e);
    }
  }

  private ObjectNode detail(Request r, String why) {
    ObjectNode d = audit.detail();
    d.put("targetKind", r.targetKind());
    d.put("targetId", r.targetId());
    d.put("requestedBy", r.requestedBy());
    if (why != null) {
      d.put("why", why);
    }
    return d;
  }
}
