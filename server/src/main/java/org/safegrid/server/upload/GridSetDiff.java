package org.safegrid.server.upload;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What activating a grid set would change against another one (by default the live set): cells
 * added, removed, re-shaped (same code, geometry changed by at least {@code safegrid.upload.min-area-m2}),
 * re-coded (a removed code and an added code with the same geometry, within 1 % of the cell's area),
 * cells and area per district, the roster rows of grid cells that would no longer exist, and the
 * open alerts and incidents whose cell would vanish with the cell they would gain.
 */
@Service
public class GridSetDiff {

  /** Most cells listed per kind; the counts are always complete. */
  static final int MAX_LISTED = 500;

  /** The diff of grid set {@code gridSetId} against {@code againstId} (null: there is no live set). */
  public record Diff(long gridSetId, Long againstId, Counts counts, List<String> added, List<String> removed,
                     List<Reshaped> reshaped, List<Recoded> recoded, List<District> districts,
                     List<RosterRow> vanishedRoster, OpenAlerts openAlerts, OpenIncidents openIncidents) {}

  public record Counts(int added, int removed, int reshaped, int recoded, int unchanged) {}

  /** A cell with the same code and another geometry: the area of the symmetric difference and the net change. */
  public record Reshaped(String code, double changedM2, double areaChangeM2) {}

  public record Recoded(String from, String to) {}

  /** Cells and area of one district before and after; {@code movedM2} = after − before. */
  public record District(String districtCode, int cellsBefore, int cellsAfter, double areaBeforeM2,
                         double areaAfterM2, double movedM2) {}

  /** A roster row of level grid whose cell code the set does not have. */
  public record RosterRow(String cellCode, String officer) {}

  /** Open and acknowledged alerts: how many, and those whose cell code the set does not have. */
  public record OpenAlerts(int open, List<AlertCell> onVanishedCells) {}

  /** An open alert on a vanishing cell and the cell of the set it lies in (null: none). */
  public record AlertCell(long alertId, String cellCode, String newCellCode) {}

  /** Open and acknowledged incidents: how many, and those whose cell code the set does not have. */
  public record OpenIncidents(int open, List<IncidentCell> onVanishedCells) {}

  /** An open incident on a vanishing cell and the cell of the set its place lies in (null: none). */
  public record IncidentCell(long incidentId, String cellCode, String newCellCode) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final StatementTimeouts timeouts;
  private final UploadProperties properties;

  GridSetDiff(JdbcClient jdbc, TransactionTemplate tx, StatementTimeouts timeouts, UploadProperties properties) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.timeouts = timeouts;
    this.properties = properties;
  }

  /** The diff against {@code against}, or against the live set when null; throws if a set does not exist. */
  public Diff diff(long id, Long against) {
    return tx.execute(s -> {
      timeouts.apply(QueryClass.UPLOAD);
      requireExists(id);
      Long old = against != null ? against
          : jdbc.sql("SELECT id FROM grid_set WHERE status = 'active'").query(Long.class).optional().orElse(null);
      if (old != null) {
        requireExists(old);
      }
      long o = old == null ? -1 : old;
      List<Recoded> recoded = jdbc.sql("""
              WITH added AS (SELECT n.* FROM grid_cell n WHERE n.grid_set_id = :new AND NOT EXISTS
                               (SELECT 1 FROM grid_cell o WHERE o.grid_set_id = :old AND o.code = n.code)),
                   removed AS (SELECT o.* FROM grid_cell o WHERE o.grid_set_id = :old AND NOT EXISTS
                               (SELECT 1 FROM grid_cell n WHERE n.grid_set_id = :new AND n.code = o.code))
              SELECT o.code, n.code FROM removed o JOIN added n ON n.geom && o.geom
              WHERE ST_Area(ST_SymDifference(n.geom, o.geom)::geography) < greatest(:min, 0.01 * o.area_m2)
              ORDER BY o.code""")
          .param("new", id).param("old", o).param("min", properties.minAreaM2())
          .query((rs, n) -> new Recoded(rs.getString(1), rs.getString(2))).list();
      Set<String> recodedFrom = new HashSet<>();
      Set<String> recodedTo = new HashSet<>();
      recoded.forEach(r -> {
        recodedFrom.add(r.from());
        recodedTo.add(r.to());
      });
      List<String> added = new ArrayList<>(jdbc.sql("SELECT n.code FROM grid_cell n WHERE n.grid_set_id = :new AND NOT "
              + "EXISTS (SELECT 1 FROM grid_cell o WHERE o.grid_set_id = :old AND o.code = n.code) ORDER BY n.code")
          .param("new", id).param("old", o).query(String.class).list());
      added.removeIf(recodedTo::contains);
      List<String> removed = new ArrayList<>(jdbc.sql("SELECT o.code FROM grid_cell o WHERE o.grid_set_id = :old AND NOT "
              + "EXISTS (SELECT 1 FROM grid_cell n WHERE n.grid_set_id = :new AND n.code = o.code) ORDER BY o.code")
          .param("new", id).param("old", o).query(String.class).list());
      removed.removeIf(recodedFrom::contains);
      List<Reshaped> reshaped = jdbc.sql("""
              SELECT code, changed, area FROM (
                SELECT n.code, ST_Area(ST_SymDifference(n.geom, o.geom)::geography) AS changed, n.area_m2 - o.area_m2 AS area
                FROM grid_cell n JOIN grid_cell o ON o.grid_set_id = :old AND o.code = n.code
                WHERE n.grid_set_id = :new AND NOT ST_Equals(n.geom, o.geom)) d
              WHERE changed >= :min ORDER BY changed DESC, code""")
          .param("new", id).param("old", o).param("min", properties.minAreaM2())
          .query((rs, n) -> new Reshaped(rs.getString(1), round1(rs.getDouble(2)), round1(rs.getDouble(3)))).list();
      int cells = jdbc.sql("SELECT count(*) FROM grid_cell WHERE grid_set_id = ?").param(id).query(Integer.class).single();
      List<District> districts = jdbc.sql("""
              SELECT coalesce(n.d, o.d), coalesce(o.cells, 0), coalesce(n.cells, 0), coalesce(o.area, 0), coalesce(n.area, 0)
              FROM (SELECT coalesce(district_code, '') AS d, count(*) AS cells, sum(area_m2) AS area
                    FROM grid_cell WHERE grid_set_id = :new GROUP BY 1) n
              FULL JOIN (SELECT coalesce(district_code, '') AS d, count(*) AS cells, sum(area_m2) AS area
                         FROM grid_cell WHERE grid_set_id = :old GROUP BY 1) o ON o.d = n.d
              ORDER BY 1""")
          .param("new", id).param("old", o)
          .query((rs, n) -> new District(rs.getString(1).isEmpty() ? null : rs.getString(1), rs.getInt(2), rs.getInt(3),
              round1(rs.getDouble(4)), round1(rs.getDouble(5)), round1(rs.getDouble(5) - rs.getDouble(4)))).list();
      List<RosterRow> roster = jdbc.sql("SELECT r.area_code, r.officer FROM alert_roster r WHERE r.level = 'grid' AND NOT "
              + "EXISTS (SELECT 1 FROM grid_cell n WHERE n.grid_set_id = ? AND n.code = r.area_code) ORDER BY r.area_code")
          .param(id).query((rs, n) -> new RosterRow(rs.getString(1), rs.getString(2))).list();
      int open = jdbc.sql("SELECT count(*) FROM alert WHERE status IN ('open', 'acknowledged')").query(Integer.class).single();
      List<AlertCell> onVanished = onVanishedCells("alert", id, (rs, n) -> new AlertCell(rs.getLong(1), rs.getString(2),
          rs.getString(3)));
      int openIncidents = jdbc.sql("SELECT count(*) FROM incident WHERE status IN ('open', 'acknowledged')")
          .query(Integer.class).single();
      List<IncidentCell> incidentsOnVanished = onVanishedCells("incident", id, (rs, n) -> new IncidentCell(rs.getLong(1),
          rs.getString(2), rs.getString(3)));
      Counts counts = new Counts(added.size(), removed.size(), reshaped.size(), recoded.size(),
          cells - added.size() - recoded.size() - reshaped.size());
      return new Diff(id, old, counts, cap(added), cap(removed), cap(reshaped), cap(recoded), districts, roster,
          new OpenAlerts(open, onVanished), new OpenIncidents(openIncidents, incidentsOnVanished));
    });
  }

  /**
   * Open and acknowledged rows of {@code table} (alert or incident, a fixed name) whose cell code set
   * {@code id} does not have, as (id, cell code, code of the set's cell their place lies in or null).
   */
  private <T> List<T> onVanishedCells(String table, long id, org.springframework.jdbc.core.RowMapper<T> row) {
    return jdbc.sql("SELECT r.id, r.cell_code, x.code FROM " + table + " r "
            + "LEFT JOIN LATERAL (SELECT c.code FROM grid_cell_part p JOIN grid_cell c "
            + "ON c.grid_set_id = p.grid_set_id AND c.cell_id = p.cell_id "
            + "WHERE p.grid_set_id = :new AND ST_Intersects(p.geom, ST_PointOnSurface(r.geom)) "
            + "ORDER BY c.code LIMIT 1) x ON true "
            + "WHERE r.status IN ('open', 'acknowledged') AND r.cell_code IS NOT NULL AND NOT EXISTS "
            + "(SELECT 1 FROM grid_cell n WHERE n.grid_set_id = :new AND n.code = r.cell_code) ORDER BY r.id LIMIT :max")
        .param("new", id).param("max", MAX_LISTED).query(row).list();
  }

  private void requireExists(long id) {
    jdbc.sql("SELECT id FROM grid_set WHERE id = ?").param(id).query(Long.class).optional()
        .orElseThrow(() -> new NoSuchElementException("There is no grid set " + id + "."));
  }

  private static <T> List<T> cap(List<T> l) {
    return l.size() > MAX_LISTED ? l.subList(0, MAX_LISTED) : l;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
