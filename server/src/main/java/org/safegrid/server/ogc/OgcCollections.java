package org.safegrid.server.ogc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.overlay.OverlayService;
import org.safegrid.server.security.DataScope;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The registry of OGC API collections and the queries behind them: every {@link OgcCollection}
 * bean in the application is served, in registration order.
 */
@Service
public class OgcCollections {

  /** A page of features: GeoJSON geometry text per feature, and the total matched. */
  public record Page(List<Item> items, long numberMatched) {}

  /** One feature: id, GeoJSON geometry text, properties. */
  public record Item(Object id, String geometry, Map<String, Object> properties) {}

  /** Spatial extent of a collection, or null when it is empty. */
  public record Extent(double minLon, double minLat, double maxLon, double maxLat) {}

  private final Map<String, OgcCollection> byId = new LinkedHashMap<>();
  private final JdbcClient jdbc;

  OgcCollections(List<OgcCollection> collections, JdbcClient jdbc) {
    this.jdbc = jdbc;
    for (OgcCollection c : collections) {
      if (byId.putIfAbsent(c.id(), c) != null) {
        throw new IllegalStateException("two OGC collections with id " + c.id());
      }
    }
  }

  public List<OgcCollection> list() {
    return new ArrayList<>(byId.values());
  }

  /** The collection with this id; throws NoSuchElementException if there is none. */
  public OgcCollection get(String id) {
    OgcCollection c = byId.get(id);
    if (c == null) {
      throw new NoSuchElementException("There is no collection \"" + id + "\"; the collections are " + byId.keySet() + ".");
    }
    return c;
  }

  public Extent extent(OgcCollection c) {
    return extent(c, DataScope.CITY);
  }

  /** The extent of the features a scope may see. */
  public Extent extent(OgcCollection c, DataScope scope) {
    return jdbc.sql("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(" + c.geomExpr()
            + ")::geometry AS e FROM " + c.from() + " WHERE (" + c.filter() + ")" + scopeSql(c, scope)
            + ") x WHERE e IS NOT NULL")
        .params(scopeParams(c, scope))
        .query((rs, n) -> new Extent(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)))
        .optional().orElse(null);
  }

  public Page items(OgcCollection c, BoundingBox bbox, int limit, long offset) {
    return items(c, bbox, limit, offset, DataScope.CITY);
  }

  /** A page of the features a scope may see. */
  public Page items(OgcCollection c, BoundingBox bbox, int limit, long offset, DataScope scope) {
    String where = " WHERE (" + c.filter() + ")" + scopeSql(c, scope)
        + (bbox == null ? "" : " AND " + c.geomExpr() + " && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)");
    var count = jdbc.sql("SELECT count(*) FROM " + c.from() + where).params(scopeParams(c, scope));
    var page = jdbc.sql("SELECT " + c.idExpr() + " AS id, ST_AsGeoJSON(ST_ForcePolygonCCW(" + c.geomExpr()
        + "), 7) AS geojson, " + c.propsExpr() + " AS props FROM " + c.from() + where + " ORDER BY " + c.idExpr()
        + " LIMIT :limit OFFSET :offset").params(scopeParams(c, scope));
    if (bbox != null) {
      count = count.param("x0", bbox.minLon()).param("y0", bbox.minLat()).param("x1", bbox.maxLon())
          .param("y1", bbox.maxLat());
      page = page.param("x0", bbox.minLon()).param("y0", bbox.minLat()).param("x1", bbox.maxLon())
          .param("y1", bbox.maxLat());
    }
    long matched = count.query(Long.class).single();
    List<Item> items = page.param("limit", limit).param("offset", offset)
        .query((rs, n) -> new Item(rs.getObject("id"), rs.getString("geojson"), GeoJsonSql.props(rs.getString("props"))))
        .list();
    return new Page(items, matched);
  }

  public Optional<Item> item(OgcCollection c, String featureId) {
    return item(c, featureId, DataScope.CITY);
  }

  /**
   * Whether the collection's live data is synthetic (generated as a stand-in where no open data exists):
   * the active grid set's flag for {@code grid}, the live overlay layer's flag for an overlay, false for
   * any other collection.
   */
  public boolean synthetic(OgcCollection c) {
    if (c.id().equals("grid")) {
      return jdbc.sql("SELECT synthetic FROM grid_set WHERE status = 'active'").query(Boolean.class).optional()
          .orElse(false);
    }
    return jdbc.sql("SELECT synthetic FROM overlay_layer WHERE layer = ?").param(c.id()).query(Boolean.class).optional()
        .orElse(false);
  }

  /** One feature, empty when there is none or the scope may not see it. */
  public Optional<Item> item(OgcCollection c, String featureId, DataScope scope) {
    return jdbc.sql("SELECT " + c.idExpr() + " AS id, ST_AsGeoJSON(ST_ForcePolygonCCW(" + c.geomExpr()
            + "), 7) AS geojson, " + c.propsExpr() + " AS props FROM " + c.from() + " WHERE (" + c.filter() + ") AND ("
            + c.idExpr() + ")::text = :fid" + scopeSql(c, scope))
        .param("fid", featureId).params(scopeParams(c, scope))
        .query((rs, n) -> new Item(rs.getObject("id"), rs.getString("geojson"), GeoJsonSql.props(rs.getString("props"))))
        .optional();
  }

  private static String scopeSql(OgcCollection c, DataScope scope) {
    return scope.isCity() || c.districtExpr() == null ? "" : " AND " + c.districtExpr() + " = :scopeDistrict";
  }

  private static Map<String, Object> scopeParams(OgcCollection c, DataScope scope) {
    return scope.isCity() || c.districtExpr() == null ? Map.of() : Map.of("scopeDistrict", scope.districtCodeOrNull());
  }

  /** The collections SafeGrid itself serves: the active grid set and every overlay layer. */
  @Configuration
  static class BuiltIn {

    @Bean
    OgcCollection gridCollection() {
      return new OgcCollection("grid", "Management grid",
          "Cells of the active grid set with their district and town/street",
          "grid_cell c JOIN grid_set s ON s.id = c.grid_set_id", "s.status = 'active'", "c.cell_id", "c.geom",
          "jsonb_strip_nulls(jsonb_build_object('code', c.code, 'name', c.name, 'districtCode', c.district_code, "
              + "'townCode', c.town_code, 'townName', c.town_name, 'areaM2', round(c.area_m2), 'gridSetId', s.id))",
          "c.district_code");
    }

    @Bean
    OgcCollection districtsCollection() {
      return overlay("districts", "Districts", "County-level districts of the city");
    }

    @Bean
    OgcCollection coastlineCollection() {
      return overlay("coastline", "Coastline", "Shoreline of the city");
    }

    @Bean
    OgcCollection coastalZoneCollection() {
      return overlay("coastal_zone", "Coastal zone", "Band along the coastline, derived by buffering it");
    }

    @Bean
    OgcCollection landCollection() {
      return overlay("land", "Land", "Land mask");
    }

    @Bean
    OgcCollection campusesCollection() {
      return overlay("campuses", "Campuses", "School campuses");
    }

    @Bean
    OgcCollection checkpointsCollection() {
      return overlay("checkpoints", "Checkpoints", "Checkpoints");
    }

    @Bean
    OgcCollection camerasCollection() {
      return overlay("cameras", "Cameras", "Cameras");
    }

    private static OgcCollection overlay(String layer, String title, String description) {
      return new OgcCollection(layer, title, description,
          "overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version",
          "f.layer = '" + layer + "'", "f.id", "f.geom",
          "jsonb_strip_nulls(f.props || jsonb_build_object('code', f.code, 'name', f.name, 'kind', f.kind, "
              + "'districtCode', f.district_code, 'synthetic', f.synthetic))",
          // the same layers the overlay API confines: the districts, coast and land stay whole as context
          OverlayService.DISTRICT_SCOPED_LAYERS.contains(layer) ? "f.district_code" : null);
    }
  }
}
