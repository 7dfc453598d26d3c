package org.safegrid.server.basemap;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The city's default base map, base map id 0: vector tiles made by PostGIS {@code ST_AsMVT} from the live
 * reference layers, so the first start is never a blank canvas. Layers: {@code earth} (the land layer's
 * subdivided pieces; the sea is the background), {@code coastline}, {@code boundaries} (district
 * outlines, town outlines from zoom 11, {@code kind} districts/towns) and {@code places} (a label point
 * per district below zoom 11, per town from zoom 11, with {@code name} and {@code code}).
 *
 * <p>Nothing is generated at start: tiles are made on first request and kept in a bounded in-memory
 * cache keyed by the live layer versions, so activating a new districts, towns, land or coastline
 * layer gives new tiles. Thread-safe.
 */
@Component
class ReferenceBasemap {

  static final long ID = 0;
  static final int MAX_ZOOM = 14;
  private static final int CACHE_TILES = 4096;

  private static final String TILE = """
      WITH bb AS (SELECT ST_TileEnvelope(?, ?, ?) AS env, ST_Transform(ST_TileEnvelope(?, ?, ?), 4326) AS env4326),
      live AS (SELECT layer, version FROM overlay_layer),
      earth AS (
        SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), bb.env, 4096, 64, true) AS geom
        FROM overlay_feature_part p JOIN live l ON l.layer = p.layer AND l.version = p.version, bb
        WHERE p.layer = 'land' AND p.geom && bb.env4326),
      coast AS (
        SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), bb.env, 4096, 64, true) AS geom
        FROM overlay_feature f JOIN live l ON l.layer = f.layer AND l.version = f.version, bb
        WHERE f.layer = 'coastline' AND f.geom && bb.env4326),
      outlines AS (
        SELECT f.layer AS kind, ST_AsMVTGeom(ST_Transform(ST_Boundary(f.geom), 3857), bb.env, 4096, 64, true) AS geom
        FROM overlay_feature f JOIN live l ON l.layer = f.layer AND l.version = f.version, bb
        WHERE (f.layer = 'districts' OR (f.layer = 'towns' AND ? >= 11)) AND f.geom && bb.env4326),
      places AS (
        SELECT f.layer AS kind, f.code, f.name,
               ST_AsMVTGeom(ST_Transform(ST_PointOnSurface(f.geom), 3857), bb.env, 4096, 0, true) AS geom
        FROM overlay_feature f JOIN live l ON l.layer = f.layer AND l.version = f.version, bb
        WHERE ((f.layer = 'districts' AND ? < 11) OR (f.layer = 'towns' AND ? >= 11)) AND f.geom && bb.env4326)
      SELECT coalesce((SELECT ST_AsMVT(earth, 'earth', 4096, 'geom') FROM earth WHERE geom IS NOT NULL), ''::bytea)
          || coalesce((SELECT ST_AsMVT(coast, 'coastline', 4096, 'geom') FROM coast WHERE geom IS NOT NULL), ''::bytea)
          || coalesce((SELECT ST_AsMVT(outlines, 'boundaries', 4096, 'geom') FROM outlines WHERE geom IS NOT NULL), ''::bytea)
          || coalesce((SELECT ST_AsMVT(places, 'places', 4096, 'geom') FROM places WHERE geom IS NOT NULL), ''::bytea)""";

  private final JdbcTemplate jdbc;
  private final TransactionTemplate readOnly;
  private final Map<String, byte[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
      return size() > CACHE_TILES;
    }
  };

  ReferenceBasemap(JdbcTemplate jdbc, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
    this.readOnly.setReadOnly(true);
  }

  /** The versions of the layers the tiles are made from: part of the cache key and the ETag. */
  String version() {
    String v = jdbc.queryForObject("SELECT coalesce(string_agg(layer || ':' || version, ',' ORDER BY layer), '') "
        + "FROM overlay_layer WHERE layer IN ('land', 'coastline', 'districts', 'towns')", String.class);
    return v == null ? "" : v;
  }

  /** The MVT bytes of tile z/x/y for the given {@link #version()} (empty when nothing is there). */
  byte[] tile(int z, int x, int y, String version) {
    String key = version + "/" + z + "/" + x + "/" + y;
    synchronized (cache) {
      byte[] hit = cache.get(key);
      if (hit != null) {
        return hit;
      }
    }
    byte[] tile = readOnly.execute(s -> {
      jdbc.execute("SET LOCAL max_parallel_workers_per_gather = 0");
      return jdbc.queryForObject(TILE, byte[].class, z, x, y, z, x, y, z, z, z);
    });
    byte[] bytes = tile == null ? new byte[0] : tile;
    synchronized (cache) {
      cache.put(key, bytes);
    }
    return bytes;
  }
}
