package org.safegrid.server.heat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.hotspot.LocalMetricProjection;
import org.safegrid.server.risk.RiskProperties;
import org.safegrid.server.risk.RiskService;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The map's heat layer: a quartic kernel density of the window's events
 * (weighted as for risk, decayed with the window's half-life) on a raster, returned as GeoJSON
 * points at raster cell centres with their density (events per km²); cells below 1 % of the
 * maximum are left out.
 */
@Service
public class HeatService {

  private static final int MAX_EVENTS = 500_000;
  private static final int MAX_CELLS = 250_000;

  private final JdbcTemplate jdbc;
  private final RiskProperties cfg;

  public HeatService(JdbcTemplate jdbc, RiskProperties cfg) {
    this.jdbc = jdbc;
    this.cfg = cfg;
  }

  /** The heat surface of a window; bandwidth and cell size in metres, null for the defaults. */
  public GeoJsonFeatureCollection heat(String window, List<String> kinds, Double bandwidth, Double cellSize) {
    return heat(window, kinds, bandwidth, cellSize, DataScope.CITY);
  }

  /** The heat surface of the events inside a scope (a district-scoped user's map shows only its district's heat). */
  public GeoJsonFeatureCollection heat(String window, List<String> kinds, Double bandwidth, Double cellSize,
                                       DataScope scope) {
    RiskService.WindowRequest req = RiskService.WindowRequest.parse(window, null, null);
    if (bandwidth != null && !(bandwidth >= 50 && bandwidth <= 20_000)) {
      throw new IllegalArgumentException("bandwidth must be between 50 and 20000 metres");
    }
    if (cellSize != null && !(cellSize >= 25 && cellSize <= 5_000)) {
      throw new IllegalArgumentException("cellSize must be between 25 and 5000 metres");
    }
    Instant to = Instant.now();
    Instant from = to.minus(req.window());
    double halfLifeMs = cfg.halfLifeFor(req.window()).toMillis();
    List<double[]> rows = new ArrayList<>();
    List<Object> args = new ArrayList<>(List.of(Timestamp.from(from), Timestamp.from(to)));
    if (!scope.isCity()) {
      args.add(scope.districtCodeOrNull());
    }
    args.add(MAX_EVENTS);
    jdbc.query("SELECT ST_X(geom), ST_Y(geom), source, kind, severity, observed_at FROM event "
        + "WHERE observed_at >= ? AND observed_at <= ? AND kind <> 'position' AND "
        + org.safegrid.server.risk.RiskRepository.CELL_LEVEL + " "
        + (scope.isCity() ? "" : "AND " + ScopeFilter.inDistrictSql("geom") + " ")
        + "ORDER BY observed_at DESC LIMIT ?", rs -> {
          String source = rs.getString(3);
          String kind = rs.getString(4);
          if (kinds != null && !kinds.isEmpty() && !kinds.contains(kind) && !kinds.contains(source + ":" + kind)) {
            return;
          }
          double w = cfg.eventWeight(source, kind, rs.getInt(5))
              * Math.pow(2, -(to.toEpochMilli() - rs.getTimestamp(6).getTime()) / halfLifeMs);
          if (w > 0) {
            rows.add(new double[] {rs.getDouble(1), rs.getDouble(2), w});
          }
        }, args.toArray());
    int n = rows.size();
    double[] lon = new double[n];
    double[] lat = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      lon[i] = rows.get(i)[0];
      lat[i] = rows.get(i)[1];
      w[i] = rows.get(i)[2];
    }
    LocalMetricProjection proj = LocalMetricProjection.around(lat);
    double[][] xy = proj.project(lon, lat);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("window", req.window().toString());
    meta.put("events", n);
    meta.put("kernel", "quartic");
    meta.put("bandwidthRule", "0.9 * min(SD, sqrt(1/ln2) * Dm) * n^-0.2 (ArcGIS Kernel Density default)");
    List<GeoJsonFeature> features = new ArrayList<>();
    double h = bandwidth != null ? bandwidth : Math.max(KernelDensity.bandwidth(xy[0], xy[1]), 100);
    if (n > 0) {
      double s = cellSize != null ? cellSize : Math.max(25, h / 4);
      KernelDensity.Raster r = KernelDensity.compute(xy[0], xy[1], w, s, h, MAX_CELLS);
      double max = 0;
      for (double v : r.values()) {
        max = Math.max(max, v);
      }
      for (int row = 0; row < r.ny(); row++) {
        for (int col = 0; col < r.nx(); col++) {
          double v = r.values()[row * r.nx() + col];
          if (v > 0 && v >= 0.01 * max) {
            double x = r.centreX(col);
            double y = r.centreY(row);
            double plon = Math.toDegrees(x / (6_371_008.8 * Math.cos(Math.toRadians(proj.refLatDeg()))));
            double plat = Math.toDegrees(y / 6_371_008.8);
            if (!scope.contains(plon, plat)) {
              // the kernel spreads past the border; a scoped map shows its own district only
              continue;
            }
            features.add(new GeoJsonFeature(null, String.format(Locale.ROOT,
                "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", plon, plat), Map.of("density", v)));
          }
        }
      }
      meta.put("cellSizeMeters", r.cellSize());
      meta.put("maxDensity", max);
    }
    meta.put("bandwidthMeters", h);
    return new GeoJsonFeatureCollection(features, meta);
  }
}
