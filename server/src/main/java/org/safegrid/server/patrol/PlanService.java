package org.safegrid.server.patrol;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Plans a patrol shift: validates the request, gathers units and targets, runs {@link PatrolPlanner}. */
@Service
public class PlanService {

  /**
   * A unit offered for the shift.
   *
   * @param id  unit id (must be a known patrol unit)
   * @param lon start longitude; null = its last reported position
   * @param lat start latitude; null = its last reported position
   */
  public record UnitRequest(String id, Double lon, Double lat) {
  }

  /**
   * A plan request.
   *
   * @param units        available units
   * @param shiftMinutes shift length
   * @param windowHours  how far back risk is judged (default: safegrid.patrol.risk-window)
   * @param startAt      shift start (default now)
   * @param speedKmh     travel speed (default safegrid.patrol.speed-kmh)
   * @param dwellMinutes time at each place (default safegrid.patrol.dwell)
   * @param method       local_search (default), greedy or nearest
   */
  public record PlanRequest(List<UnitRequest> units, Double shiftMinutes, Double windowHours, Instant startAt,
                            Double speedKmh, Double dwellMinutes, String method) {
  }

  /**
   * A planned stop.
   *
   * @param placeId   target id
   * @param kind      hotspot or cell
   * @param name      label
   * @param lon       where
   * @param lat       where
   * @param risk      its risk
   * @param arrivalAt when the unit arrives
   */
  public record Stop(String placeId, String kind, String name, double lon, double lat, double risk, Instant arrivalAt) {
  }

  /**
   * A unit's orders.
   *
   * @param unitId          unit
   * @param stops           places in order
   * @param durationMinutes minutes until its last stop ends
   */
  public record UnitPlan(String unitId, List<Stop> stops, double durationMinutes) {
  }

  /**
   * The answer.
   *
   * @param units            one plan per unit
   * @param coveredRisk      risk of the places visited
   * @param totalRisk        the city's risk
   * @param coveredShare     coveredRisk / totalRisk
   * @param nearestShare     the share nearest-place dispatch would cover, for comparison
   * @param method           how it was planned
   * @param targetSource     where the targets came from
   */
  public record PlanResponse(List<UnitPlan> units, double coveredRisk, double totalRisk, double coveredShare,
                             double nearestShare, String method, String targetSource) {
  }

  private final JdbcClient jdbc;
  private final TargetSource targets;
  private final PatrolProperties properties;

  public PlanService(JdbcClient jdbc, TargetSource targets, PatrolProperties properties) {
    this.jdbc = jdbc;
    this.targets = targets;
    this.properties = properties;
  }

  public PlanResponse plan(PlanRequest r) {
    return plan(r, DataScope.CITY);
  }

  /**
   * Plans within a scope: a district-scoped planner plans its district's places with the units
   * now inside its district; a unit elsewhere is reported as unknown, like one that never reported.
   */
  public PlanResponse plan(PlanRequest r, DataScope scope) {
    if (r == null || r.units() == null || r.units().isEmpty()) {
      throw new IllegalArgumentException("units: name at least one available unit");
    }
    if (r.units().size() > properties.maxUnits()) {
      throw new IllegalArgumentException("units: at most " + properties.maxUnits() + " units per plan");
    }
    if (r.shiftMinutes() == null || !(r.shiftMinutes() > 0) || r.shiftMinutes() > 24 * 60) {
      throw new IllegalArgumentException("shiftMinutes must be more than 0 and at most 1440");
    }
    double speed = r.speedKmh() == null ? properties.speedKmh() : r.speedKmh();
    double dwell = r.dwellMinutes() == null ? properties.dwell().toSeconds() / 60.0 : r.dwellMinutes();
    if (!(speed > 0) || speed > 200 || !(dwell >= 0) || dwell > 24 * 60) {
      throw new IllegalArgumentException("speedKmh must be in (0, 200] and dwellMinutes in [0, 1440]");
    }
    Duration window = r.windowHours() == null ? properties.riskWindow()
        : Duration.ofSeconds(Math.round(r.windowHours() * 3600));
    if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(31)) > 0) {
      throw new IllegalArgumentException("windowHours must be more than 0 and at most 744");
    }
    PatrolPlanner.Method method;
    try {
      method = r.method() == null ? PatrolPlanner.Method.LOCAL_SEARCH
          : PatrolPlanner.Method.valueOf(r.method().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("method must be local_search, greedy or nearest");
    }
    List<PatrolPlanner.Unit> units = resolveUnits(r.units(), scope);
    TargetSource.Targets t = targets.listTargets(properties.targetLimit(), window, scope.districtCodeOrNull());
    Map<String, TargetSource.Target> byId = new HashMap<>();
    List<PatrolPlanner.Place> places = new ArrayList<>();
    for (TargetSource.Target x : t.targets()) {
      byId.put(x.id(), x);
      places.add(new PatrolPlanner.Place(x.id(), x.lon(), x.lat(), x.risk()));
    }
    PatrolPlanner planner = new PatrolPlanner(units, places, r.shiftMinutes(), speed, dwell);
    PatrolPlanner.Plan plan = planner.plan(method);
    double nearest = planner.plan(PatrolPlanner.Method.NEAREST).coveredRisk();
    Instant start = r.startAt() == null ? Instant.now() : r.startAt();
    List<UnitPlan> out = new ArrayList<>();
    for (PatrolPlanner.Route route : plan.routes()) {
      List<Stop> stops = new ArrayList<>();
      for (PatrolPlanner.Visit v : route.visits()) {
        TargetSource.Target x = byId.get(v.placeId());
        stops.add(new Stop(x.id(), x.kind(), x.name(), x.lon(), x.lat(), x.risk(),
            start.plusSeconds(Math.round(v.arrivalMinutes() * 60))));
      }
      out.add(new UnitPlan(route.unitId(), stops, Math.round(route.durationMinutes() * 10) / 10.0));
    }
    double total = t.totalRisk();
    return new PlanResponse(out, plan.coveredRisk(), total, total > 0 ? plan.coveredRisk() / total : 0,
        total > 0 ? nearest / total : 0, method.name().toLowerCase(java.util.Locale.ROOT), t.source());
  }

  private List<PatrolPlanner.Unit> resolveUnits(List<UnitRequest> requested, DataScope scope) {
    Set<String> ids = new HashSet<>();
    for (UnitRequest u : requested) {
      if (u == null || u.id() == null || u.id().isBlank()) {
        throw new IllegalArgumentException("units: every unit needs an id");
      }
      if (!ids.add(u.id())) {
        throw new IllegalArgumentException("units: unit " + u.id() + " is named twice");
      }
      if ((u.lon() == null) != (u.lat() == null)) {
        throw new IllegalArgumentException("units: give both lon and lat of unit " + u.id() + ", or neither");
      }
      if (u.lon() != null && !(u.lon() >= -180 && u.lon() <= 180 && u.lat() >= -90 && u.lat() <= 90)) {
        throw new IllegalArgumentException("units: position of unit " + u.id() + " is outside lon -180..180, lat -90..90");
      }
    }
    Map<String, double[]> known = new LinkedHashMap<>();
    jdbc.sql("SELECT unit_id, ST_X(geom), ST_Y(geom) FROM patrol_position WHERE unit_id IN (:ids)"
            + (scope.isCity() ? "" : " AND " + ScopeFilter.inDistrictSql("geom", "district")))
        .param("ids", ids)
        .params(scope.isCity() ? Map.of() : Map.of("district", scope.districtCodeOrNull()))
        .query(rs -> {
          known.put(rs.getString(1), new double[] {rs.getDouble(2), rs.getDouble(3)});
        });
    List<String> unknown = requested.stream().map(UnitRequest::id).filter(id -> !known.containsKey(id)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown patrol units (never reported a position): " + unknown);
    }
    List<PatrolPlanner.Unit> units = new ArrayList<>();
    for (UnitRequest u : requested) {
      double[] at = known.get(u.id());
      units.add(new PatrolPlanner.Unit(u.id(), u.lon() != null ? u.lon() : at[0], u.lat() != null ? u.lat() : at[1]));
    }
    return units;
  }
}
