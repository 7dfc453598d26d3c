package org.safegrid.server.reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBWriter;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.reference.Feature;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Loads the reference city into an empty database on start: districts, land, coastline and the
 * derived coastal zone, the synthetic campuses, checkpoints and cameras, and the synthetic
 * management grid set (activated). One transaction: a failed load leaves nothing behind.
 */
@Component
@Order(0)
class ReferenceDataLoader implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(ReferenceDataLoader.class);
  private static final String DATAV = "Alibaba Cloud DataV.GeoAtlas 441300_full.json (AMap-derived), converted GCJ-02 to WGS84";
  private static final String DATAV_LICENCE = "none stated (AMap-derived, widely redistributed); demo data only";
  private static final String GSHHG = "GSHHG 2.3.7 full resolution shoreline";
  private static final String SYNTHETIC = "SafeGrid synthetic layer (seeded), not real data";
  /**
   * The datum of every reference layer, stated here because this load is not an upload (which must name
   * its datum): the shipped files are WGS84 (the DataV districts were converted from GCJ-02 before they
   * were shipped) and are stored as they are, SRID 4326, with no datum shift.
   */
  static final String DATUM = ReadOptions.WGS84;

  private final ReferenceProperties properties;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final ObjectMapper json = new ObjectMapper();

  ReferenceDataLoader(ReferenceProperties properties, JdbcTemplate jdbc, TransactionTemplate tx) {
    this.properties = properties;
    this.jdbc = jdbc;
    this.tx = tx;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!properties.load()) {
      return;
    }
    Integer sets = jdbc.queryForObject("SELECT count(*) FROM grid_set", Integer.class);
    if (sets != null && sets > 0) {
      return;
    }
    long t0 = System.nanoTime();
    ReferenceCity city = properties.seed() == ReferenceCity.DEFAULT_SEED
        ? ReferenceCity.huizhou() : new ReferenceCity(properties.seed());
    tx.executeWithoutResult(status -> load(city));
    log.info("Loaded reference city Huizhou (datum {}): {} districts, {} grid cells, {} campuses, {} checkpoints, "
        + "{} cameras in {} ms", DATUM, city.districts().size(), city.grid().size(), city.campuses().size(),
        city.checkpoints().size(), city.cameras().size(), (System.nanoTime() - t0) / 1_000_000);
  }

  private void load(ReferenceCity city) {
    insertLayer("districts", false, DATAV, DATAV_LICENCE, city.districts());
    insertLayer("land", false, GSHHG + " clipped to the city outline", "LGPL-3.0-or-later",
        List.of(new Feature(ReferenceCity.CITY_CODE, "惠州市", "land", null, city.land(), Map.of())));
    insertLayer("coastline", false, GSHHG, "LGPL-3.0-or-later", city.coastline());
    insertLayer("campuses", true, SYNTHETIC, "CC0-1.0", city.campuses());
    insertLayer("checkpoints", true, SYNTHETIC, "CC0-1.0", city.checkpoints());
    insertLayer("cameras", true, SYNTHETIC, "CC0-1.0", city.cameras());
    deriveCoastalZone(properties.coastalZoneMeters());

    Long setId = jdbc.queryForObject("INSERT INTO grid_set (name, city_code, status, synthetic, source, cell_count, "
            + "created_by, activated_at, activated_by) VALUES (?, ?, 'active', true, ?, ?, 'system', now(), 'system') RETURNING id",
        // the name carries no "synthetic": the flag does, and the map and the OGC API label by it
        Long.class, "惠州市 参考网格", ReferenceCity.CITY_CODE,
        "SafeGrid synthetic regular grid (" + (int) ReferenceCity.GRID_CELL_METERS + " m) clipped to land",
        city.grid().size());
    WKBWriter wkb = new WKBWriter();
    List<Feature> grid = city.grid();
    List<Integer> cells = java.util.stream.IntStream.range(0, grid.size()).boxed().toList();
    jdbc.batchUpdate("INSERT INTO grid_cell (grid_set_id, cell_id, code, name, district_code, town_code, town_name, "
            + "area_m2, geom) VALUES (?, ?, ?, ?, ?, ?, ?, ST_Area(ST_GeomFromWKB(?, 4326)::geography), ST_GeomFromWKB(?, 4326))",
        cells, 500, (ps, i) -> {
          Feature f = grid.get(i);
          byte[] g = wkb.write(f.geometry());
          ps.setLong(1, setId);
          ps.setInt(2, i + 1);
          ps.setString(3, f.code());
          ps.setString(4, f.name());
          ps.setString(5, f.districtCode());
          ps.setString(6, (String) f.props().get("townCode"));
          ps.setString(7, (String) f.props().get("townName"));
          ps.setBytes(8, g);
          ps.setBytes(9, g);
        });
  }

  private void insertLayer(String layer, boolean synthetic, String source, String licence, List<Feature> features) {
    jdbc.update("INSERT INTO overlay_layer (layer, version, synthetic, source, licence, updated_by) VALUES (?, 1, ?, ?, ?, 'system')",
        layer, synthetic, source, licence);
    WKBWriter wkb = new WKBWriter();
    jdbc.batchUpdate("INSERT INTO overlay_feature (layer, version, code, name, kind, district_code, synthetic, props, geom) "
            + "VALUES (?, 1, ?, ?, ?, ?, ?, ?::jsonb, ST_GeomFromWKB(?, 4326))",
        features, 1000, (ps, f) -> {
          ps.setString(1, layer);
          ps.setString(2, f.code());
          ps.setString(3, f.name());
          ps.setString(4, f.kind());
          ps.setString(5, f.districtCode());
          ps.setBoolean(6, synthetic);
          ps.setString(7, toJson(f.props()));
          ps.setBytes(8, wkb.write(f.geometry()));
        });
  }

  /** The coastal zone: the band within the given distance of the coastline, as one polygon. */
  private void deriveCoastalZone(double meters) {
    jdbc.update("INSERT INTO overlay_layer (layer, version, synthetic, source, licence, updated_by) VALUES "
        + "('coastal_zone', 1, false, ?, 'LGPL-3.0-or-later', 'system')", "derived: " + (int) meters + " m buffer of the coastline");
    jdbc.update("INSERT INTO overlay_feature (layer, version, code, name, kind, synthetic, props, geom) "
        + "SELECT 'coastal_zone', 1, 'COASTAL-ZONE', '海岸带', 'coastal_zone', false, jsonb_build_object('widthMeters', ?::float8), "
        + "ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(ST_Buffer(geom::geography, ?)::geometry)), 3)) "
        + "FROM overlay_feature WHERE layer = 'coastline' AND version = 1", meters, meters);
  }

  private String toJson(Map<String, Object> props) {
    try {
      return json.writeValueAsString(props);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
