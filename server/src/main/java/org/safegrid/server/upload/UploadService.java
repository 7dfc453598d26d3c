package org.safegrid.server.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.locationtech.jts.io.WKBWriter;
import org.safegrid.gisdata.boundary.BoundaryDataset;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.datum.DatumCheck;
import org.safegrid.gisdata.validate.AttributeMapping;
import org.safegrid.gisdata.validate.BoundaryValidator;
import org.safegrid.gisdata.validate.DistrictAssigner;
import org.safegrid.gisdata.validate.LayerKind;
import org.safegrid.gisdata.validate.ReportJson;
import org.safegrid.gisdata.validate.TownAssigner;
import org.safegrid.gisdata.validate.ValidatedFeature;
import org.safegrid.gisdata.validate.ValidationReport;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.safegrid.server.web.CappedCopy;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns an uploaded boundary file into a draft: reads and validates it (gis-data), locates each
 * cell's (and town's, and point layer feature's) district in the live districts layer
 * ({@link DistrictAssigner}) and each cell's town in the live towns layer ({@link TownAssigner}) —
 * the file's district and town fields are only checked against them — and if nothing blocks, stores a draft grid
 * set or overlay version with its report, all in one transaction
 * together with the audit record. A refused file leaves only its audit record behind. The
 * subdivided pieces of each stored polygon ({@code grid_cell_part}, {@code overlay_feature_part})
 * are written by database triggers in the same statements, so they commit or roll back with it.
 */
@Service
public class UploadService {

  /** A stored draft. */
  public record Draft(long id, String kind, LayerKind layer, String sha256, ObjectNode report, int version) {}

  /** What the user sent besides the bytes. */
  public record UploadRequest(String fileName, LayerKind layer, ReadOptions options, AttributeMapping mapping) {}

  /** Layers whose features carry a district code, located from the live districts layer. */
  static final java.util.Set<LayerKind> DISTRICT_BOUND =
      java.util.EnumSet.of(LayerKind.GRID, LayerKind.TOWNS, LayerKind.CAMPUSES, LayerKind.CHECKPOINTS, LayerKind.CAMERAS);

  private final BoundaryReader reader;
  private final BoundaryValidator validator;
  private final ReportJson reportJson;
  private final JdbcTemplate jdbcTemplate;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final UploadAudit audit;
  private final StatementTimeouts timeouts;
  private final UploadProperties properties;
  private final ObjectMapper json;
  private final UploadScope scope;

  UploadService(BoundaryReader reader, BoundaryValidator validator, ReportJson reportJson, JdbcTemplate jdbcTemplate,
      JdbcClient jdbc, TransactionTemplate tx, UploadAudit audit, UploadProperties properties, ObjectMapper json,
      StatementTimeouts timeouts, UploadScope scope) {
    this.scope = scope;
    this.reader = reader;
    this.validator = validator;
    this.reportJson = reportJson;
    this.jdbcTemplate = jdbcTemplate;
    this.jdbc = jdbc;
    this.tx = tx;
    this.audit = audit;
    this.properties = properties;
    this.json = json;
    this.timeouts = timeouts;
  }

  /**
   * Reads, validates and stores an upload as a draft; throws with the reason when refused. The datum
   * must be stated ({@link ReadOptions#DATUMS}): a GCJ-02 file taken for WGS84 lands 300–700 m off.
   */
  public Draft upload(InputStream body, UploadRequest req, Actor actor) {
    requireDatum(req, actor);
    Path tmp = null;
    String sha256 = null;
    try {
      scope.checkLayer(actor, req.layer());
      tmp = Files.createTempFile("safegrid-upload", ".bin");
      sha256 = copyCapped(body, tmp);
      BoundaryDataset data = reader.read(tmp, req.options());
      ValidationReport validated = validator.validate(req.layer(), data, req.mapping());
      List<String[]> notes = new java.util.ArrayList<>();
      ValidationReport report = locate(req.layer(), validated, notes);
      ObjectNode reportNode = reportJson.toJson(report);
      reportNode.put("fileName", req.fileName());
      reportNode.put("sha256", sha256);
      if (!notes.isEmpty()) {
        var array = reportNode.putArray("notes");
        notes.forEach(n -> array.addObject().put("type", n[0]).put("message", n[1]));
      }
      datumWarning(req, report, reportNode);
      if (report.blocked()) {
        refuse(actor, req, sha256, "blocking_problems", reportNode.path("counts").toString());
        throw new UploadRefusedException(blockingSummary(report), reportNode);
      }
      String digest = sha256;
      return tx.execute(s -> {
        // ST_IsValid/ST_MakeValid of large polygons run here
        timeouts.apply(QueryClass.UPLOAD);
        Draft draft = req.layer() == LayerKind.GRID
            ? storeGridSet(report, reportNode, req, digest, actor, data.epsg())
            : storeOverlay(report, reportNode, req, digest, actor);
        // a district-scoped officer's draft may differ from the live layer only inside the district:
        // checked on the stored rows, and a refusal rolls the draft back
        if (req.layer() == LayerKind.GRID) {
          scope.checkGridSetActivation(actor, draft.id());
        } else {
          scope.checkOverlayActivation(actor, req.layer(), draft.version());
        }
        return draft;
      });
    } catch (BoundaryReadException e) {
      refuse(actor, req, sha256, e.reason(), e.getMessage());
      throw e;
    } catch (UploadForbiddenException e) {
      refuse(actor, req, sha256, e.reason(), e.getMessage());
      throw e;
    } catch (IllegalArgumentException e) {
      refuse(actor, req, sha256, "bad_parameter", e.getMessage());
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // temp file cleanup is best effort
        }
      }
    }
  }

  /**
   * Locates the district (district-bound layers) and the town (grid cells) of each feature in the live
   * districts and towns layers; what cannot be checked for want of a live layer is added to {@code notes}
   * as {type, message}, so the report says so instead of passing silently.
   */
  private ValidationReport locate(LayerKind layer, ValidationReport validated, List<String[]> notes) {
    ValidationReport report = validated;
    if (DISTRICT_BOUND.contains(layer)) {
      DistrictAssigner districts = new DistrictAssigner(livePieces("districts"));
      if (districts.isEmpty()) {
        notes.add(new String[] {"districts_not_checked", "No districts layer is live: the file's district values are "
            + "stored as they are, unchecked. Upload and activate the districts layer first, then upload this file again."});
      }
      report = districts.assign(report);
    }
    if (layer == LayerKind.GRID) {
      TownAssigner towns = new TownAssigner(livePieces("towns"));
      if (towns.isEmpty()) {
        notes.add(new String[] {"towns_not_checked", "No towns layer is live: the cells' town values are stored as the "
            + "file gives them, unchecked. Upload and activate a towns layer (layer=towns) to have towns located."});
      }
      report = towns.assign(report);
    }
    return report;
  }

  /** The live version of a boundary layer (districts, towns) as its subdivided pieces; empty when none is live. */
  private List<DistrictAssigner.Piece> livePieces(String layer) {
    org.locationtech.jts.io.WKBReader wkb = new org.locationtech.jts.io.WKBReader();
    return jdbc.sql("SELECT p.code, f.name, ST_AsBinary(p.geom) FROM overlay_feature_part p "
            + "JOIN overlay_layer l ON l.layer = p.layer AND l.version = p.version "
            + "JOIN overlay_feature f ON f.id = p.feature_id WHERE p.layer = ? AND p.code IS NOT NULL")
        .param(layer)
        .query((rs, n) -> {
          try {
            return new DistrictAssigner.Piece(rs.getString(1), rs.getString(2), wkb.read(rs.getBytes(3)));
          } catch (org.locationtech.jts.io.ParseException e) {
            throw new IllegalStateException("stored " + layer + " piece unreadable", e);
          }
        }).list();
  }

  /** Refuses (400, audited) an upload that does not say which datum its coordinates are on; the file is not read. */
  private void requireDatum(UploadRequest req, Actor actor) {
    String datum = req.options().datum();
    if (datum == null || datum.isBlank()) {
      String message = "The datum is required: datum=" + ReadOptions.WGS84 + " for WGS84 or CGCS2000 coordinates "
          + "(GPS, survey data, Tianditu), datum=" + ReadOptions.GCJ02 + " for data traced from Chinese web maps "
          + "(AMap, Tencent); accepted values: " + String.join(", ", ReadOptions.DATUMS) + ". Nothing was stored.";
      refuse(actor, req, null, "datum_required", message);
      throw new UploadParameterException("datum_required", message, ReadOptions.DATUMS);
    }
  }

  /**
   * Adds {@code datumWarning} to the report when the upload, declared WGS84, sits a consistent
   * 100–700 m away from the live layer of the same kind: the mark of GCJ-02 data (see DatumCheck).
   */
  private void datumWarning(UploadRequest req, ValidationReport report, ObjectNode reportNode) {
    if (req.options().gcj02() || req.layer() == LayerKind.GRID) {
      return;
    }
    java.util.Map<String, org.locationtech.jts.geom.Geometry> uploaded = new java.util.HashMap<>();
    for (ValidatedFeature f : report.features()) {
      if (f.code() != null && f.geometry() != null) {
        uploaded.put(f.code(), f.geometry());
      }
    }
    if (uploaded.size() < DatumCheck.MIN_MATCHES) {
      return;
    }
    java.util.Map<String, org.locationtech.jts.geom.Geometry> live = new java.util.HashMap<>();
    org.locationtech.jts.io.WKBReader wkb = new org.locationtech.jts.io.WKBReader();
    jdbc.sql("SELECT f.code, ST_AsBinary(f.geom) FROM overlay_feature f JOIN overlay_layer l "
            + "ON l.layer = f.layer AND l.version = f.version WHERE f.layer = ? AND f.code IS NOT NULL")
        .param(req.layer().apiName())
        .query(rs -> {
          try {
            live.put(rs.getString(1), wkb.read(rs.getBytes(2)));
          } catch (org.locationtech.jts.io.ParseException e) {
            throw new IllegalStateException("stored geometry unreadable", e);
          }
        });
    DatumCheck.Result r = DatumCheck.compare(uploaded, live);
    if (r != null && r.suspectedGcj02()) {
      ObjectNode w = reportNode.putObject("datumWarning");
      w.put("suspected", "gcj02");
      w.put("matched", r.matched());
      w.put("medianOffsetM", Math.round(r.medianOffsetM() * 10) / 10.0);
      w.put("bearingDeg", Math.round(r.bearingDeg()));
      w.put("consistency", Math.round(r.consistency() * 1000) / 1000.0);
      w.put("message", r.message());
    }
  }

  /** "3 problems block this file (duplicate_code ×2, missing_code ×1); fix them in your GIS and upload again." */
  private static String blockingSummary(ValidationReport report) {
    java.util.Map<String, Integer> blocking = new java.util.TreeMap<>();
    report.problems().stream().filter(p -> p.blocking()).forEach(p -> blocking.merge(p.type().code(), 1, Integer::sum));
    int n = blocking.values().stream().mapToInt(Integer::intValue).sum();
    StringBuilder sb = new StringBuilder();
    blocking.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(" ×").append(v));
    return n + (n == 1 ? " problem blocks" : " problems block") + " this file (" + sb
        + "); nothing was stored. Fix them in your GIS and upload again; the report lists every problem.";
  }

  private void refuse(Actor actor, UploadRequest req, String sha256, String reason, String message) {
    ObjectNode d = audit.detail();
    d.put("fileName", req.fileName());
    d.put("layer", req.layer().apiName());
    d.put("sha256", sha256);
    d.put("result", "refused");
    d.put("reason", reason);
    d.put("message", message);
    tx.executeWithoutResult(s -> audit.record(actor, "upload", "upload", null, "failure", d));
  }

  private String copyCapped(InputStream body, Path tmp) throws IOException {
    long max = properties.maxFileBytes();
    return CappedCopy.copy(body, tmp, max, () -> BoundaryReadException.tooLarge("file_too_large",
        "The file is larger than " + (max >> 20) + " MB, the upload limit."));
  }

  /**
   * Stores a grid set draft: every cell with all the file's attributes ({@code props}) and the
   * coordinate system the file came in ({@code source_epsg}, for exports in that system).
   */
  private Draft storeGridSet(ValidationReport report, ObjectNode reportNode, UploadRequest req, String sha256,
      Actor actor, Integer sourceEpsg) {
    List<ValidatedFeature> cells = report.features();
    Long id = jdbc.sql("INSERT INTO grid_set (name, city_code, status, synthetic, source, source_sha256, cell_count, "
            + "report, created_by, source_epsg) VALUES (?, ?, 'draft', false, ?, ?, ?, ?::jsonb, ?, ?) RETURNING id")
        .params(req.fileName(), properties.cityCode(), "upload: " + req.fileName(), sha256, cells.size(),
            reportNode.toString(), actor.username(), sourceEpsg)
        .query(Long.class).single();
    WKBWriter wkb = new WKBWriter();
    jdbcTemplate.batchUpdate("INSERT INTO grid_cell (grid_set_id, cell_id, code, name, district_code, town_code, "
            + "town_name, props, area_m2, geom) SELECT ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ST_Area(g::geography), g "
            + "FROM (SELECT ST_Multi(ST_CollectionExtract(CASE WHEN ST_IsValid(w) THEN w ELSE ST_MakeValid(w) END, 3)) AS g "
            + "FROM (SELECT ST_GeomFromWKB(?, 4326) AS w) a) b",
        cells, 1000, (ps, f) -> {
          ps.setLong(1, id);
          ps.setInt(2, f.index() + 1);
          ps.setString(3, f.code());
          ps.setString(4, f.name());
          ps.setString(5, f.districtCode());
          ps.setString(6, f.townCode());
          ps.setString(7, f.townName());
          ps.setString(8, propsJson(f));
          ps.setBytes(9, wkb.write(f.geometry()));
        });
    ObjectNode d = uploadDetail(req, sha256, reportNode);
    audit.record(actor, "upload", "grid_set", id, "success", d);
    return new Draft(id, "grid-set", req.layer(), sha256, reportNode, 0);
  }

  private Draft storeOverlay(ValidationReport report, ObjectNode reportNode, UploadRequest req, String sha256,
      Actor actor) {
    String layer = req.layer().apiName();
    jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('safegrid-overlay-' || ?))").param(layer).query().singleRow();
    int version = jdbc.sql("SELECT GREATEST((SELECT coalesce(max(version), 0) FROM overlay_feature WHERE layer = ?), "
            + "(SELECT coalesce(max(version), 0) FROM overlay_draft WHERE layer = ?), "
            + "(SELECT coalesce(max(version), 0) FROM overlay_layer WHERE layer = ?)) + 1")
        .params(layer, layer, layer).query(Integer.class).single();
    List<ValidatedFeature> features = report.features();
    Long id = jdbc.sql("INSERT INTO overlay_draft (layer, version, feature_count, source, source_sha256, report, "
            + "created_by) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id")
        .params(layer, version, features.size(), "upload: " + req.fileName(), sha256, reportNode.toString(),
            actor.username())
        .query(Long.class).single();
    WKBWriter wkb = new WKBWriter();
    jdbcTemplate.batchUpdate("INSERT INTO overlay_feature (layer, version, code, name, kind, district_code, synthetic, "
            + "props, geom) SELECT ?, ?, ?, ?, ?, ?, false, ?::jsonb, "
            + "CASE WHEN ST_IsValid(w) THEN w ELSE ST_MakeValid(w) END FROM (SELECT ST_GeomFromWKB(?, 4326) AS w) a",
        features, 1000, (ps, f) -> {
          ps.setString(1, layer);
          ps.setInt(2, version);
          ps.setString(3, f.code());
          ps.setString(4, f.name());
          ps.setString(5, kindOf(f));
          ps.setString(6, f.districtCode());
          ps.setString(7, propsJson(f));
          ps.setBytes(8, wkb.write(f.geometry()));
        });
    ObjectNode d = uploadDetail(req, sha256, reportNode);
    d.put("version", version);
    audit.record(actor, "upload", "overlay_draft", id, "success", d);
    return new Draft(id, "overlay", req.layer(), sha256, reportNode, version);
  }

  /** The feature's sub-type (school type, checkpoint kind) from a kind/type attribute, if it has one. */
  private static String kindOf(ValidatedFeature f) {
    for (String k : List.of("kind", "type", "KIND", "TYPE", "类型", "类别")) {
      Object v = f.properties().get(k);
      if (v != null && !v.toString().isBlank()) {
        return v.toString().trim();
      }
    }
    return null;
  }

  private String propsJson(ValidatedFeature f) {
    try {
      return json.writeValueAsString(f.properties());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode uploadDetail(UploadRequest req, String sha256, ObjectNode reportNode) {
    ObjectNode d = audit.detail();
    d.put("fileName", req.fileName());
    d.put("layer", req.layer().apiName());
    d.put("sha256", sha256);
    d.put("result", "draft");
    d.put("features", reportNode.path("featureCount").asInt());
    d.set("problems", reportNode.path("counts"));
    return d;
  }
}
