package org.safegrid.server.hotspot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Envelope;
import jakarta.servlet.http.HttpServletRequest;
import org.safegrid.server.audit.AskedQuestions;
import org.safegrid.server.audit.AuditLog;
import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.web.CsvCell;
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
  private final HotspotActivity activity;
  private final AskedQuestions asked;

  HotspotController(RiskService risk, HotspotService hotspots, ScopeFilter scopes, AuditLog audit,
                    HotspotActivity activity, AskedQuestions asked) {
    this.activity = activity;
    this.risk = risk;
    this.hotspots = hotspots;
    this.scopes = scopes;
    this.audit = audit;
    this.asked = asked;
  }

  @GetMapping("/api/hotspots")
  ResponseEntity<?> hotspots(@RequestParam(required = false) String window,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                             @RequestParam(required = false) List<String> kinds,
                             @RequestParam(required = false) String district,
                             @RequestParam(required = false) String bbox,
                             @RequestParam(required = false) List<String> sources,
                             @RequestParam(defaultValue = "0") int minSeverity,
                             @RequestParam(defaultValue = "90") int minConfidence,
                             @RequestParam(defaultValue = "count") String variable,
                             @RequestParam(required = false) Integer permutations,
                             @RequestParam(required = false) String p,
                             @RequestParam(required = false) Double minLandShare,
                             @RequestParam(defaultValue = "false") boolean includeCold,
                             @RequestParam(defaultValue = "geojson") String format,
                             HttpServletRequest request) {
    HotspotService.Variable v = switch (variable.toLowerCase(Locale.ROOT)) {
      case "risk" -> HotspotService.Variable.RISK;
      case "count", "counts" -> HotspotService.Variable.COUNT;
      case "rate" -> HotspotService.Variable.RATE;
      case "density" -> HotspotService.Variable.DENSITY;
      default -> throw new IllegalArgumentException("variable must be count, rate, density or risk");
    };
    HotspotService.Options options = options(hotspots.defaultOptions(), permutations, p, minLandShare);
    BoundingBox box = BoundingBox.parse(bbox);
    DataScope own = scopes.current();
    DataScope scope = scopes.requireAllowed(district, "hotspots");
    scopes.noteFiltered(scope, box, "hotspots");
    RiskService.WindowRequest req = RiskService.WindowRequest.parse(window, from, to);
    // events below minSeverity are not counted (the live windows keep no severity: such a question is
    // answered from PostGIS over the same interval)
    RiskSnapshot.WindowScores ws = risk.scores(req, kinds == null ? List.of() : kinds, minSeverity);
    if (sources != null && !sources.isEmpty()) {
      ws = ws.restrictKinds(kindsOfSources(ws, sources, kinds));
    }
    // a live window is answered without waiting for its recomputation (see HotspotService)
    HotspotService.Result r = risk.isLive(req) && minSeverity == 0
        ? hotspots.liveHotspots(ws, v, minConfidence, scope.districtCodeOrNull(), own.districtCodeOrNull(), options)
        : hotspots.hotspots(ws, v, minConfidence, scope.districtCodeOrNull(), own.districtCodeOrNull(), options);
    Envelope within = box == null ? null : new Envelope(box.minLon(), box.maxLon(), box.minLat(), box.maxLat());
    List<Hotspot> list = r.hotspots().stream().filter(h -> includeCold || h.hotspotClass().isHot())
        .filter(h -> within == null || within.intersects(h.geometry().getEnvelopeInternal())).toList();
    // the map polls the same question every minute: audited when the question changes, not on every poll
    String question = AskedQuestions.fingerprint(request);
    if (asked.isNew(request, "hotspot.query", question)) {
      audit.recordDisclosure("hotspot.query", "hotspots", null, AuditLog.Outcome.SUCCESS, auditDetail(ws, v,
          scope.districtCodeOrNull(), format, list.size()));
      asked.remember(request, "hotspot.query", question);
    }
    if (format.equalsIgnoreCase("csv")) {
      StringBuilder sb = new StringBuilder("rank,class,cells,cells_with_events,halo_cells,area_m2,events,mean_z,peak_z,"
          + "label_lon,label_lat,district,events_by_kind\n");
      for (Hotspot h : list) {
        sb.append(h.rank()).append(',').append(h.hotspotClass().code()).append(',').append(h.cellCount()).append(',')
            .append(h.cellsWithEvents()).append(',').append(h.haloCells()).append(',')
            .append(String.format(Locale.ROOT, "%.1f,%d,%.4f,%.4f,%.6f,%.6f,", h.areaM2(), h.eventCount(), h.meanZ(),
                h.peakZ(), h.labelLon(), h.labelLat()))
            .append(CsvCell.text(h.district())).append(',')
            .append(CsvCell.text(h.eventsByKind().toString())).append('\n');
      }
      return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"hotspots.csv\"")
          .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8)).body(sb.toString());
    }
    if (!format.equalsIgnoreCase("geojson")) {
      throw new IllegalArgumentException("format must be geojson or csv");
    }
    // trend: this window against the one of equal length before it (a live window ends now)
    Instant end = req.to() != null ? req.to() : Instant.now();
    Instant start = req.from() != null ? req.from() : end.minus(req.window());
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("trendWindow", Map.of("from", start.toString(), "to", end.toString(), "before", start.minus(req.window()).toString()));
    meta.put("gridSetId", ws.grid().gridSetId());
    meta.put("window", ws.window().toString());
    meta.put("variable", v.name().toLowerCase(Locale.ROOT));
    meta.put("minSeverity", minSeverity);
    meta.put("neighbourhood", HotspotFeatures.neighbourhood(r.weights()));
    meta.put("inference", HotspotFeatures.inference(r));
    if (r.warning() != null) {
      meta.put("warning", Map.of("code", r.warning().code(), "message", r.warning().message()));
    }
    // cells the test cannot judge (no neighbour) are counted, never silently "none"
    meta.put("cellsWithoutNeighbours", java.util.Arrays.stream(r.classes()).filter(c -> c == HotspotClass.NO_NEIGHBOURS).count());
    meta.put("excludedCells", r.excludedCells());
    meta.put("significantCells", java.util.Arrays.stream(r.classes()).filter(HotspotClass::isSignificant).count());
    return ResponseEntity.ok().contentType(MediaType.valueOf("application/geo+json"))
        .body(new GeoJsonFeatureCollection(HotspotFeatures.toFeatures(list, activity.find(list, start, end)), meta));
  }

  /** The request's inference options over the configured ones. */
  static HotspotService.Options options(HotspotService.Options defaults, Integer permutations, String p,
                                        Double minLandShare) {
    int n = permutations == null ? defaults.permutations() : permutations;
    boolean pseudo = p == null ? n > 0 : switch (p) {
      case "analytic" -> false;
      case "permutation", "pseudo" -> true;
      default -> throw new IllegalArgumentException("p must be analytic or permutation");
    };
    return new HotspotService.Options(n, pseudo, minLandShare == null ? defaults.minLandShare() : minLandShare);
  }

  /** The window's kinds of the given sources ({@code camera}, {@code checkpoint}, {@code patrol}), within {@code kinds} if given. */
  private static List<String> kindsOfSources(RiskSnapshot.WindowScores ws, List<String> sources, List<String> kinds) {
    List<String> out = new ArrayList<>();
    for (String key : ws.kinds()) {
      String source = key.substring(0, Math.max(0, key.indexOf(':')));
      String kind = key.substring(key.indexOf(':') + 1);
      if (sources.contains(source) && (kinds == null || kinds.isEmpty() || kinds.contains(key) || kinds.contains(kind))) {
        out.add(key);
      }
    }
    if (out.isEmpty()) {
      // restrictKinds reads an empty list as "all kinds": name a kind nobody reports instead
      out.add("-");
    }
    return out;
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
