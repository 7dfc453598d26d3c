package org.safegrid.server.briefing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.hotspot.HotspotActivity;
import org.safegrid.server.hotspot.HotspotFeatures;
import org.safegrid.server.hotspot.HotspotService;
import org.safegrid.server.incident.IncidentService;
import org.safegrid.server.patrol.CoverageService;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskRepository;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The figures of a printable briefing for one period and one district (or the whole city), each
 * taken from the service that owns it: hotspots and their trend from the hotspot service (the map's
 * {@code /api/hotspots} for the same interval), 警情 (reported incidents, {@code source = incident})
 * counted by kind and channel against the previous period, alert incidents from the incident service,
 * feed gaps from the silence alerts, and the patrol coverage of the hotspot cells from the coverage service.
 */
@Service
public class BriefingService {

  /** SafeGrid's incident kinds and channels, always listed so a quiet category shows as 0, not as missing. */
  static final List<String> KINDS = List.of("violent", "property", "disorder", "traffic", "dispute", "fraud", "other");
  static final List<String> CHANNELS = List.of("110", "12345", "grid");

  private final RiskService risk;
  private final HotspotService hotspots;
  private final HotspotActivity activity;
  private final IncidentService incidents;
  private final CoverageService coverage;
  private final FeedGaps feedGaps;
  private final JdbcClient jdbc;
  private final BriefingProperties properties;

  BriefingService(RiskService risk, HotspotService hotspots, HotspotActivity activity, IncidentService incidents,
                  CoverageService coverage, FeedGaps feedGaps, JdbcClient jdbc, BriefingProperties properties) {
    this.risk = risk;
    this.hotspots = hotspots;
    this.activity = activity;
    this.incidents = incidents;
    this.coverage = coverage;
    this.feedGaps = feedGaps;
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /** The briefing of {@code period} for {@code scope} (a district, or the whole city), as the API's JSON object. */
  public Map<String, Object> getBriefing(BriefingPeriod period, DataScope scope) {
    String district = scope.districtCodeOrNull();
    RiskSnapshot snap = risk.snapshot();
    GridModel grid = snap.grid();
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("from", period.from().toString());
    p.put("to", period.to().toString());
    p.put("previousFrom", period.previousFrom().toString());
    p.put("previousTo", period.from().toString());
    p.put("hours", period.length().toMinutes() / 60.0);
    p.put("timezone", properties.timezone().getId());
    out.put("period", p);
    out.put("district", district == null ? null : Map.of("code", district, "name", districtName(district)));
    out.put("generatedAt", Instant.now().toString());

    // hotspots: Gi* on the period's event counts per cell, as /api/hotspots?from&to answers
    RiskSnapshot.WindowScores ws = risk.compute(grid, period.from(), period.to());
    HotspotService.Result r = hotspots.hotspots(ws, HotspotService.Variable.COUNT, 90, district, district);
    List<Hotspot> hot = r.hotspots().stream().filter(h -> h.hotspotClass().isHot()).toList();
    List<Hotspot> top = hot.stream().limit(properties.topHotspots()).toList();
    List<GeoJsonFeature> features = HotspotFeatures.toFeatures(top, activity.find(top, period.from(), period.to()));
    for (int i = 0; i < top.size(); i++) {
      Hotspot h = top.get(i);
      // the cell of the strongest z: a code an officer can find on the grid
      int peak = Arrays.stream(h.cells()).boxed()
          .max((a, b) -> Double.compare(r.gi().z(a), r.gi().z(b))).orElseThrow();
      features.get(i).properties().put("peakCell", grid.cell(peak).code());
    }
    Map<String, Object> hs = new LinkedHashMap<>();
    hs.put("gridSetId", grid.gridSetId());
    hs.put("variable", "count");
    hs.put("minConfidence", 90);
    hs.put("hotspotCount", hot.size());
    hs.put("trend", "events in the hotspot this period against the previous period of equal length "
        + "(patrol position pings excluded); up/down when the change is at least 3 events and a quarter");
    hs.put("top", new GeoJsonFeatureCollection(features));
    out.put("hotspots", hs);

    out.put("incidents", reportedIncidents(period, scope, grid));

    IncidentService.PeriodSummary now = incidents.summarize(period.from(), period.to(), scope);
    IncidentService.PeriodSummary before = incidents.summarize(period.previousFrom(), period.from(), scope);
    Map<String, Object> ai = new LinkedHashMap<>();
    ai.put("total", now.total());
    ai.put("previousTotal", before.total());
    ai.put("byRule", now.byRule());
    ai.put("bySeverity", now.bySeverity());
    ai.put("acknowledged", now.acknowledged());
    ai.put("closed", now.closed());
    ai.put("medianAcknowledgeSeconds", now.medianAckSeconds());
    ai.put("medianCloseSeconds", now.medianCloseSeconds());
    ai.put("note", "alert incidents (groups of alerts worked by the duty officer) opened in the period; response "
        + "times from opening to acknowledgement and to closing");
    out.put("alertIncidents", ai);

    Map<String, Object> fh = new LinkedHashMap<>();
    fh.put("sources", feedGaps.summarize(period, scope, Instant.now()));
    fh.put("method", "gaps are the silence alerts of the period: from the source's last-seen time to the alert's "
        + "close; uptime share = 1 - gap time / (sources known to feed health x period so far)");
    out.put("feedHealth", fh);

    int[] cellIds = hot.stream().flatMapToInt(h -> Arrays.stream(h.cells())).distinct()
        .map(c -> grid.cell(c).cellId()).toArray();
    int visited = coverage.countCellsVisited(grid.gridSetId(), cellIds, period.from(), period.to());
    Map<String, Object> pc = new LinkedHashMap<>();
    pc.put("hotspotCells", cellIds.length);
    pc.put("visitedCells", visited);
    pc.put("share", cellIds.length == 0 ? null : visited / (double) cellIds.length);
    pc.put("method", "cells of the period's hotspots with at least one patrol position ping of the period within "
        + "the cover distance (safegrid.patrol.cover-distance-meters)");
    out.put("patrolCoverage", pc);
    return out;
  }

  /**
   * 警情: the reported incidents ({@code source = incident}) observed in the period and the previous one,
   * by kind and by channel, inside the scope (a point inside the district's polygon; one located only to
   * a district centroid by its {@code location.districtCode} when it has one). How many were located
   * only to a district centroid comes from the risk service, which keeps them out of every cell.
   */
  private Map<String, Object> reportedIncidents(BriefingPeriod period, DataScope scope, GridModel grid) {
    Map<String, Long> kindNow = zeros(KINDS);
    Map<String, Long> kindBefore = zeros(KINDS);
    Map<String, Long> channelNow = zeros(CHANNELS);
    Map<String, Long> channelBefore = zeros(CHANNELS);
    Map<String, Object> params = new HashMap<>();
    params.put("prev", Timestamp.from(period.previousFrom()));
    params.put("from", Timestamp.from(period.from()));
    params.put("to", Timestamp.from(period.to()));
    String inScope = "";
    if (!scope.isCity()) {
      params.put("district", scope.districtCodeOrNull());
      inScope = " AND CASE WHEN NOT " + RiskRepository.CELL_LEVEL + " AND attrs->'location'->>'districtCode' IS NOT NULL "
          + "THEN attrs->'location'->>'districtCode' = :district ELSE " + ScopeFilter.inDistrictSql("geom", "district") + " END";
    }
    jdbc.sql("SELECT observed_at >= :from, kind, coalesce(attrs->>'channel', 'unknown'), count(*) FROM event "
            + "WHERE source = 'incident' AND observed_at >= :prev AND observed_at < :to" + inScope + " GROUP BY 1, 2, 3")
        .params(params)
        .query(rs -> {
          boolean current = rs.getBoolean(1);
          long n = rs.getLong(4);
          (current ? kindNow : kindBefore).merge(rs.getString(2), n, Long::sum);
          (current ? channelNow : channelBefore).merge(rs.getString(3), n, Long::sum);
        });
    long total = kindNow.values().stream().mapToLong(Long::longValue).sum();
    long previous = kindBefore.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("previousTotal", previous);
    out.put("change", previous == 0 ? null : (total - previous) / (double) previous);
    out.put("byKind", compare(kindNow, kindBefore));
    out.put("byChannel", compare(channelNow, channelBefore));
    Map<String, Object> centroid = risk.districtOnlyIncidents(grid, period.from(), period.to(), List.of(),
        scope.districtCodeOrNull());
    out.put("districtCentroidOnly", centroid.get("total"));
    out.put("note", "reported incidents (警情: 110 calls, 12345 complaints, grid officers' reports) by event time; "
        + "those located only to a district centroid are counted here but in no hotspot cell");
    return out;
  }

  private static Map<String, Long> zeros(List<String> keys) {
    Map<String, Long> m = new LinkedHashMap<>();
    keys.forEach(k -> m.put(k, 0L));
    return m;
  }

  private static Map<String, Map<String, Long>> compare(Map<String, Long> now, Map<String, Long> before) {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    before.keySet().forEach(k -> now.putIfAbsent(k, 0L));
    now.forEach((k, n) -> out.put(k, Map.of("count", n, "previous", before.getOrDefault(k, 0L))));
    return out;
  }

  private String districtName(String code) {
    return jdbc.sql("SELECT coalesce(f.name, f.code) FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version "
            + "WHERE f.layer = 'districts' AND f.code = ? LIMIT 1").param(code).query(String.class).optional().orElse(code);
  }
}
