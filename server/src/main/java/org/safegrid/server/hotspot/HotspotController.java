package org.safegrid.server.hotspot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Envelope;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.safegrid.server.stats.hotspot.HotspotClass;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ranked hotspot polygons ({@code GET /api/hotspots}) as GeoJSON or CSV, optionally those meeting a
 * {@code bbox}. A district-scoped user gets hotspots made of its district's cells only.
 */
@RestController
class HotspotController {

  private final RiskService risk;
  private final HotspotService hotspots;
  private final ScopeFilter scopes;
  private final AuditLog audit;

  HotspotController(RiskService risk, HotspotService hotspots, ScopeFilter scopes, AuditLog audit) {
    this.risk = risk;
    this.hotspots = hotspots;
    this.scopes = scopes;
    this.audit = audit;
  }

  @GetMapping("/api/hotspots")
  ResponseEntity<?> hotspots(@RequestParam(required = false) String window,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                             @RequestParam(required = false) List<String> kinds,
                             @RequestParam(required = false) String district,
                             @RequestParam(required = false) String bbox,
                             @RequestParam(defaultValue = "90") int minConfidence,
                             @RequestParam(defaultValue = "risk") String variable,
                             @RequestParam(defaultValue = "false") boolean includeCold,
                             @RequestParam(defaultValue = "geojson") String format) {
    HotspotService.Variable v = switch (variable.toLowerCase(Locale.ROOT)) {
      case "risk" -> HotspotService.Variable.RISK;
      case "count", "counts" -> HotspotService.Variable.COUNT;
      default -> throw new IllegalArgumentException("variable must be risk or count");
    };
    BoundingBox box = BoundingBox.parse(bbox);
    DataScope own = scopes.current();
    DataScope scope = scopes.requireAllowed(district, "hotspots");
    scopes.noteFiltered(scope, box, "hotspots");
    RiskService.WindowRequest req = RiskService.WindowRequest.parse(window, from, to);
    RiskSnapshot.WindowScores ws = risk.scores(req, kinds == null ? List.of() : kinds);
    // a live window is answered without waiting for its recomputation (see HotspotService)
    HotspotService.Result r = risk.isLive(req)
        ? hotspots.liveHotspots(ws, v, minConfidence, scope.districtCodeOrNull(), own.districtCodeOrNull())
        : hotspots.hotspots(ws, v, minConfidence, scope.districtCodeOrNull(), own.districtCodeOrNull());
    Envelope within = box == null ? null : new Envelope(box.minLon(), box.maxLon(), box.minLat(), box.maxLat());
    List<Hotspot> list = r.hotspots().stream().filter(h -> includeCold || h.hotspotClass().isHot())
        .filter(h -> within == null || within.intersects(h.geometry().getEnvelopeInternal())).toList();
    audit.recordDisclosure("hotspot.query", "hotspots", null, AuditLog.Outcome.SUCCESS, auditDetail(ws, v,
        scope.districtCodeOrNull(), format, list.size()));
    if (format.equalsIgnoreCase("csv")) {
      StringBuilder sb = new StringBuilder("rank,class,cells,area_m2,events,mean_z,peak_z,centroid_lon,centroid_lat,district,events_by_kind\n");
      for (Hotspot h : list) {
        sb.append(h.rank()).append(',').append(h.hotspotClass().code()).append(',').append(h.cellCount()).append(',')
            .append(String.format(Locale.ROOT, "%.1f,%d,%.4f,%.4f,%.6f,%.6f,", h.areaM2(), h.eventCount(), h.meanZ(),
                h.peakZ(), h.centroidLon(), h.centroidLat()))
            .append(h.district() == null ? "" : h.district()).append(",\"")
            .append(h.eventsByKind().toString().replace("\"", "")).append("\"\n");
      }
      return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"hotspots.csv\"")
          .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8)).body(sb.toString());
    }
    if (!format.equalsIgnoreCase("geojson")) {
      throw new IllegalArgumentException("format must be geojson or csv");
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("gridSetId", ws.grid().gridSetId());
    meta.put("window", ws.window().toString());
    meta.put("variable", v.name().toLowerCase(Locale.ROOT));
    meta.put("weights", r.weights().type());
    if (!Double.isNaN(r.weights().bandMeters())) {
      meta.put("bandMeters", r.weights().bandMeters());
    }
    meta.put("fdr", "Benjamini-Hochberg");
    // cells the test cannot judge (no neighbour within the band) are counted, never silently "none"
    meta.put("cellsWithoutNeighbours", java.util.Arrays.stream(r.classes()).filter(c -> c == HotspotClass.NO_NEIGHBOURS).count());
    meta.put("significantCells", java.util.Arrays.stream(r.classes()).filter(HotspotClass::isSignificant).count());
    return ResponseEntity.ok().contentType(MediaType.valueOf("application/geo+json"))
        .body(new GeoJsonFeatureCollection(HotspotFeatures.toFeatures(list), meta));
  }

  private static Map<String, Object> auditDetail(RiskSnapshot.WindowScores ws, HotspotService.Variable v, String district,
      String format, int hotspotCount) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("window", ws.window().toString());
    d.put("variable", v.name().toLowerCase(Locale.ROOT));
    d.put("district", district);
    d.put("format", format);
    d.put("hotspots", hotspotCount);
    return d;
  }
}
