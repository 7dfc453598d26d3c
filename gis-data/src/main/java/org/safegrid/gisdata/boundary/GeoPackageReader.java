package org.safegrid.gisdata.boundary;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mil.nga.geopackage.GeoPackage;
import mil.nga.geopackage.features.user.FeatureDao;
import mil.nga.geopackage.features.user.FeatureResultSet;
import mil.nga.geopackage.features.user.FeatureRow;
import mil.nga.geopackage.geom.GeoPackageGeometryData;
import mil.nga.geopackage.srs.SpatialReferenceSystem;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.sqlite.SQLiteConfig;
import com.j256.ormlite.jdbc.JdbcSingleConnectionSource;
import mil.nga.geopackage.GeoPackageImpl;
import mil.nga.geopackage.db.GeoPackageConnection;

/**
 * Reads the features of one table of a GeoPackage with NGA's GeoPackage library.
 *
 * <p>The coordinate system comes from the table's {@code gpkg_spatial_ref_sys} row: an EPSG code
 * when the organisation is EPSG, otherwise its WKT definition. The file is opened read-only; only
 * plain feature tables listed in {@code gpkg_contents} are read (a view or virtual table would run
 * SQL chosen by whoever made the file, so it is refused).
 */
public final class GeoPackageReader {

  private final ReadLimits limits;

  public GeoPackageReader(ReadLimits limits) {
    this.limits = limits;
  }

  /** Reads the table named {@code table}, or the only feature table when null. */
  public SourceLayer read(Path file, String table) {
    requireReadableSqlite(file);
    GeoPackage gpkg;
    try {
      gpkg = openReadOnly(file);
    } catch (RuntimeException e) {
      throw new BoundaryReadException("corrupt_file", "The GeoPackage cannot be opened: " + rootMessage(e), false, e);
    }
    try (gpkg) {
      List<String> tables = gpkg.getFeatureTables();
      if (tables.isEmpty()) {
        throw new BoundaryReadException("empty_file", "The GeoPackage holds no feature table.");
      }
      String name = table;
      if (name == null) {
        if (tables.size() > 1) {
          throw new BoundaryReadException("gpkg_ambiguous",
              "The GeoPackage holds several feature tables " + tables + "; name one with the layerName parameter.");
        }
        name = tables.get(0);
      } else if (!tables.contains(name)) {
        throw new BoundaryReadException("bad_parameter", "The GeoPackage has no feature table \"" + name
            + "\"; it has " + tables + ".");
      }
      // a view or virtual table would run SQL written by whoever made the file: read plain tables only
      Object type = gpkg.getDatabase().querySingleResult(
          "SELECT type FROM sqlite_master WHERE name = ? AND sql NOT LIKE '%VIRTUAL%'", new String[] {name});
      if (!"table".equals(type)) {
        throw new BoundaryReadException("unsupported_format", "The GeoPackage layer \"" + name
            + "\" is a view or virtual table; export it as a plain feature table.");
      }
      FeatureDao dao = gpkg.getFeatureDao(name);
      String crs = crsOf(dao.getSrs());
      if (dao.count() > limits.maxFeatures()) {
        throw BoundaryReadException.tooLarge("too_many_features",
            "The table has more than " + limits.maxFeatures() + " features, the limit.");
      }
      List<SourceFeature> features = new ArrayList<>();
      List<String> fields = new ArrayList<>();
      int geomIndex = -1;
      WKBReader wkb = new WKBReader();
      FeatureResultSet rs = dao.queryForAll();
      try {
        while (rs.moveToNext()) {
          FeatureRow row = rs.getRow();
          if (geomIndex < 0) {
            geomIndex = row.getGeometryColumnIndex();
            String[] names = row.getColumnNames();
            for (int i = 0; i < names.length; i++) {
              if (i != geomIndex && !names[i].equalsIgnoreCase(row.getTable().getPkColumnName())) {
                fields.add(names[i]);
              }
            }
          }
          Map<String, Object> props = new LinkedHashMap<>();
          for (String f : fields) {
            Object v = row.getValue(f);
            props.put(f, v instanceof byte[] ? null : v);
          }
          Geometry g = null;
          GeoPackageGeometryData data = row.getGeometry();
          if (data != null && data.getWkb() != null && !data.isEmpty()) {
            g = wkb.read(data.getWkb());
            if (g.getNumPoints() > limits.maxVerticesPerFeature()) {
              throw BoundaryReadException.tooLarge("too_many_vertices", "Feature " + features.size() + " has "
                  + g.getNumPoints() + " vertices, more than the limit of " + limits.maxVerticesPerFeature() + ".");
            }
          }
          features.add(new SourceFeature(features.size(), g, props));
        }
      } finally {
        rs.close();
      }
      if (features.isEmpty()) {
        throw new BoundaryReadException("empty_file", "The GeoPackage table \"" + name + "\" holds no features.");
      }
      return new SourceLayer(BoundaryFormat.GEOPACKAGE, features, fields, crs, "UTF-8");
    } catch (IOException | ParseException | RuntimeException e) {
      if (e instanceof BoundaryReadException b) {
        throw b;
      }
      throw new BoundaryReadException("corrupt_file", "The GeoPackage cannot be read: " + rootMessage(e), false, e);
    }
  }

  /**
   * Opens the GeoPackage read-only at the SQLite level, for the feature reads and the library's own
   * table DAOs alike: {@code GeoPackageManager.open} connects writable whatever its flags say, and a file
   * opened writable could be changed by SQLite itself (a hot journal rolled back, a WAL checkpointed)
   * or by a library call. One connection serves both, and is closed with the GeoPackage.
   */
  static GeoPackage openReadOnly(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    String url = "jdbc:sqlite:" + file;
    Connection c;
    try {
      c = config.createConnection(url);
    } catch (SQLException e) {
      throw new BoundaryReadException("corrupt_file", "The GeoPackage cannot be opened: " + rootMessage(e), false, e);
    }
    try {
      JdbcSingleConnectionSource source = new JdbcSingleConnectionSource(url, c);
      GeoPackageConnection connection = new GeoPackageConnection(file.toFile(), c, source);
      return new ReadOnlyGeoPackage(file, connection);
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already failing
      }
      throw new BoundaryReadException("corrupt_file", "The GeoPackage cannot be opened: " + rootMessage(e), false, e);
    }
  }

  /** A GeoPackage the library itself also treats as not writable. */
  private static final class ReadOnlyGeoPackage extends GeoPackageImpl {
    ReadOnlyGeoPackage(Path file, GeoPackageConnection connection) {
      super(file.getFileName().toString(), file.toFile(), connection, false);
    }
  }

  /**
   * Opens the file as SQLite, read-only, and reads its schema, closing the connection either way.
   * The GeoPackage library leaves its connection open when opening a file that is not a database
   * fails (one file handle and its native memory per refused upload; found by fuzzing), so such
   * files are refused here, before the library sees them.
   */
  private static void requireReadableSqlite(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    try (Connection c = config.createConnection("jdbc:sqlite:" + file);
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
      rs.next();
    } catch (SQLException e) {
      throw new BoundaryReadException("corrupt_file", "The GeoPackage cannot be opened: " + rootMessage(e), false, e);
    }
  }

  private static String crsOf(SpatialReferenceSystem srs) {
    if (srs == null) {
      return null;
    }
    String org = srs.getOrganization() == null ? "" : srs.getOrganization().toUpperCase(Locale.ROOT);
    if (org.equals("EPSG") && srs.getOrganizationCoordsysId() > 0) {
      return "EPSG:" + srs.getOrganizationCoordsysId();
    }
    String def = srs.getDefinition();
    if (def == null || def.isBlank() || def.equalsIgnoreCase("undefined")) {
      return null;
    }
    return def;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
