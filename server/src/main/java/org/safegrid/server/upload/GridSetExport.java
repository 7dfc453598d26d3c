package org.safegrid.server.upload;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import mil.nga.geopackage.GeoPackage;
import mil.nga.geopackage.GeoPackageManager;
import mil.nga.geopackage.db.GeoPackageDataType;
import mil.nga.geopackage.features.columns.GeometryColumns;
import mil.nga.geopackage.features.user.FeatureColumn;
import mil.nga.geopackage.features.user.FeatureDao;
import mil.nga.geopackage.features.user.FeatureRow;
import mil.nga.geopackage.features.user.FeatureTableMetadata;
import mil.nga.geopackage.geom.GeoPackageGeometryData;
import mil.nga.sf.GeometryType;
import org.safegrid.server.geojson.GeoJsonSql;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Exports a grid set (any status) as GeoJSON, streamed row by row, or as a GeoPackage written with
 * NGA's library, so GIS officers can pull SafeGrid's grids back into QGIS or ArcGIS. A
 * district-scoped user exports its district's cells only.
 */
@Service
public class GridSetExport {

  private static final String COLUMNS = "code, name, district_code, town_code, town_name, area_m2";
  /** Two positional parameters, both the district code or null for every cell. */
  private static final String IN_DISTRICT = "(CAST(? AS text) IS NULL OR district_code = ?)";

  private final JdbcTemplate jdbcTemplate;
  private final JdbcClient jdbc;
  private final ObjectMapper json;
  private final UploadAudit audit;
  private final TransactionTemplate tx;
  private final StatementTimeouts timeouts;

  GridSetExport(JdbcTemplate jdbcTemplate, JdbcClient jdbc, ObjectMapper json, UploadAudit audit,
      TransactionTemplate tx, StatementTimeouts timeouts) {
    this.jdbcTemplate = jdbcTemplate;
    this.jdbc = jdbc;
    this.json = json;
    this.audit = audit;
    this.tx = tx;
    this.timeouts = timeouts;
  }

  /** The grid set's name, for the download file name; throws if there is no such set. */
  public String name(long id) {
    return jdbc.sql("SELECT name FROM grid_set WHERE id = ?").param(id).query(String.class).optional()
        .orElseThrow(() -> new NoSuchElementException("There is no grid set " + id + "."));
  }

  /** Records the export in the audit trail. */
  public void audit(long id, String format, Actor actor) {
    tx.executeWithoutResult(s -> {
      var d = audit.detail();
      d.put("format", format);
      audit.record(actor, "export", "grid_set", id, "success", d);
    });
  }

  /** Writes the set as an RFC 7946 FeatureCollection. */
  public void writeGeoJson(long id, OutputStream out) throws IOException {
    writeGeoJson(id, out, null);
  }

  /** Writes the set's cells of one district (null: all) as an RFC 7946 FeatureCollection. */
  public void writeGeoJson(long id, OutputStream out, String district) throws IOException {
    // the cells stream inside one transaction bounded by the export class's statement timeout
    try {
      tx.executeWithoutResult(s -> {
        timeouts.apply(QueryClass.EXPORT);
        try {
          writeGeoJsonInTransaction(id, out, district);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void writeGeoJsonInTransaction(long id, OutputStream out, String district) throws IOException {
    try (JsonGenerator g = json.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("type", "FeatureCollection");
      g.writeArrayFieldStart("features");
      jdbcTemplate.query("SELECT cell_id, " + GeoJsonSql.GEOMETRY + " AS geojson, " + COLUMNS
          + " FROM grid_cell WHERE grid_set_id = ? AND " + IN_DISTRICT + " ORDER BY cell_id", rs -> {
            try {
              g.writeStartObject();
              g.writeStringField("type", "Feature");
              g.writeNumberField("id", rs.getInt(1));
              g.writeFieldName("geometry");
              g.writeRawValue(rs.getString(2));
              g.writeObjectFieldStart("properties");
              g.writeStringField("code", rs.getString(3));
              writeNullable(g, "name", rs.getString(4));
              writeNullable(g, "districtCode", rs.getString(5));
              writeNullable(g, "townCode", rs.getString(6));
              writeNullable(g, "townName", rs.getString(7));
              g.writeNumberField("areaM2", Math.round(rs.getDouble(8)));
              g.writeEndObject();
              g.writeEndObject();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }, id, district, district);
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  private static void writeNullable(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  /** Writes the set into a new GeoPackage file (table {@code grid_cell}, EPSG:4326). */
  public void writeGeoPackage(long id, Path file) throws IOException {
    writeGeoPackage(id, file, null);
  }

  /** Writes the set's cells of one district (null: all) into a new GeoPackage file. */
  public void writeGeoPackage(long id, Path file, String district) throws IOException {
    Files.deleteIfExists(file);
    GeoPackageManager.create(file.toFile());
    try (GeoPackage gpkg = GeoPackageManager.open(file.toFile())) {
      GeometryColumns gc = new GeometryColumns();
      gc.setTableName("grid_cell");
      gc.setColumnName("geom");
      gc.setGeometryType(GeometryType.MULTIPOLYGON);
      gc.setZ((byte) 0);
      gc.setM((byte) 0);
      gc.setSrsId(4326);
      List<FeatureColumn> cols = List.of(
          FeatureColumn.createColumn("code", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("name", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("district_code", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("town_code", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("town_name", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("area_m2", GeoPackageDataType.DOUBLE));
      gpkg.createFeatureTable(FeatureTableMetadata.create(gc, cols));
      FeatureDao dao = gpkg.getFeatureDao("grid_cell");
      gpkg.beginTransaction();
      try {
        jdbcTemplate.query("SELECT ST_AsBinary(geom), " + COLUMNS + " FROM grid_cell WHERE grid_set_id = ? AND "
            + IN_DISTRICT + " ORDER BY cell_id",
            rs -> {
              try {
                FeatureRow row = dao.newRow();
                row.setGeometry(GeoPackageGeometryData.createFromWkbAndBuildEnvelope(4326, rs.getBytes(1)));
                row.setValue("code", rs.getString(2));
                row.setValue("name", rs.getString(3));
                row.setValue("district_code", rs.getString(4));
                row.setValue("town_code", rs.getString(5));
                row.setValue("town_name", rs.getString(6));
                row.setValue("area_m2", rs.getDouble(7));
                dao.insert(row);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }, id, district, district);
        gpkg.endTransaction(true);
      } catch (RuntimeException e) {
        gpkg.endTransaction(false);
        throw e;
      }
    }
  }
}
