package org.safegrid.gisdata.tilepackage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * An MBTiles 1.3 file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md) opened read-only.
 *
 * <p>Opened the way GeoPackage uploads are: SQLite read-only and {@code query_only}, so no statement
 * can write and no trigger can fire, with {@code trusted_schema} off, so a view or trigger in the file
 * cannot call an application function. Only a plain {@code tiles} table and the {@code metadata} table
 * are read: a {@code tiles} view (the deduplicated layout some tools write) would run SQL chosen by
 * whoever made the file, so it is refused. One connection, used under the package's lock.
 */
final class MbTilesPackage implements TilePackage {

  private final Connection connection;
  private final PreparedStatement tileQuery;
  private final Map<String, String> metadata;
  private final TileType tileType;
  private final boolean gzipped;
  private final Bounds bounds;
  private final int minZoom;
  private final int maxZoom;

  private MbTilesPackage(Connection connection, Map<String, String> metadata, TileType tileType, boolean gzipped,
      Bounds bounds, int minZoom, int maxZoom) throws SQLException {
    this.connection = connection;
    this.metadata = metadata;
    this.tileType = tileType;
    this.gzipped = gzipped;
    this.bounds = bounds;
    this.minZoom = minZoom;
    this.maxZoom = maxZoom;
    this.tileQuery = connection.prepareStatement(
        "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?");
  }

  /** Opens the file and reads its metadata; the tiles are checked by {@link #validate}. */
  static MbTilesPackage open(Path file) {
    Connection c = connect(file);
    try {
      requirePlainTable(c, "tiles");
      requirePlainTable(c, "metadata");
      Map<String, String> meta = new HashMap<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name, value FROM metadata")) {
        while (rs.next()) {
          if (rs.getString(1) != null && meta.size() < 1000) {
            meta.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
          }
        }
      }
      TileType type = TileType.ofMbtilesFormat(meta.get("format"));
      if (type == null) {
        throw new TilePackageException("unsupported_tile_type", "The MBTiles metadata format is \"" + meta.get("format")
            + "\"; SafeGrid serves png, jpg, webp and pbf (vector) tiles.");
      }
      Bounds bounds = parseBounds(meta.get("bounds"));
      int[] zooms = zoomRange(c, meta);
      byte[] first = firstTile(c);
      boolean gzipped = first != null && TileType.isGzip(first);
      return new MbTilesPackage(c, meta, type, gzipped, bounds, zooms[0], zooms[1]);
    } catch (SQLException | RuntimeException e) {
      close(c);
      if (e instanceof TilePackageException t) {
        throw t;
      }
      throw new TilePackageException("corrupt_file", "The MBTiles file cannot be read: " + e.getMessage(), false, e);
    }
  }

  private static Connection connect(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    Connection c;
    try {
      c = config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw new TilePackageException("corrupt_file", "The MBTiles file cannot be opened as SQLite: " + e.getMessage(),
          false, e);
    }
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA query_only = ON");
      st.execute("PRAGMA trusted_schema = OFF");
      st.execute("PRAGMA cell_size_check = ON");
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        rs.next();
      }
      return c;
    } catch (SQLException e) {
      close(c);
      throw new TilePackageException("corrupt_file", "The file is not a readable SQLite database: " + e.getMessage(),
          false, e);
    }
  }

  private static void requirePlainTable(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT type, sql FROM sqlite_master WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new TilePackageException("not_mbtiles", "The SQLite file has no \"" + name
              + "\" table, so it is not an MBTiles package.");
        }
        String sql = rs.getString(2) == null ? "" : rs.getString(2).toUpperCase(Locale.ROOT);
        if (!"table".equals(rs.getString(1)) || sql.contains("VIRTUAL")) {
          throw new TilePackageException("unsupported_mbtiles_layout", "The MBTiles \"" + name + "\" is a "
              + rs.getString(1) + ", not a plain table; SafeGrid runs no SQL from the file. Export the package with "
              + "a plain tiles table (e.g. gdal_translate -of MBTILES, or mb-util without deduplication).");
        }
      }
    }
  }

  static Bounds parseBounds(String value) {
    if (value == null || value.isBlank()) {
      throw new TilePackageException("bounds_missing", "The MBTiles metadata has no bounds (west,south,east,north); "
          + "SafeGrid needs them to check the package covers the city.");
    }
    String[] p = value.split(",");
    try {
      if (p.length == 4) {
        Bounds b = new Bounds(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()),
            Double.parseDouble(p[2].trim()), Double.parseDouble(p[3].trim()));
        if (b.valid()) {
          return b;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TilePackageException("bad_bounds", "The MBTiles metadata bounds \"" + value
        + "\" are not west,south,east,north in WGS84 degrees.");
  }

  private static int[] zoomRange(Connection c, Map<String, String> meta) throws SQLException {
    int lo;
    int hi;
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT min(zoom_level), max(zoom_level) FROM tiles")) {
      rs.next();
      if (rs.getObject(1) == null) {
        throw new TilePackageException("empty_package", "The MBTiles file holds no tiles.");
      }
      lo = rs.getInt(1);
      hi = rs.getInt(2);
    }
    try {
      int declaredMin = meta.containsKey("minzoom") ? Integer.parseInt(meta.get("minzoom").trim()) : lo;
      int declaredMax = meta.containsKey("maxzoom") ? Integer.parseInt(meta.get("maxzoom").trim()) : hi;
      return new int[] {declaredMin, declaredMax};
    } catch (NumberFormatException e) {
      throw new TilePackageException("bad_zoom_range", "The MBTiles metadata minzoom/maxzoom (\"" + meta.get("minzoom")
          + "\", \"" + meta.get("maxzoom") + "\") are not whole numbers.");
    }
  }

  private static byte[] firstTile(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tile_data FROM tiles LIMIT 1")) {
      return rs.next() ? rs.getBytes(1) : null;
    }
  }

  /** Checks every zoom level's tile range against the bounds and zoom range, and a sample of tiles against the type. */
  void validate(TilePackageLimits limits) {
    try {
      long total = 0;
      try (Statement st = connection.createStatement();
           ResultSet rs = st.executeQuery("SELECT zoom_level, count(*), min(tile_column), max(tile_column), "
               + "min(tile_row), max(tile_row), max(length(tile_data)) FROM tiles GROUP BY zoom_level")) {
        while (rs.next()) {
          int z = rs.getInt(1);
          total += rs.getLong(2);
          if (z < minZoom || z > maxZoom) {
            throw new TilePackageException("zoom_out_of_range", "The package holds tiles at zoom " + z
                + ", outside its declared zoom range " + minZoom + "-" + maxZoom + ".");
          }
          int n = 1 << z;
          // TMS rows count from the south: the XYZ row is n - 1 - tile_row
          int west = rs.getInt(3);
          int east = rs.getInt(4);
          int north = n - 1 - rs.getInt(6);
          int south = n - 1 - rs.getInt(5);
          if (!TileMath.within(bounds, z, west, north) || !TileMath.within(bounds, z, east, south)) {
            throw new TilePackageException("tiles_outside_bounds", "At zoom " + z + " the package holds tiles x "
                + west + "-" + east + ", y " + north + "-" + south + " (XYZ), beyond its declared bounds " + bounds
                + " (x " + TileMath.column(bounds.west(), z) + "-" + TileMath.column(bounds.east(), z) + ", y "
                + TileMath.row(bounds.north(), z) + "-" + TileMath.row(bounds.south(), z) + ").");
          }
          if (rs.getLong(7) > limits.maxTileBytes()) {
            throw TilePackageException.tooLarge("tile_too_large", "A tile at zoom " + z + " is " + rs.getLong(7)
                + " bytes, more than the limit of " + limits.maxTileBytes() + ".");
          }
        }
      }
      if (total > limits.maxTiles()) {
        throw TilePackageException.tooLarge("too_many_tiles", "The package holds " + total + " tiles, more than the "
            + "limit of " + limits.maxTiles() + ".");
      }
      try (PreparedStatement ps = connection.prepareStatement("SELECT zoom_level, tile_column, tile_row, tile_data "
          + "FROM tiles LIMIT ?")) {
        ps.setInt(1, limits.sampleTiles());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            TilePackageReader.requireType(tileType, gzipped, rs.getBytes(4),
                rs.getInt(1) + "/" + rs.getInt(2) + "/" + rs.getInt(3) + " (TMS)");
          }
        }
      }
    } catch (SQLException e) {
      throw new TilePackageException("corrupt_file", "The MBTiles tiles cannot be read: " + e.getMessage(), false, e);
    }
  }

  @Override
  public String format() {
    return "mbtiles";
  }

  @Override
  public TileType tileType() {
    return tileType;
  }

  @Override
  public boolean gzipped() {
    return gzipped;
  }

  @Override
  public Bounds bounds() {
    return bounds;
  }

  @Override
  public int minZoom() {
    return minZoom;
  }

  @Override
  public int maxZoom() {
    return maxZoom;
  }

  /** The metadata {@code name} value, if any (lower-cased key). */
  Optional<String> metadata(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  @Override
  public synchronized Optional<byte[]> findTile(int z, int x, int y) {
    if (z < 0 || z > 30 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z)) {
      return Optional.empty();
    }
    try {
      tileQuery.setInt(1, z);
      tileQuery.setInt(2, x);
      tileQuery.setInt(3, (1 << z) - 1 - y);
      try (ResultSet rs = tileQuery.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("tile " + z + "/" + x + "/" + y + " unreadable: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    close(connection);
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a read-only connection
    }
  }
}
