package org.safegrid.server.patrol;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Patrol coverage of the places that matter: for each hotspot / high-risk cell, when a patrol unit
 * last passed within the cover distance, which unit, and the patrol minutes spent there in the window
 * (distinct unit-minutes with at least one position ping within the distance).
 */
@Service
public class CoverageService {

  private final JdbcClient jdbc;
  private final TargetSource targets;
  private final PatrolProperties properties;

  public CoverageService(JdbcClient jdbc, TargetSource targets, PatrolProperties properties) {
    this.jdbc = jdbc;
    this.targets = targets;
    this.properties = properties;
  }

  /**
   * Coverage of one target.
   *
   * @param target        the place
   * @param geometry      its area as GeoJSON geometry text
   * @param lastCoveredAt last time a unit passed within the distance in the window, or null
   * @param lastUnit      that unit
   * @param patrolMinutes unit-minutes spent within the distance in the window
   */
  public record Coverage(TargetSource.Target target, String geometry, OffsetDateTime lastCoveredAt, String lastUnit, long patrolMinutes) {

    public boolean covered() {
      return lastCoveredAt != null;
    }
  }

  /** Coverage of the riskiest places over the window ending now. */
  public List<Coverage> listCoverage(Duration window, double distanceMeters) {
    return listCoverage(window, distanceMeters, null);
  }

  /** Coverage of the riskiest places of one district (null: the whole city) over the window ending now. */
  public List<Coverage> listCoverage(Duration window, double distanceMeters, String district) {
    if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(31)) > 0) {
      throw new IllegalArgumentException("window must be between 1 minute and 31 days");
    }
    if (!(distanceMeters > 0) || distanceMeters > 50_000) {
      throw new IllegalArgumentException("distance must be between 0 and 50000 metres");
    }
    List<TargetSource.Target> list = targets.listTargets(properties.targetLimit(), properties.riskWindow(), district)
        .targets();
    if (list.isEmpty()) {
      return List.of();
    }
    String[] ids = list.stream().map(TargetSource.Target::id).toArray(String[]::new);
    String[] wkts = list.stream().map(TargetSource.Target::wkt).toArray(String[]::new);
    Map<String, Coverage> byId = new HashMap<>();
    // the && prefilter in degrees (generous at these latitudes) lets the GiST index on event.geom work
    String near = "e.source = 'patrol' AND e.kind = 'position' AND e.observed_at > :since "
        + "AND e.geom && ST_Expand(t.geom, :deg) AND ST_DWithin(e.geom::geography, t.geom::geography, :d)";
    jdbc.sql("WITH t AS (SELECT id, ST_GeomFromText(wkt, 4326) AS geom FROM unnest(CAST(:ids AS text[]), "
            + "CAST(:wkts AS text[])) AS x(id, wkt)) "
            + "SELECT t.id, last.unit, last.at, mins.n, ST_AsGeoJSON(ST_ForcePolygonCCW(t.geom), 7) FROM t "
            + "LEFT JOIN LATERAL (SELECT coalesce(e.attrs->>'unitId', e.source_id) AS unit, e.observed_at AS at FROM event e "
            + "WHERE " + near + " ORDER BY e.observed_at DESC LIMIT 1) last ON true "
            + "LEFT JOIN LATERAL (SELECT count(DISTINCT (coalesce(e.attrs->>'unitId', e.source_id), "
            + "date_trunc('minute', e.observed_at))) AS n FROM event e WHERE " + near + ") mins ON true")
        .param("ids", ids).param("wkts", wkts)
        .param("since", Timestamp.from(Instant.now().minus(window)))
        .param("deg", distanceMeters / 111_320.0 / Math.cos(Math.toRadians(60)))
        .param("d", distanceMeters)
        .query(rs -> {
          String id = rs.getString(1);
          TargetSource.Target t = list.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
          byId.put(id, new Coverage(t, rs.getString(5), rs.getObject(3, OffsetDateTime.class), rs.getString(2), rs.getLong(4)));
        });
    List<Coverage> out = new ArrayList<>();
    for (TargetSource.Target t : list) {
      out.add(byId.get(t.id()));
    }
    return out;
  }

  /** The same as a GeoJSON layer; {@code uncoveredOnly} gives the layer of places no unit covered in the window. */
  public GeoJsonFeatureCollection toGeoJson(List<Coverage> coverage, boolean uncoveredOnly, Duration window,
                                            double distanceMeters) {
    List<GeoJsonFeature> features = new ArrayList<>();
    for (Coverage c : coverage) {
      if (uncoveredOnly && c.covered()) {
        continue;
      }
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("kind", c.target().kind());
      p.put("name", c.target().name());
      p.put("risk", c.target().risk());
      p.put("covered", c.covered());
      p.put("lastCoveredAt", c.lastCoveredAt() == null ? null : c.lastCoveredAt().toInstant().toString());
      p.put("lastUnit", c.lastUnit());
      p.put("patrolMinutes", c.patrolMinutes());
      features.add(new GeoJsonFeature(c.target().id(), c.geometry(), p));
    }
    return new GeoJsonFeatureCollection(features, Map.of("layer", uncoveredOnly ? "uncovered-hotspots" : "patrol-coverage",
        "windowMinutes", window.toMinutes(), "distanceMeters", distanceMeters));
  }

  /**
   * How many of the given cells of a grid set a patrol unit visited in {@code [from, to)}: a cell is
   * visited when at least one patrol position ping observed in the interval lies within the cover
   * distance ({@code safegrid.patrol.cover-distance-meters}) of it, the rule of the coverage layer.
   * Reads the stored position pings (the {@code event} table), so an interval older than event
   * retention finds none.
   */
  public int countCellsVisited(long gridSetId, int[] cellIds, Instant from, Instant to) {
    if (cellIds.length == 0) {
      return 0;
    }
    double d = properties.coverDistanceMeters();
    Integer n = jdbc.sql("SELECT count(*) FROM grid_cell c WHERE c.grid_set_id = :gs AND c.cell_id = ANY(:ids) "
            + "AND EXISTS (SELECT 1 FROM event e WHERE e.source = 'patrol' AND e.kind = 'position' "
            + "AND e.observed_at >= :from AND e.observed_at < :to AND e.geom && ST_Expand(c.geom, :deg) "
            + "AND ST_DWithin(e.geom::geography, c.geom::geography, :d))")
        .param("gs", gridSetId).param("ids", cellIds)
        .param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
        // the && prefilter in degrees (generous at these latitudes) lets the GiST index on event.geom work
        .param("deg", d / 111_320.0 / Math.cos(Math.toRadians(60))).param("d", d)
        .query(Integer.class).single();
    return n;
  }
}
