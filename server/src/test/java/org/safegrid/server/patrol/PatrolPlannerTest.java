package org.safegrid.server.patrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PatrolPlannerTest {

  private static void assertFeasible(PatrolPlanner.Plan plan, double shiftMinutes) {
    Set<String> seen = new HashSet<>();
    double risk = 0;
    for (PatrolPlanner.Route r : plan.routes()) {
      assertThat(r.durationMinutes()).isLessThanOrEqualTo(shiftMinutes + 1e-6);
      double last = -1;
      for (PatrolPlanner.Visit v : r.visits()) {
        assertThat(seen.add(v.placeId())).as("each place once").isTrue();
        assertThat(v.arrivalMinutes()).isGreaterThan(last);
        last = v.arrivalMinutes();
        risk += v.risk();
      }
    }
    assertThat(plan.coveredRisk()).isCloseTo(risk, org.assertj.core.data.Offset.offset(1e-6));
  }

  /*
   * One unit at the origin, 60 min shift, 30 km/h (500 m/min), no dwell.
   *   a decoy of risk 1 lies 1 km west; a cluster of three places of risk 5 lies 10 km east.
   *
   *   decoy(1) <-1km- U ------------------ 10 km ------------------> [5][5][5]
   *
   * Nearest dispatch takes the decoy first and then cannot reach all of the cluster; the plan goes east.
   */
  @Test
  void planBeatsNearestDispatchWhenTheNearestPlaceIsADecoy() {
    double km = 1 / 111.32;
    List<PatrolPlanner.Place> places = List.of(
        new PatrolPlanner.Place("decoy", 114.0 - km, 23.0, 1),
        new PatrolPlanner.Place("c1", 114.0 + 10 * km / Math.cos(Math.toRadians(23)), 23.0, 5),
        new PatrolPlanner.Place("c2", 114.0 + 10.5 * km / Math.cos(Math.toRadians(23)), 23.0, 5),
        new PatrolPlanner.Place("c3", 114.0 + 11 * km / Math.cos(Math.toRadians(23)), 23.0, 5));
    PatrolPlanner planner = new PatrolPlanner(List.of(new PatrolPlanner.Unit("U", 114.0, 23.0)), places, 23, 30, 0);
    PatrolPlanner.Plan nearest = planner.plan(PatrolPlanner.Method.NEAREST);
    PatrolPlanner.Plan plan = planner.plan(PatrolPlanner.Method.LOCAL_SEARCH);
    assertFeasible(nearest, 23);
    assertFeasible(plan, 23);
    assertThat(plan.coveredRisk()).isEqualTo(15);
    assertThat(nearest.coveredRisk()).isLessThan(plan.coveredRisk());
    assertThat(plan.routes().get(0).visits()).extracting(PatrolPlanner.Visit::placeId).containsExactly("c1", "c2", "c3");
    assertThat(plan.routes().get(0).visits().get(0).arrivalMinutes()).isCloseTo(20, org.assertj.core.data.Offset.offset(0.1));
  }

  @Test
  void onGeneratedInstancesLocalSearchCoversAtLeastGreedyAndMoreThanNearestAndStaysFeasible() {
    double search = 0;
    double greedy = 0;
    double nearest = 0;
    for (long seed = 1; seed <= 4; seed++) {
      PatrolPlanner planner = PlanBenchmark.instance(8, 80, seed);
      PatrolPlanner.Plan s = planner.plan(PatrolPlanner.Method.LOCAL_SEARCH);
      PatrolPlanner.Plan g = planner.plan(PatrolPlanner.Method.GREEDY);
      PatrolPlanner.Plan n = planner.plan(PatrolPlanner.Method.NEAREST);
      assertFeasible(s, 240);
      assertFeasible(g, 240);
      assertFeasible(n, 240);
      assertThat(s.coveredRisk()).as("seed %d", seed).isGreaterThanOrEqualTo(g.coveredRisk() - 1e-9);
      search += s.coveredRisk();
      greedy += g.coveredRisk();
      nearest += n.coveredRisk();
    }
    assertThat(search).isGreaterThan(nearest);
    assertThat(greedy).isGreaterThan(nearest);
  }

  @Test
  void planWithASingleVisitSurvivesRuinAndRecreate() {
    PatrolPlanner planner = new PatrolPlanner(List.of(new PatrolPlanner.Unit("U", 114.0, 23.0)),
        List.of(new PatrolPlanner.Place("only", 114.001, 23.0, 2), new PatrolPlanner.Place("far", 115.0, 23.0, 9)), 20, 30, 15);
    PatrolPlanner.Plan plan = planner.plan(PatrolPlanner.Method.LOCAL_SEARCH);
    assertFeasible(plan, 20);
    assertThat(plan.routes().get(0).visits()).extracting(PatrolPlanner.Visit::placeId).containsExactly("only");
  }

  @Test
  void refusesNoUnitsAndANonPositiveShift() {
    List<PatrolPlanner.Place> places = List.of(new PatrolPlanner.Place("p", 114, 23, 1));
    assertThatThrownBy(() -> new PatrolPlanner(List.of(), places, 60, 30, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PatrolPlanner(List.of(new PatrolPlanner.Unit("u", 114, 23)), places, -5, 30, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
