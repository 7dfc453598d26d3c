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
 *
 * <p>Each cell carries SafeGrid's fields (code, name, district, town, area) and every attribute of
 * the uploaded file as it was (an attribute whose name is one of SafeGrid's fields, compared without
 * case, is left out: SafeGrid's value is that attribute's, as mapped). The coordinates are WGS84
 * unless another EPSG code is asked for ({@code srid}: the set's source system or any code PostGIS
 * knows); a GeoJSON in another system names it in the legacy {@code crs} member, as GDAL writes it.
 */
@Service
public class GridSetExport {

  private static final String COLUMNS = "code, name, district_code, town_code, town_name, area_m2";
  /** SafeGrid's own fields; an original attribute of the same name (any case) is not exported twice. */
  private static final java.util.Set<String> OWN = java.util.Set.of("code", "name", "district_code", "districtcode",
      "town_code", "towncode", "town_name", "townname", "area_m2", "aream2", "geom", "fid", "id");
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

  /** The EPSG code the set was uploaded in, if known. */
  public java.util.Optional<Integer> sourceEpsg(long id) {
    return jdbc.sql("SELECT source_epsg FROM grid_set WHERE id = ? AND source_epsg IS NOT NULL").param(id)
        .query(Integer.class).optional();
  }

  /** Refuses an EPSG code PostGIS cannot transform to (a 4xx with the reason, not a failed export). */
  public void requireKnownSrid(int srid) {
    if (jdbc.sql("SELECT count(*) FROM spatial_ref_sys WHERE srid = ?").param(srid).query(Integer.class).single() == 0) {
      throw new IllegalArgumentException("crs: EPSG:" + srid + " is not a coordinate system this server knows.");
    }
  }

  private static String geometry(int srid, int decimals) {
    return srid == 4326 ? "ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7)"
        : "ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(geom, " + srid + ")), " + decimals + ")";
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
    writeGeoJson(id, out, null, 4326);
  }

  /** Writes the set's cells of one district (null: all) as an RFC 7946 FeatureCollection. */
  public void writeGeoJson(long id, OutputStream out, String district) throws IOException {
    writeGeoJson(id, out, district, 4326);
  }

  /** Writes the set's cells of one district (null: all) as GeoJSON in EPSG {@code srid} (4326: RFC 7946). */
  public void writeGeoJson(long id, OutputStream out, String district, int srid) throws IOException {
    // the cells stream inside one transaction bounded by the export class's statement timeout
    try {
      tx.executeWithoutResult(s -> {
        timeouts.apply(QueryClass.EXPORT);
        try {
          writeGeoJsonInTransaction(id, out, district, srid);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void writeGeoJsonInTransaction(long id, OutputStream out, String district, int srid) throws IOException {
    try (JsonGenerator g = json.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("type", "FeatureCollection");
      if (jdbc.sql("SELECT synthetic FROM grid_set WHERE id = ?").param(id).query(Boolean.class).optional().orElse(false)) {
        g.writeBooleanField("synthetic", true); // only when true: a real grid carries no label
      }
      if (srid != 4326) {
        g.writeObjectFieldStart("crs");
        g.writeStringField("type", "name");
        g.writeObjectFieldStart("properties");
        g.writeStringField("name", "urn:ogc:def:crs:EPSG::" + srid);
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeArrayFieldStart("features");
      jdbcTemplate.query("SELECT cell_id, " + geometry(srid, 3) + " AS geojson, " + COLUMNS
          + ", props::text FROM grid_cell WHERE grid_set_id = ? AND " + IN_DISTRICT + " ORDER BY cell_id", rs -> {
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
              var original = json.readTree(rs.getString(9)).fields();
              while (original.hasNext()) {
                var e = original.next();
                if (!OWN.contains(e.getKey().toLowerCase(java.util.Locale.ROOT)) && !e.getKey().equals("districtCode")
                    && !e.getKey().equals("townCode") && !e.getKey().equals("townName") && !e.getKey().equals("areaM2")) {
                  g.writeFieldName(e.getKey());
                  g.writeTree(e.getValue());
                }
              }
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
    writeGeoPackage(id, file, null, 4326);
  }

  /** Writes the set's cells of one district (null: all) into a new GeoPackage file in WGS84. */
  public void writeGeoPackage(long id, Path file, String district) throws IOException {
    writeGeoPackage(id, file, district, 4326);
  }

  /** Writes the set's cells of one district (null: all) into a new GeoPackage file in EPSG {@code srid}. */
  public void writeGeoPackage(long id, Path file, String district, int srid) throws IOException {
    Files.deleteIfExists(file);
    GeoPackageManager.create(file.toFile());
    // the original attributes and their JSON types: numbers stay numbers, the rest is text
    java.util.Map<String, GeoPackageDataType> attrs = new java.util.LinkedHashMap<>();
    jdbc.sql("SELECT e.key, bool_and(jsonb_typeof(e.value) IN ('number', 'null')), "
            + "bool_and(jsonb_typeof(e.value) <> 'number' OR e.value::text !~ '[.eE]'), min(c.cell_id) "
            + "FROM grid_cell c, jsonb_each(c.props) e WHERE c.grid_set_id = ? GROUP BY e.key ORDER BY 4, 1")
        .param(id).query(rs -> {
          String k = rs.getString(1);
          if (!OWN.contains(k.toLowerCase(java.util.Locale.ROOT))
              && attrs.keySet().stream().noneMatch(a -> a.equalsIgnoreCase(k))) {
            attrs.put(k, !rs.getBoolean(2) ? GeoPackageDataType.TEXT
                : rs.getBoolean(3) ? GeoPackageDataType.INTEGER : GeoPackageDataType.DOUBLE);
          }
        });
    try (GeoPackage gpkg = GeoPackageManager.open(file.toFile())) {
      if (srid != 4326) {
        createSrs(gpkg, srid);
      }
      GeometryColumns gc = new GeometryColumns();
      gc.setTableName("grid_cell");
      gc.setColumnName("geom");
      gc.setGeometryType(GeometryType.MULTIPOLYGON);
      gc.setZ((byte) 0);
      gc.setM((byte) 0);
      gc.setSrsId(srid);
      List<FeatureColumn> cols = new java.util.ArrayList<>(List.of(
          FeatureColumn.createColumn("code", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("name", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("district_code", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("town_code", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("town_name", GeoPackageDataType.TEXT),
          FeatureColumn.createColumn("area_m2", GeoPackageDataType.DOUBLE)));
      attrs.forEach((k, t) -> cols.add(FeatureColumn.createColumn(k, t)));
      gpkg.createFeatureTable(FeatureTableMetadata.create(gc, cols));
      FeatureDao dao = gpkg.getFeatureDao("grid_cell");
      gpkg.beginTransaction();
      try {
        jdbcTemplate.query("SELECT ST_AsBinary(" + (srid == 4326 ? "geom" : "ST_Transform(geom, " + srid + ")") + "), "
            + COLUMNS + ", props::text FROM grid_cell WHERE grid_set_id = ? AND " + IN_DISTRICT + " ORDER BY cell_id",
            rs -> {
              try {
                FeatureRow row = dao.newRow();
                row.setGeometry(GeoPackageGeometryData.createFromWkbAndBuildEnvelope(srid, rs.getBytes(1)));
                com.fasterxml.jackson.databind.JsonNode props = json.readTree(rs.getString(8));
                attrs.forEach((k, t) -> {
                  com.fasterxml.jackson.databind.JsonNode v = props.get(k);
                  if (v != null && !v.isNull()) {
                    row.setValue(k, t == GeoPackageDataType.TEXT ? (v.isTextual() ? v.asText() : v.toString())
                        : t == GeoPackageDataType.INTEGER ? (Object) v.asLong() : (Object) v.asDouble());
                  }
                });
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

  /** Adds EPSG {@code srid} to the GeoPackage's spatial reference systems, with PostGIS's WKT as its definition. */
  private void createSrs(GeoPackage gpkg, int srid) {
    String wkt = jdbc.sql("SELECT srtext FROM spatial_ref_sys WHERE srid = ?").param(srid).query(String.class).single();
    try {
      var dao = gpkg.getSpatialReferenceSystemDao();
      if (dao.queryForId((long) srid) == null) {
        mil.nga.geopackage.srs.SpatialReferenceSystem srs = new mil.nga.geopackage.srs.SpatialReferenceSystem();
        srs.setSrsName("EPSG:" + srid);
        srs.setSrsId(srid);
        srs.setOrganization("EPSG");
        srs.setOrganizationCoordsysId(srid);
        srs.setDefinition(wkt);
        dao.create(srs);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("GeoPackage spatial reference system not written", e);
    }
  }
}
