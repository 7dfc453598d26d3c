package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.NoSuchElementException;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Activation of grid sets and overlay drafts: the whole system switches in one transaction.
 *
 * <p>Grid sets: the active set is archived and the chosen one activated in the same transaction;
 * the unique partial index {@code grid_set_one_active} guarantees there is never more than one.
 * Rolling back is activating an earlier (archived) set. {@link GridSetActivated} is published
 * after the commit. Overlay drafts: {@code overlay_layer.version} is switched to the draft's
 * version; a coastline also gets its derived coastal zone.
 */
@Service
public class GridSetLifecycle {

  /**
   * The outcome of an activation; {@code alertsRebound} and {@code incidentsRebound}: open and
   * acknowledged alerts and incidents that gained their cell code in the activated grid set (0 for overlays).
   */
  public record Activation(long id, String kind, String layer, Long previousId, long millis, int alertsRebound,
                           int incidentsRebound) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final UploadAudit audit;
  private final ApplicationEventPublisher events;
  private final UploadProperties properties;
  private final StatementTimeouts timeouts;

  GridSetLifecycle(JdbcClient jdbc, TransactionTemplate tx, UploadAudit audit, ApplicationEventPublisher events,
      UploadProperties properties, StatementTimeouts timeouts) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.audit = audit;
    this.events = events;
    this.properties = properties;
    this.timeouts = timeouts;
  }

  /** Makes grid set {@code id} the active one; throws if it does not exist. */
  public Activation activateGridSet(long id, Actor actor) {
    long start = System.nanoTime();
    Activation a = tx.execute(s -> {
      timeouts.apply(QueryClass.UPLOAD);
      // serialise activations: the one-active index would refuse a concurrent second one anyway
      jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('safegrid-grid-set-activation'))").query().singleRow();
      String status = jdbc.sql("SELECT status FROM grid_set WHERE id = ? FOR UPDATE").param(id)
          .query(String.class).optional()
          .orElseThrow(() -> new NoSuchElementException("There is no grid set " + id + "."));
      Long previous = jdbc.sql("SELECT id FROM grid_set WHERE status = 'active'").query(Long.class).optional().orElse(null);
      if (!"active".equals(status)) {
        jdbc.sql("UPDATE grid_set SET status = 'archived' WHERE status = 'active'").update();
        jdbc.sql("UPDATE grid_set SET status = 'active', activated_at = now(), activated_by = ? WHERE id = ?")
            .params(actor.username(), id).update();
      }
      int rebound = rebindOpenAlerts(id);
      int incidents = rebindOpenIncidents(id, previous);
      ObjectNode d = audit.detail();
      d.put("previousGridSetId", previous);
      d.put("result", "active".equals(status) ? "already active" : "activated");
      d.put("alertsRebound", rebound);
      d.put("incidentsRebound", incidents);
      audit.record(actor, "activate", "grid_set", id, "success", d);
      return new Activation(id, "grid-set", "grid", previous, 0, rebound, incidents);
    });
    events.publishEvent(new GridSetActivated(id));
    return new Activation(a.id(), a.kind(), a.layer(), a.previousId(), (System.nanoTime() - start) / 1_000_000,
        a.alertsRebound(), a.incidentsRebound());
  }

  /**
   * Open and acknowledged incidents keep the cell code they were opened with ({@code incident.cell_code},
   * recorded in {@code incident_cell} for the set that was live until now) and gain the code of the
   * activated set's cell their place lies in (a point on the surface of the hull of their alerts' places);
   * returns how many gained one.
   */
  private int rebindOpenIncidents(long gridSetId, Long previousId) {
    if (previousId != null && previousId != gridSetId) {
      jdbc.sql("INSERT INTO incident_cell (incident_id, grid_set_id, cell_code) SELECT i.id, ?, i.cell_code "
              + "FROM incident i WHERE i.status IN ('open', 'acknowledged') AND i.cell_code IS NOT NULL "
              + "ON CONFLICT DO NOTHING")
          .param(previousId).update();
    }
    return jdbc.sql("""
            INSERT INTO incident_cell (incident_id, grid_set_id, cell_code)
            SELECT i.id, :set, x.code FROM incident i
            JOIN LATERAL (SELECT c.code FROM grid_cell_part p JOIN grid_cell c
                            ON c.grid_set_id = p.grid_set_id AND c.cell_id = p.cell_id
                          WHERE p.grid_set_id = :set AND ST_Intersects(p.geom, ST_PointOnSurface(i.geom))
                          ORDER BY c.code LIMIT 1) x ON true
            WHERE i.status IN ('open', 'acknowledged') AND i.geom IS NOT NULL
            ON CONFLICT (incident_id, grid_set_id) DO UPDATE SET cell_code = EXCLUDED.cell_code""")
        .param("set", gridSetId).update();
  }

  /**
   * Open and acknowledged alerts keep the cell code they were raised with ({@code alert.cell_code} and
   * an {@code alert_cell} row for their grid set) and gain the code of the activated set's cell their
   * position lies in ({@code alert_cell}); returns how many gained one.
   */
  private int rebindOpenAlerts(long gridSetId) {
    jdbc.sql("INSERT INTO alert_cell (alert_id, grid_set_id, cell_code) SELECT a.id, a.grid_set_id, a.cell_code "
            + "FROM alert a WHERE a.status IN ('open', 'acknowledged') AND a.cell_code IS NOT NULL "
            + "AND EXISTS (SELECT 1 FROM grid_set s WHERE s.id = a.grid_set_id) ON CONFLICT DO NOTHING")
        .update();
    return jdbc.sql("""
            INSERT INTO alert_cell (alert_id, grid_set_id, cell_code)
            SELECT a.id, :set, x.code FROM alert a
            JOIN LATERAL (SELECT c.code FROM grid_cell_part p JOIN grid_cell c
                            ON c.grid_set_id = p.grid_set_id AND c.cell_id = p.cell_id
                          WHERE p.grid_set_id = :set AND ST_Intersects(p.geom, a.geom)
                          ORDER BY c.code LIMIT 1) x ON true
            WHERE a.status IN ('open', 'acknowledged') AND a.geom IS NOT NULL
            ON CONFLICT (alert_id, grid_set_id) DO UPDATE SET cell_code = EXCLUDED.cell_code""")
        .param("set", gridSetId).update();
  }

  /**
   * Deletes a draft grid set with its cells (the upload's audit record stays); active and archived
   * sets are refused, because they are the history the live grid and past alerts refer to.
   */
  public void discardGridSet(long id, Actor actor) {
    tx.executeWithoutResult(s -> {
      var row = jdbc.sql("SELECT status, name, cell_count, source_sha256 FROM grid_set WHERE id = ? FOR UPDATE")
          .param(id).query((rs, n) -> new Object[] {rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4)})
          .optional().orElseThrow(() -> new NoSuchElementException("There is no grid set " + id + "."));
      if (!"draft".equals(row[0])) {
        throw new IllegalStateException("Grid set " + id + " is " + row[0] + "; only a draft can be discarded.");
      }
      jdbc.sql("DELETE FROM grid_set WHERE id = ?").param(id).update(); // cells go by ON DELETE CASCADE
      ObjectNode d = audit.detail();
      d.put("name", (String) row[1]);
      d.put("cells", (Integer) row[2]);
      d.put("sha256", (String) row[3]);
      d.put("result", "discarded");
      audit.record(actor, "discard", "grid_set", id, "success", d);
    });
  }

  /** Makes overlay draft {@code id} the live version of its layer. */
  public Activation activateOverlayDraft(long id, Actor actor) {
    long start = System.nanoTime();
    Activation a = tx.execute(s -> {
      timeouts.apply(QueryClass.UPLOAD); // a coastline's coastal-zone buffer runs here
      var row = jdbc.sql("SELECT layer, version, source FROM overlay_draft WHERE id = ? FOR UPDATE").param(id)
          .query((rs, n) -> new Object[] {rs.getString(1), rs.getInt(2), rs.getString(3)}).optional()
          .orElseThrow(() -> new NoSuchElementException("There is no overlay draft " + id + "."));
      String layer = (String) row[0];
      int version = (Integer) row[1];
      jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('safegrid-overlay-' || ?))").param(layer).query().singleRow();
      Long previous = jdbc.sql("SELECT id FROM overlay_draft WHERE layer = ? AND status = 'active'").param(layer)
          .query(Long.class).optional().orElse(null);
      switchLayer(layer, version, (String) row[2], actor.username());
      if ("coastline".equals(layer)) {
        deriveCoastalZone(version, actor.username());
      }
      jdbc.sql("UPDATE overlay_draft SET status = 'archived' WHERE layer = ? AND status = 'active'").param(layer).update();
      jdbc.sql("UPDATE overlay_draft SET status = 'active', activated_at = now(), activated_by = ? WHERE id = ?")
          .params(actor.username(), id).update();
      ObjectNode d = audit.detail();
      d.put("layer", layer);
      d.put("version", version);
      d.put("previousDraftId", previous);
      d.put("result", "activated");
      audit.record(actor, "activate", "overlay_draft", id, "success", d);
      return new Activation(id, "overlay", layer, previous, 0, 0, 0);
    });
    return new Activation(a.id(), a.kind(), a.layer(), a.previousId(), (System.nanoTime() - start) / 1_000_000, 0, 0);
  }

  private void switchLayer(String layer, int version, String source, String user) {
    int n = jdbc.sql("UPDATE overlay_layer SET version = ?, synthetic = false, source = ?, licence = ?, "
            + "updated_at = now(), updated_by = ? WHERE layer = ?")
        .params(version, source, "as uploaded", user, layer).update();
    if (n == 0) {
      jdbc.sql("INSERT INTO overlay_layer (layer, version, synthetic, source, licence, updated_by) "
              + "VALUES (?, ?, false, ?, 'as uploaded', ?)")
          .params(layer, version, source, user).update();
    }
  }

  /** The band within the configured width of the coastline, computed on the geography by PostGIS. */
  private void deriveCoastalZone(int coastlineVersion, String user) {
    double meters = properties.coastalZoneMeters();
    int version = jdbc.sql("SELECT coalesce(max(version), 0) + 1 FROM overlay_feature WHERE layer = 'coastal_zone'")
        .query(Integer.class).single();
    jdbc.sql("INSERT INTO overlay_feature (layer, version, code, name, kind, synthetic, props, geom) "
            + "SELECT 'coastal_zone', ?, 'COASTAL-ZONE', '海岸带', 'coastal_zone', false, "
            + "jsonb_build_object('widthMeters', ?::float8, 'coastlineVersion', ?::int), "
            + "ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(ST_Buffer(geom::geography, ?)::geometry)), 3)) "
            + "FROM overlay_feature WHERE layer = 'coastline' AND version = ? HAVING count(*) > 0")
        .params(version, meters, coastlineVersion, meters, coastlineVersion).update();
    switchLayer("coastal_zone", version, "derived: " + (int) meters + " m buffer of coastline version " + coastlineVersion,
        user);
  }

  /** The stored validation report of a grid set. */
  public String gridSetReport(long id) {
    return jdbc.sql("SELECT coalesce(report::text, '{}') FROM grid_set WHERE id = ?").param(id).query(String.class)
        .optional().orElseThrow(() -> new NoSuchElementException("There is no grid set " + id + "."));
  }

  /** The stored validation report of an overlay draft. */
  public String overlayDraftReport(long id) {
    return jdbc.sql("SELECT coalesce(report::text, '{}') FROM overlay_draft WHERE id = ?").param(id)
        .query(String.class).optional()
        .orElseThrow(() -> new NoSuchElementException("There is no overlay draft " + id + "."));
  }
}
