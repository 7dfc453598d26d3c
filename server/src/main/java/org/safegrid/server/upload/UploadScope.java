package org.safegrid.server.upload;

import java.util.List;
import java.util.Set;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.server.security.DistrictScope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps a district-scoped GIS officer's uploads and activations inside the district, so that scope
 * cannot widen itself: city-wide layers (districts, towns, coastline) are refused outright; a grid set
 * or point layer, on upload (checked on the stored draft, rolled back when refused) and on activation,
 * when it would add, remove or change any cell or feature of another district against the live one
 * (by the located district; outside the district only unchanged copies of live rows may stand: same
 * code, district and geometry). Refusals are {@link UploadForbiddenException}s (403, reason {@code outside_scope}).
 * Stateless; a user's district is read from the database on each call.
 */
@Component
class UploadScope {

  /** Layers that cover the whole city: only an unscoped officer may upload or activate them. */
  static final Set<LayerKind> CITY_WIDE = Set.of(LayerKind.DISTRICTS, LayerKind.TOWNS, LayerKind.COASTLINE);
  private static final int LISTED = 5;

  private final DistrictScope districts;
  private final JdbcClient jdbc;

  UploadScope(DistrictScope districts, JdbcClient jdbc) {
    this.districts = districts;
    this.jdbc = jdbc;
  }

  /** The district the actor is confined to, or null for the whole city. */
  String districtOf(Actor actor) {
    return actor.username() == null ? null : districts.districtCodeOf(actor.username());
  }

  /** Refuses, before the file is read, a city-wide layer uploaded or activated by a scoped user. */
  void checkLayer(Actor actor, LayerKind layer) {
    String d = districtOf(actor);
    if (d != null && CITY_WIDE.contains(layer)) {
      throw new UploadForbiddenException("outside_scope", "Your account is confined to district " + d + "; a "
          + layer.apiName() + " layer covers the whole city, so only a GIS administrator without a district may "
          + "upload or activate it.");
    }
  }

  /** Refuses activating grid set {@code id} when it would change any cell of another district against the live set. */
  void checkGridSetActivation(Actor actor, long id) {
    String d = districtOf(actor);
    if (d == null) {
      return;
    }
    long live = jdbc.sql("SELECT id FROM grid_set WHERE status = 'active'").query(Long.class).optional().orElse(-1L);
    List<String> changed = jdbc.sql("""
            SELECT code FROM (
              SELECT n.code FROM grid_cell n WHERE n.grid_set_id = :new AND n.district_code IS DISTINCT FROM :d
                AND NOT EXISTS (SELECT 1 FROM grid_cell o WHERE o.grid_set_id = :old AND o.code = n.code
                                AND o.district_code IS NOT DISTINCT FROM n.district_code AND ST_Equals(o.geom, n.geom))
              UNION
              SELECT o.code FROM grid_cell o WHERE o.grid_set_id = :old AND o.district_code IS DISTINCT FROM :d
                AND NOT EXISTS (SELECT 1 FROM grid_cell n WHERE n.grid_set_id = :new AND n.code = o.code
                                AND n.district_code IS NOT DISTINCT FROM o.district_code AND ST_Equals(o.geom, n.geom))
            ) c ORDER BY code LIMIT :n""")
        .param("new", id).param("old", live).param("d", d).param("n", LISTED + 1).query(String.class).list();
    if (!changed.isEmpty()) {
      throw new UploadForbiddenException("outside_scope", "Grid set " + id + " adds, removes or changes cells outside "
          + "your district " + d + " against the live grid (e.g. " + changed.stream().limit(LISTED).toList() + "); you "
          + "may change only your district's cells, so a GIS administrator without a district must upload or activate it.");
    }
  }

  /** Refuses activating overlay version {@code version} of {@code layer} when it changes another district's features. */
  void checkOverlayActivation(Actor actor, LayerKind layer, int version) {
    checkLayer(actor, layer);
    String d = districtOf(actor);
    if (d == null) {
      return;
    }
    int live = jdbc.sql("SELECT version FROM overlay_layer WHERE layer = ?").param(layer.apiName())
        .query(Integer.class).optional().orElse(-1);
    List<String> changed = jdbc.sql("""
            SELECT coalesce(code, '#' || id) FROM (
              SELECT n.id, n.code FROM overlay_feature n WHERE n.layer = :layer AND n.version = :new
                AND n.district_code IS DISTINCT FROM :d
                AND NOT EXISTS (SELECT 1 FROM overlay_feature o WHERE o.layer = :layer AND o.version = :old
                                AND o.code IS NOT DISTINCT FROM n.code
                                AND o.district_code IS NOT DISTINCT FROM n.district_code AND ST_Equals(o.geom, n.geom))
              UNION
              SELECT o.id, o.code FROM overlay_feature o WHERE o.layer = :layer AND o.version = :old
                AND o.district_code IS DISTINCT FROM :d
                AND NOT EXISTS (SELECT 1 FROM overlay_feature n WHERE n.layer = :layer AND n.version = :new
                                AND n.code IS NOT DISTINCT FROM o.code
                                AND n.district_code IS NOT DISTINCT FROM o.district_code AND ST_Equals(o.geom, n.geom))
            ) c ORDER BY 1 LIMIT :n""")
        .param("layer", layer.apiName()).param("new", version).param("old", live).param("d", d).param("n", LISTED + 1)
        .query(String.class).list();
    if (!changed.isEmpty()) {
      throw new UploadForbiddenException("outside_scope", "This " + layer.apiName() + " version adds, removes or changes "
          + "features outside your district " + d + " against the live layer (e.g. " + changed.stream().limit(LISTED)
          .toList() + "); you may change only your district's features, so a GIS administrator without a district must "
          + "upload or activate it.");
    }
  }
}
