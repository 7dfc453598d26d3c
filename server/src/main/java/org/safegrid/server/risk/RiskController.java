package org.safegrid.server.risk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.web.CsvNumber;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Grid risk for the map and the planner: {@code GET /api/risk} (GeoJSON or CSV) and {@code GET /api/risk/rollup}.
 * A district-scoped user gets its district's cells only; naming another district is refused (403).
 */
@RestController
class RiskController {

  private final RiskService service;
  private final ScopeFilter scopes;

  RiskController(RiskService service, ScopeFilter scopes) {
    this.service = service;
    this.scopes = scopes;
  }

  @GetMapping("/api/risk")
  ResponseEntity<?> risk(@RequestParam(required = false) String window,
                         @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                         @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                         @RequestParam(required = false) List<String> kinds,
                         @RequestParam(required = false) String district,
                         @RequestParam(required = false) Long gridSet,
                         @RequestParam(defaultValue = "geojson") String format) {
    RiskService.WindowRequest req = RiskService.WindowRequest.parse(window, from, to);
    String scoped = scopes.requireAllowed(district, "risk").districtCodeOrNull();
    RiskSnapshot snap = service.snapshot();
    if (gridSet != null && gridSet != snap.grid().gridSetId()) {
      throw new IllegalArgumentException("grid set " + gridSet + " is not the active one (" + snap.grid().gridSetId()
          + "); risk is computed on the active grid set");
    }
    RiskSnapshot.WindowScores ws = service.scores(req, kinds == null ? List.of() : kinds);
    int[] cells = RiskService.cellsIn(ws.grid(), scoped);
    Instant asOf = req.to() != null ? req.to() : snap.asOf();
    if (format.equalsIgnoreCase("csv")) {
      return csv("risk.csv", toCsv(ws, cells));
    }
    if (!format.equalsIgnoreCase("geojson")) {
      throw new IllegalArgumentException("format must be geojson or csv");
    }
    String[] geoms = service.cellGeometryJson(ws.grid());
    List<GeoJsonFeature> features = new ArrayList<>(cells.length);
    for (int c : cells) {
      GridModel.Cell cell = ws.grid().cell(c);
      RiskSnapshot.CellRisk r = ws.cell(c);
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("cellId", cell.cellId());
      p.put("code", cell.code());
      p.put("district", cell.districtCode());
      p.put("town", cell.townCode());
      p.put("score", r.score());
      p.put("level", r.level().code());
      p.put("percentile", r.percentile());
      p.put("baseline", r.baseline());
      p.put("exceedance", r.exceedance());
      p.put("predictedLower", r.predictedLower());
      p.put("predictedUpper", r.predictedUpper());
      p.put("lower", r.lower());
      p.put("upper", r.upper());
      p.put("events", r.events());
      p.put("eventTerm", r.eventTerm());
      p.put("coverageHours", r.coverageHours());
      p.put("normalized", r.normalized());
      p.put("breakdown", r.breakdown());
      p.put("relativeRisks", r.relativeRisks());
      p.put("cellRelativeRisk", r.cellRelativeRisk());
      features.add(new GeoJsonFeature(cell.code(), geoms[c], p));
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("gridSetId", ws.grid().gridSetId());
    meta.put("asOf", asOf.toString());
    meta.put("window", ws.window().toString());
    meta.put("halfLife", ws.halfLife().toString());
    meta.put("factors", ws.factors());
    meta.put("predictedSources", service.predictedSources());
    meta.put("districtOnlyIncidents", service.districtOnlyIncidents(ws.grid(), asOf.minus(ws.window()), asOf,
        kinds == null ? List.of() : kinds, scoped));
    return ResponseEntity.ok().contentType(MediaType.valueOf("application/geo+json"))
        .body(new GeoJsonFeatureCollection(features, meta));
  }

  @GetMapping("/api/risk/rollup")
  Map<String, Object> rollup(@RequestParam(defaultValue = "district") String by,
                             @RequestParam(required = false) String window,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                             @RequestParam(required = false) List<String> kinds) {
    RiskSnapshot.WindowScores ws = service.scores(RiskService.WindowRequest.parse(window, from, to),
        kinds == null ? List.of() : kinds);
    String scoped = scopes.current().districtCodeOrNull();
    Instant asOf = to != null ? to : service.snapshot().asOf();
    return Map.of("by", by, "window", ws.window().toString(),
        "rows", service.rollup(ws, by, scoped),
        "districtOnlyIncidents", service.districtOnlyIncidents(ws.grid(), asOf.minus(ws.window()), asOf,
            kinds == null ? List.of() : kinds, scoped));
  }

  static ResponseEntity<String> csv(String filename, String body) {
    return ResponseEntity.ok()
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"")
        .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8)).body(body);
  }

  private static String toCsv(RiskSnapshot.WindowScores ws, int[] cells) {
    StringBuilder sb = new StringBuilder(96 * (cells.length + 1)).append("cell_id,code,district,town,score,level,"
        + "percentile,lower,upper,events,coverage_hours,normalized,top_factor\n");
    // straight from the window's arrays: CellRisk would build each cell's breakdown and intervals
    for (int c : cells) {
      GridModel.Cell cell = ws.grid().cell(c);
      sb.append(cell.cellId()).append(',').append(esc(cell.code())).append(',').append(esc(cell.districtCode()))
          .append(',').append(esc(cell.townCode())).append(',');
      CsvNumber.appendG6(sb, ws.score()[c]).append(',').append(ws.level()[c].code()).append(',');
      CsvNumber.appendG6(sb, ws.percentile()[c]).append(',');
      CsvNumber.appendG6(sb, ws.lower()[c]).append(',');
      CsvNumber.appendG6(sb, ws.upper()[c]).append(',').append(ws.events()[c]).append(',');
      CsvNumber.appendG6(sb, ws.coverageHours()[c]).append(',');
      if (!Double.isNaN(ws.normalized()[c])) {
        CsvNumber.appendG6(sb, ws.normalized()[c]);
      }
      sb.append(',').append(esc(ws.topFactor(c))).append('\n');
    }
    return sb.toString();
  }

  static String esc(String s) {
    return org.safegrid.server.web.CsvCell.text(s);
  }
}
