package org.safegrid.server.coast;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.safegrid.server.hotspot.GeoJsonGeometry;
import org.safegrid.server.hotspot.LocalMetricProjection;
import org.safegrid.server.risk.GridModel;
import org.safegrid.server.risk.RiskGridLoaded;
import org.safegrid.server.risk.RiskSnapshot;
import org.safegrid.server.stats.hotspot.FalseDiscoveryRate;
import org.safegrid.server.stats.hotspot.GiStar;
import org.safegrid.server.stats.hotspot.GiStarResult;
import org.safegrid.server.stats.hotspot.HotspotClass;
import org.safegrid.server.stats.hotspot.SpatialWeights;
import org.safegrid.server.stats.hotspot.WeightsBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Risk and Gi* along 1 km segments of the coastline (overlay layer {@code coastline}) for the
 * coastal-defence view.
 *
 * <p>PostGIS cuts each coastline part into equal pieces of at most 1 km (geodesic length). A
 * segment's risk is the length-weighted mean score of the grid cells it runs through (0 where it
 * runs outside the grid, e.g. offshore islands without cells). Gi* runs over the segments with a
 * distance band between segment midpoints (default: the smallest band giving every segment a
 * neighbour, capped at 3 km so that a remote island's segments stay unconnected and are reported
 * as having no neighbours).
 */
@Service
public class CoastSegmentService {

  /** Longest segment, metres. */
  public static final double SEGMENT_METERS = 1000;
  private static final double MAX_BAND_METERS = 3000;

  private static final Logger log = LoggerFactory.getLogger(CoastSegmentService.class);

  private final JdbcTemplate jdbc;
  private final AtomicReference<Segments> cache = new AtomicReference<>();
  private final AtomicReference<CellOverlaps> overlaps = new AtomicReference<>();

  public CoastSegmentService(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The coastline cut into segments, with their weights and their GeoJSON geometry text (written once
   * per coastline version, not on every answer).
   */
  public record Segments(String version, List<Geometry> geometries, double[] lengthM, SpatialWeights weights,
                         double bandMeters, List<String> geometryJson) {}

  /**
   * Which cells each segment runs through and what share of its length lies in each: segment k's
   * entries are {@code cell[start[k]] .. cell[start[k + 1] - 1]} with their {@code share}. They depend
   * on the coastline and the grid only, so they are cut once per pair (JTS intersections are most of
   * an answer's cost) and a risk window is scored by a weighted sum.
   */
  record CellOverlaps(Segments segments, GridModel grid, int[] start, int[] cell, double[] share) {

    static CellOverlaps of(Segments s, GridModel grid) {
      STRtree cells = new STRtree();
      for (int i = 0; i < grid.size(); i++) {
        cells.insert(grid.cell(i).geometry().getEnvelopeInternal(), i);
      }
      int n = s.geometries().size();
      int[] start = new int[n + 1];
      List<Integer> cellList = new ArrayList<>();
      List<Double> shareList = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        start[k] = cellList.size();
        Geometry seg = s.geometries().get(k);
        double total = seg.getLength();
        if (total <= 0) {
          continue;
        }
        List<Integer> hits = new ArrayList<>();
        for (Object o : cells.query(new Envelope(seg.getEnvelopeInternal()))) {
          hits.add((Integer) o);
        }
        hits.sort(null); // the cells in index order: the sum adds up as it always did, whatever the tree's order
        for (int c : hits) {
          Geometry g = grid.cell(c).geometry();
          if (g.intersects(seg)) {
            cellList.add(c);
            shareList.add(g.intersection(seg).getLength() / total);
          }
        }
      }
      start[n] = cellList.size();
      return new CellOverlaps(s, grid, start, cellList.stream().mapToInt(Integer::intValue).toArray(),
          shareList.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Each segment's length-weighted mean of the cells' scores (0 outside the grid). */
    double[] risk(double[] score) {
      double[] risk = new double[start.length - 1];
      for (int k = 0; k < risk.length; k++) {
        double acc = 0;
        for (int e = start[k]; e < start[k + 1]; e++) {
          acc += score[cell[e]] * share[e];
        }
        risk[k] = acc;
      }
      return risk;
    }
  }

  /** One scored segment. */
  public record SegmentRisk(int index, Geometry geometry, double lengthM, double risk, Double z, Double p,
                            HotspotClass hotspotClass) {}

  public Segments segments() {
    String version = jdbc.queryForObject("SELECT coalesce((SELECT version::text || ':' || updated_at::text "
        + "FROM overlay_layer WHERE layer = 'coastline'), 'none')", String.class);
    Segments s = cache.get();
    if (s != null && s.version().equals(version)) {
      return s;
    }
    WKBReader wkb = new WKBReader();
    List<Geometry> geoms = new ArrayList<>();
    List<Double> lengths = new ArrayList<>();
    jdbc.query("WITH lines AS ("
        + "  SELECT (ST_Dump(ST_LineMerge(CASE WHEN ST_Dimension(o.geom) = 2 THEN ST_Boundary(o.geom) ELSE o.geom END))).geom AS g"
        + "  FROM overlay_feature o WHERE o.layer = 'coastline'"
        + "  AND o.version = coalesce((SELECT l.version FROM overlay_layer l WHERE l.layer = 'coastline'), o.version)"
        + "), parts AS (SELECT g, ST_Length(g::geography) AS len FROM lines WHERE ST_GeometryType(g) = 'ST_LineString' "
        + "  AND ST_Length(g::geography) > 0)"
        + " SELECT ST_AsBinary(ST_LineSubstring(g, i::float8 / n, (i + 1)::float8 / n)), len / n "
        + " FROM parts, LATERAL (SELECT greatest(1, ceil(len / ?))::int AS n) k, generate_series(0, n - 1) i "
        + " ORDER BY len DESC, i", rs -> {
          try {
            geoms.add(wkb.read(rs.getBytes(1)));
            lengths.add(rs.getDouble(2));
          } catch (ParseException e) {
            throw new IllegalStateException(e);
          }
        }, SEGMENT_METERS);
    double[] lon = new double[geoms.size()];
    double[] lat = new double[geoms.size()];
    for (int i = 0; i < lon.length; i++) {
      Point mid = geoms.get(i).getInteriorPoint();
      lon[i] = mid.getX();
      lat[i] = mid.getY();
    }
    double[][] xy = LocalMetricProjection.around(lat).project(lon, lat);
    double band = Math.min(MAX_BAND_METERS, Math.max(WeightsBuilder.minConnectingDistance(xy[0], xy[1]), 1));
    SpatialWeights w = WeightsBuilder.distanceBand(xy[0], xy[1], band + 1e-3);
    Segments out = new Segments(version, List.copyOf(geoms), lengths.stream().mapToDouble(Double::doubleValue).toArray(),
        w, band, geoms.stream().map(GeoJsonGeometry::write).toList());
    cache.set(out);
    return out;
  }

  /** Scores every segment against one risk window. */
  public List<SegmentRisk> score(RiskSnapshot.WindowScores ws) {
    return score(segments(), ws);
  }

  /** Scores these segments (one {@link #segments()} answer) against one risk window. */
  public List<SegmentRisk> score(Segments s, RiskSnapshot.WindowScores ws) {
    return score(s, overlapsOf(s, ws.grid()), ws.score());
  }

  /**
   * Cuts the coastline and its overlaps with a grid the engine has just loaded, before the engine
   * publishes its first snapshot (as the hotspot weights are): the first map after a start then does
   * not wait seconds for them. A failure here leaves it to the first request.
   */
  @EventListener
  public void onGridLoaded(RiskGridLoaded loaded) {
    try {
      overlapsOf(segments(), loaded.grid());
    } catch (RuntimeException e) {
      log.warn("coast segments not prepared for grid set {}: {}", loaded.grid().gridSetId(), e.toString());
    }
  }

  /** Whether the overlaps of the current coastline with this grid are cut. */
  public boolean isPreparedFor(GridModel grid) {
    CellOverlaps o = overlaps.get();
    return o != null && o.grid() == grid && o.segments() == cache.get();
  }

  /** The overlaps of these segments with this grid: cut again when either is a new one (coastline edited, grid set switched). */
  CellOverlaps overlapsOf(Segments s, GridModel grid) {
    CellOverlaps o = overlaps.get();
    if (o == null || o.segments() != s || o.grid() != grid) {
      o = CellOverlaps.of(s, grid);
      overlaps.set(o);
    }
    return o;
  }

  static List<SegmentRisk> score(Segments s, CellOverlaps overlaps, double[] score) {
    int n = s.geometries().size();
    double[] risk = overlaps.risk(score);
    List<SegmentRisk> out = new ArrayList<>(n);
    if (n < 3) {
      for (int k = 0; k < n; k++) {
        out.add(new SegmentRisk(k, s.geometries().get(k), s.lengthM()[k], risk[k], null, null, HotspotClass.NONE));
      }
      return out;
    }
    GiStarResult gi = GiStar.compute(risk, s.weights());
    HotspotClass[] cls = FalseDiscoveryRate.classify(gi);
    for (int k = 0; k < n; k++) {
      double z = gi.z(k);
      out.add(new SegmentRisk(k, s.geometries().get(k), s.lengthM()[k], risk[k], Double.isNaN(z) ? null : z,
          Double.isNaN(z) ? null : gi.p(k), cls[k]));
    }
    return out;
  }
}
