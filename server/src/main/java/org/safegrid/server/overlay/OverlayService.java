package org.safegrid.server.overlay;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.geojson.GeoJsonSql;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Answers queries for the live version of each overlay layer. */
@Service
public class OverlayService {

  /** The layers a client may ask for; anything else is a 404, never a query. */
  public static final Set<String> LAYERS =
      Set.of("districts", "coastline", "coastal_zone", "land", "campuses", "checkpoints", "cameras");

  private final JdbcClient jdbc;

  public OverlayService(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Layers whose features belong to one district and are hidden from users scoped to another. */
  public static final Set<String> DISTRICT_SCOPED_LAYERS = Set.of("campuses", "checkpoints", "cameras");

  /** The live features of a layer, optionally within a bbox. */
  public GeoJsonFeatureCollection getLayer(String layer, BoundingBox bbox) {
    return getLayer(layer, bbox, null);
  }

  /**
   * The live features of a layer, optionally within a bbox; for a district-scoped caller
   * ({@code districtCode} not null) only the features of that district in {@link #DISTRICT_SCOPED_LAYERS}.
   */
  public GeoJsonFeatureCollection getLayer(String layer, BoundingBox bbox, String districtCode) {
    boolean scoped = districtCode != null && DISTRICT_SCOPED_LAYERS.contains(layer);
    if (!LAYERS.contains(layer)) {
      throw new NoSuchElementException("no overlay layer '" + layer + "'; layers are " + LAYERS);
    }
    var meta = jdbc.sql("SELECT version, synthetic, source, licence FROM overlay_layer WHERE layer = ?")
        .param(layer)
        .query((rs, n) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("layer", layer);
          m.put("version", rs.getInt("version"));
          m.put("synthetic", rs.getBoolean("synthetic"));
          m.put("source", rs.getString("source"));
          m.put("licence", rs.getString("licence"));
          return m;
        })
        .optional();
    if (meta.isEmpty()) {
      return new GeoJsonFeatureCollection(List.of(), Map.of("layer", layer, "loaded", false));
    }
    String sql = "SELECT f.id, " + GeoJsonSql.GEOMETRY + " AS geojson, "
        + "jsonb_strip_nulls(f.props || jsonb_build_object('code', f.code, 'name', f.name, 'kind', f.kind, "
        + "'districtCode', f.district_code, 'synthetic', f.synthetic)) AS props "
        + "FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version "
        + "WHERE f.layer = :layer"
        + (bbox == null ? "" : " AND f.geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)")
        + (scoped ? " AND f.district_code = :district" : "")
        + " ORDER BY f.id";
    var q = jdbc.sql(sql).param("layer", layer);
    if (scoped) {
      q = q.param("district", districtCode);
    }
    if (bbox != null) {
      q = q.param("x0", bbox.minLon()).param("y0", bbox.minLat()).param("x1", bbox.maxLon()).param("y1", bbox.maxLat());
    }
    List<GeoJsonFeature> features = q.query((rs, n) -> GeoJsonSql.feature(rs)).list();
    return new GeoJsonFeatureCollection(features, meta.get());
  }
}
