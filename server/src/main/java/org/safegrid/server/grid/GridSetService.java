package org.safegrid.server.grid;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.NoSuchElementException;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.geojson.GeoJsonSql;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Answers queries for grid sets and their cells. */
@Service
public class GridSetService {

  /**
   * A grid set as listed by the API.
   *
   * @param id          id
   * @param name        name
   * @param cityCode    city adcode
   * @param status      draft, active or archived
   * @param synthetic   generated stand-in, not an official grid
   * @param cellCount   number of cells
   * @param createdAt   when uploaded or generated
   * @param activatedAt when last activated, or null
   */
  public record GridSet(long id, String name, String cityCode, String status, boolean synthetic, int cellCount,
                        OffsetDateTime createdAt, OffsetDateTime activatedAt) {
  }

  private final JdbcClient jdbc;

  public GridSetService(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public List<GridSet> listGridSets() {
    return jdbc.sql("SELECT id, name, city_code, status, synthetic, cell_count, created_at, activated_at "
            + "FROM grid_set ORDER BY id")
        .query((rs, n) -> new GridSet(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getBoolean(5), rs.getInt(6), rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class)))
        .list();
  }

  /** The active grid set; throws when none is active. */
  public GridSet getActive() {
    return listGridSets().stream().filter(g -> g.status().equals("active")).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no grid set is active"));
  }

  /** The cells of a grid set, optionally within a bbox. */
  public GeoJsonFeatureCollection getCells(long gridSetId, BoundingBox bbox) {
    return getCells(gridSetId, bbox, null);
  }

  /** The cells of a grid set, optionally within a bbox; only those of {@code districtCode} when it is not null. */
  public GeoJsonFeatureCollection getCells(long gridSetId, BoundingBox bbox, String districtCode) {
    GridSet set = listGridSets().stream().filter(g -> g.id() == gridSetId).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no grid set " + gridSetId));
    String sql = "SELECT cell_id AS id, " + GeoJsonSql.GEOMETRY + " AS geojson, "
        + "jsonb_strip_nulls(jsonb_build_object('code', code, 'name', name, 'districtCode', district_code, "
        + "'townCode', town_code, 'townName', town_name, 'areaM2', round(area_m2))) AS props "
        + "FROM grid_cell WHERE grid_set_id = :id"
        + (bbox == null ? "" : " AND geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)")
        + (districtCode == null ? "" : " AND district_code = :district")
        + " ORDER BY cell_id";
    var q = jdbc.sql(sql).param("id", gridSetId);
    if (districtCode != null) {
      q = q.param("district", districtCode);
    }
    if (bbox != null) {
      q = q.param("x0", bbox.minLon()).param("y0", bbox.minLat()).param("x1", bbox.maxLon()).param("y1", bbox.maxLat());
    }
    List<GeoJsonFeature> features = q.query((rs, n) -> GeoJsonSql.feature(rs)).list();
    return new GeoJsonFeatureCollection(features,
        java.util.Map.of("gridSet", set.name(), "gridSetId", set.id(), "synthetic", set.synthetic()));
  }
}
