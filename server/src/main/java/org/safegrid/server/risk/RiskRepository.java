package org.safegrid.server.risk;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.safegrid.server.reliability.StatementTimeouts;

/**
 * Reads what the engine needs from PostGIS: the active grid, the cells' environment, and events.
 * Plain JDBC on a {@link DataSource}, so the benchmark and the backtest use it without Spring.
 */
public final class RiskRepository {

  /**
   * SQL condition on {@code event}: the row belongs to a cell. An incident located only to its
   * district's centroid is stored but kept out of every cell statistic (risk, hotspots, forecast,
   * backtest); it is counted at district level instead ({@link #listDistrictOnly}).
   */
  public static final String CELL_LEVEL = "coalesce(attrs->'location'->>'quality', '') <> 'district_centroid'";

  /** Patrol position pings counted per hour and ~10 m spot, for coverage. */
  public record PingCount(long hourStartMs, double lon, double lat, long count) {}

  /**
   * Counts patrol position pings observed in [from, to) per hour and per spot rounded to 1e-4°
   * (about 10 m), so that a week of pings loads as a few hundred thousand rows, not hundreds of
   * millions; a ping within ~5 m of a cell border may be counted in the neighbouring cell.
   */
  public void forEachPingCount(Instant from, Instant to, Instant receivedBefore,
                               java.util.function.Consumer<PingCount> consumer) {
    String sql = "SELECT extract(epoch FROM date_trunc('hour', observed_at))::bigint * 1000, "
        + "round(ST_X(geom)::numeric, 4)::float8, round(ST_Y(geom)::numeric, 4)::float8, count(*) "
        + "FROM event WHERE source = 'patrol' AND kind = 'position' AND observed_at >= ? AND observed_at < ? "
        + "AND received_at < ? GROUP BY 1, 2, 3";
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      StatementTimeouts.setLocal(c, statementTimeout);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(10_000);
        ps.setTimestamp(1, Timestamp.from(from));
        ps.setTimestamp(2, Timestamp.from(to));
        ps.setTimestamp(3, Timestamp.from(receivedBefore));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            consumer.accept(new PingCount(rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getLong(4)));
          }
        }
      } finally {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count patrol pings: " + e.getMessage(), e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** The Java side of {@link #CELL_LEVEL}, for events handed over by the live feed. */
  public static boolean isCellLevel(String source, String attrsJson) {
    if (!"incident".equals(source) || attrsJson == null || !attrsJson.contains("district_centroid")) {
      return true;
    }
    try {
      return !"district_centroid".equals(JSON.readTree(attrsJson).path("location").path("quality").asText());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return true;
    }
  }

  /** One event row as the engine consumes it. */
  public record EventRow(String id, String source, String kind, int severity, long observedMs, long receivedMs,
                         double lon, double lat) {}

  private final DataSource ds;
  private final Duration statementTimeout;

  public RiskRepository(DataSource ds) {
    this(ds, null);
  }

  /**
   * A repository whose streaming reads (events, patrol pings) are bounded by {@code statementTimeout}
   * ({@code SET LOCAL statement_timeout}); null: unbounded.
   */
  public RiskRepository(DataSource ds, Duration statementTimeout) {
    this.ds = ds;
    this.statementTimeout = statementTimeout;
  }

  /** The id of the active grid set, if any. */
  public Optional<Long> findActiveGridSetId() {
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT id FROM grid_set WHERE status = 'active'");
         ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the active grid set: " + e.getMessage(), e);
    }
  }

  /** Loads the cells of a grid set, ordered by cell id. */
  public GridModel loadGrid(long gridSetId) {
    List<GridModel.Cell> cells = new ArrayList<>();
    WKBReader wkb = new WKBReader();
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT cell_id, code, name, district_code, town_code, town_name, "
             + "area_m2, ST_AsBinary(geom) FROM grid_cell WHERE grid_set_id = ? ORDER BY cell_id")) {
      ps.setLong(1, gridSetId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Geometry g = wkb.read(rs.getBytes(8));
          g.setSRID(4326);
          cells.add(new GridModel.Cell(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getDouble(7), g));
        }
      }
    } catch (SQLException | ParseException e) {
      throw new IllegalStateException("cannot load grid set " + gridSetId + ": " + e.getMessage(), e);
    }
    return new GridModel(gridSetId, cells);
  }

  /** Computes every cell's exposure to campuses, coastal zone, checkpoints, cameras and the configured overlays, in PostGIS. */
  public CellEnvironment loadEnvironment(GridModel grid, RiskProperties cfg) {
    Map<Integer, Integer> index = new HashMap<>();
    for (int i = 0; i < grid.size(); i++) {
      index.put(grid.cell(i).cellId(), i);
    }
    int n = grid.size();
    double[] campus = exposure(grid, index, "campuses", cfg.campusRadiusMeters());
    double[] checkpoint = exposure(grid, index, "checkpoints", cfg.checkpointRadiusMeters());
    double[] coastal = exposure(grid, index, "coastal_zone", cfg.campusRadiusMeters());
    Map<String, double[]> overlays = new HashMap<>();
    for (String layer : cfg.overlayWeights().keySet()) {
      overlays.put(layer, exposure(grid, index, layer, cfg.campusRadiusMeters()));
    }
    int[] cameras = countInside(grid, index, "cameras", n);
    int[] checkpoints = countInside(grid, index, "checkpoints", n);
    return new CellEnvironment(campus, coastal, checkpoint, overlays, cameras, checkpoints);
  }

  private static final String LIVE_VERSION =
      "o.version = coalesce((SELECT l.version FROM overlay_layer l WHERE l.layer = o.layer), o.version)";

  /**
   * Exposure of each cell to a layer: for polygon features the share of the cell's area they
   * cover (capped at 1); for points and lines Σ max(0, 1 − d/radius) with d the geodesic distance
   * from the cell.
   */
  private double[] exposure(GridModel grid, Map<Integer, Integer> index, String layer, double radiusMeters) {
    double[] out = new double[grid.size()];
    // degrees of latitude/longitude always >= 90 km below 35° latitude: a safe index prefilter
    double deg = radiusMeters / 90_000.0;
    String sql = "SELECT c.cell_id, "
        + " least(1.0, coalesce(sum(ST_Area(ST_Intersection(c.geom, o.geom)::geography)) "
        + "       FILTER (WHERE ST_Dimension(o.geom) = 2), 0) / greatest(c.area_m2, 1)) "
        + " + coalesce(sum(greatest(0, 1 - ST_Distance(c.geom::geography, o.geom::geography) / ?)) "
        + "       FILTER (WHERE ST_Dimension(o.geom) < 2), 0) "
        + "FROM grid_cell c JOIN overlay_feature o ON o.layer = ? AND " + LIVE_VERSION
        + "  AND ST_DWithin(c.geom, o.geom, CASE WHEN ST_Dimension(o.geom) = 2 THEN 0 ELSE ? END) "
        + "WHERE c.grid_set_id = ? GROUP BY c.cell_id, c.area_m2";
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setDouble(1, radiusMeters);
      ps.setString(2, layer);
      ps.setDouble(3, deg);
      ps.setLong(4, grid.gridSetId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Integer i = index.get(rs.getInt(1));
          if (i != null) {
            out[i] = rs.getDouble(2);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot compute exposure to " + layer + ": " + e.getMessage(), e);
    }
    return out;
  }

  private int[] countInside(GridModel grid, Map<Integer, Integer> index, String layer, int n) {
    int[] out = new int[n];
    String sql = "SELECT c.cell_id, count(*) FROM grid_cell c JOIN overlay_feature o ON o.layer = ? AND "
        + LIVE_VERSION + " AND ST_Intersects(c.geom, o.geom) WHERE c.grid_set_id = ? GROUP BY c.cell_id";
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, layer);
      ps.setLong(2, grid.gridSetId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Integer i = index.get(rs.getInt(1));
          if (i != null) {
            out[i] = rs.getInt(2);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count " + layer + " per cell: " + e.getMessage(), e);
    }
    return out;
  }

  /** Streams the events observed in [from, to) to the consumer, in observed order. */
  public void forEachEventObserved(Instant from, Instant to, java.util.function.Consumer<EventRow> consumer) {
    forEachEventObserved(from, to, false, consumer);
  }

  /**
   * Streams the events observed in [from, to), in observed order; {@code withoutPositions} leaves
   * out patrol position pings (the densest stream, which carries coverage, not risk).
   */
  public void forEachEventObserved(Instant from, Instant to, boolean withoutPositions,
                                   java.util.function.Consumer<EventRow> consumer) {
    forEachEventObserved(from, to, withoutPositions ? Instant.parse("9999-12-31T00:00:00Z") : null, consumer);
  }

  /**
   * Streams the events observed in [from, to), in observed order, with patrol position pings only
   * when they were received at or after {@code positionsReceivedFrom} (null: all of them).
   */
  public void forEachEventObserved(Instant from, Instant to, Instant positionsReceivedFrom,
                                   java.util.function.Consumer<EventRow> consumer) {
    boolean filter = positionsReceivedFrom != null;
    String sql = "SELECT event_id, source, kind, severity, observed_at, received_at, ST_X(geom), ST_Y(geom) "
        + "FROM event WHERE observed_at >= ? AND observed_at < ? AND " + CELL_LEVEL + " "
        + (filter ? "AND NOT (source = 'patrol' AND kind = 'position' AND received_at < ?) " : "")
        + "ORDER BY observed_at";
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false); // lets the driver stream with a fetch size
      StatementTimeouts.setLocal(c, statementTimeout);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(10_000);
        ps.setTimestamp(1, Timestamp.from(from));
        ps.setTimestamp(2, Timestamp.from(to));
        if (filter) {
          ps.setTimestamp(3, Timestamp.from(positionsReceivedFrom));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            consumer.accept(new EventRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                rs.getTimestamp(5).getTime(), rs.getTimestamp(6).getTime(), rs.getDouble(7), rs.getDouble(8)));
          }
        }
      } finally {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read events: " + e.getMessage(), e);
    }
  }

  /** Incidents located only to a district centroid, observed in [from, to), with their positions. */
  public record DistrictOnly(String kind, String districtCode, double lon, double lat) {}

  /**
   * The incidents observed in [from, to) that are located only to a district centroid (left out of
   * the cells), for counting at district level.
   */
  public List<DistrictOnly> listDistrictOnly(Instant from, Instant to) {
    String sql = "SELECT kind, attrs->'location'->>'districtCode', ST_X(geom), ST_Y(geom) FROM event "
        + "WHERE source = 'incident' AND observed_at >= ? AND observed_at < ? AND NOT " + CELL_LEVEL;
    List<DistrictOnly> out = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      StatementTimeouts.setLocal(c, statementTimeout);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setTimestamp(1, Timestamp.from(from));
        ps.setTimestamp(2, Timestamp.from(to));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new DistrictOnly(rs.getString(1), rs.getString(2), rs.getDouble(3), rs.getDouble(4)));
          }
        }
      } finally {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read district-level incidents: " + e.getMessage(), e);
    }
    return out;
  }
}
