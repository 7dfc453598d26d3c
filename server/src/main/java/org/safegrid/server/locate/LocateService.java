package org.safegrid.server.locate;

import java.util.List;
import org.safegrid.server.reliability.QueryClass;
import org.safegrid.server.reliability.StatementTimeouts;
import org.safegrid.server.security.DataScope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Answers "what is here": the live district, town and active grid cell containing a point. Both
 * lookups go through the subdivided pieces of the polygons ({@code overlay_feature_part},
 * {@code grid_cell_part}, at most 256 vertices each, GiST-indexed), so a 200k-vertex coastline
 * district costs the same as a square one.
 *
 * <p>Containment is {@code ST_Intersects}: a point on a border belongs to both sides, and the
 * lowest district code / cell id wins. A district-scoped caller gets what its scope shows
 * elsewhere: its own district when the point lies in the district's polygon (the point rule) and
 * the cell, with its town, when the cell's {@code district_code} is its district (the cell rule);
 * anything else is null, as if it were not there. Thread-safe.
 */
@Service
public class LocateService {

  /** The answer and whether the caller's scope removed something from it (for {@code scope.filtered}). */
  public record Result(Location location, boolean filtered) {
  }

  private record CellRow(Location.Cell cell, Location.Area town, String districtCode) {
  }

  private static final String POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)";

  private final JdbcClient jdbc;
  private final StatementTimeouts timeouts;

  public LocateService(JdbcClient jdbc, StatementTimeouts timeouts) {
    this.jdbc = jdbc;
    this.timeouts = timeouts;
  }

  /** The district, town and cell at (lon, lat) that {@code scope} may see. */
  @Transactional(readOnly = true)
  public Result locate(double lon, double lat, DataScope scope) {
    timeouts.apply(QueryClass.INTERACTIVE);
    // a point on the cut between two pieces of one polygon meets both: DISTINCT
    // the pieces at the point first, through the GiST index alone (MATERIALIZED: a planner that started from
    // the layer or the grid set would test the point against every piece of it)
    List<Location.Area> districts = jdbc.sql("WITH hit AS MATERIALIZED (SELECT feature_id, layer, version "
            + "FROM overlay_feature_part WHERE ST_Intersects(geom, " + POINT + ")) "
            + "SELECT DISTINCT f.code, f.name FROM hit p "
            + "JOIN overlay_layer l ON l.layer = p.layer AND l.version = p.version "
            + "JOIN overlay_feature f ON f.id = p.feature_id "
            + "WHERE p.layer = 'districts' ORDER BY f.code, f.name")
        .param("lon", lon).param("lat", lat)
        .query((rs, n) -> new Location.Area(rs.getString(1), rs.getString(2))).list();
    List<CellRow> cells = jdbc.sql("WITH hit AS MATERIALIZED (SELECT grid_set_id, cell_id FROM grid_cell_part "
            + "WHERE ST_Intersects(geom, " + POINT + ")) "
            + "SELECT DISTINCT c.cell_id, c.code, c.name, c.grid_set_id, c.town_code, c.town_name, c.district_code "
            + "FROM hit p JOIN grid_set s ON s.id = p.grid_set_id AND s.status = 'active' "
            + "JOIN grid_cell c ON c.grid_set_id = p.grid_set_id AND c.cell_id = p.cell_id ORDER BY c.cell_id")
        .param("lon", lon).param("lat", lat)
        .query((rs, n) -> new CellRow(
            new Location.Cell(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4)),
            rs.getString(5) == null ? null : new Location.Area(rs.getString(5), rs.getString(6)),
            rs.getString(7)))
        .list();
    Location.Area district = districts.stream().filter(d -> scope.allowsDistrict(d.code())).findFirst().orElse(null);
    CellRow cell = cells.stream().filter(c -> scope.allowsDistrict(c.districtCode())).findFirst().orElse(null);
    boolean filtered = (district == null && !districts.isEmpty()) || (cell == null && !cells.isEmpty());
    return new Result(new Location(lon, lat, district, cell == null ? null : cell.town(),
        cell == null ? null : cell.cell()), filtered);
  }
}
