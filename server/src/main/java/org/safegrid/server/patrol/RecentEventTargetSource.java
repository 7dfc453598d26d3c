package org.safegrid.server.patrol;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Fallback {@link TargetSource} used until the spatial engine's risk and hotspot services provide
 * targets: ranks the cells of the active grid set by their recent events, each weighted by
 * severity + 1 (patrol position pings are not incidents and are left out).
 */
@Component
class RecentEventTargetSource implements TargetSource {

  private final JdbcClient jdbc;

  RecentEventTargetSource(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Targets listTargets(int limit, Duration window, String district) {
    Timestamp since = Timestamp.from(Instant.now().minus(window));
    String scored = "WITH scored AS (SELECT c.code, c.name, c.geom, sum(e.severity + 1)::double precision AS risk "
        + "FROM event e JOIN grid_cell c ON ST_Intersects(c.geom, e.geom) "
        + "JOIN grid_set s ON s.id = c.grid_set_id AND s.status = 'active' "
        + "WHERE e.observed_at > :since AND NOT (e.source = 'patrol' AND e.kind = 'position') "
        + "AND (CAST(:district AS text) IS NULL OR c.district_code = :district) "
        + "GROUP BY c.code, c.name, c.geom) ";
    List<Target> targets = jdbc.sql(scored + "SELECT code, name, ST_AsText(geom) AS wkt, ST_X(ST_PointOnSurface(geom)) AS lon, "
            + "ST_Y(ST_PointOnSurface(geom)) AS lat, risk FROM scored ORDER BY risk DESC, code LIMIT :limit")
        .param("since", since).param("district", district).param("limit", limit)
        .query((rs, n) -> new Target(rs.getString("code"), "cell", rs.getString("name"), rs.getString("wkt"),
            rs.getDouble("lon"), rs.getDouble("lat"), rs.getDouble("risk")))
        .list();
    Double total = jdbc.sql(scored + "SELECT coalesce(sum(risk), 0) FROM scored").param("since", since)
        .param("district", district)
        .query(Double.class).single();
    return new Targets(targets, total, "recent-events");
  }
}
