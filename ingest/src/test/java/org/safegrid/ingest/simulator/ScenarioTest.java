package org.safegrid.ingest.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.safegrid.gisdata.reference.Feature;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.gisdata.datum.Gcj02;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.Source;
import org.safegrid.ingest.simulator.Scenario.Kind;
import org.safegrid.ingest.simulator.Scenario.Rates;
import org.safegrid.ingest.simulator.Scenario.TruthIncident;

class ScenarioTest {

  static final GeometryFactory GF = new GeometryFactory();
  static final int HOURS = 10;
  // a patrol ping every 5 minutes instead of 5 s keeps ten hours of night small; the other rates are the defaults
  static final Rates RATES = Rates.DEFAULT.withPingSeconds(300);
  static final Instant START = Instant.now().minus(Duration.ofHours(HOURS + 1));

  static Scenario scenario;
  static List<Event> night;

  @BeforeAll
  static void runTenHours() {
    scenario = new Scenario(ReferenceCity.huizhou(), 7, "t", START, RATES);
    night = until(scenario, START.plus(Duration.ofHours(HOURS)));
  }

  static List<Event> until(Scenario s, Instant end) {
    List<Event> out = new ArrayList<>();
    for (Event e = s.next(); e.observedAt().isBefore(end); e = s.next()) {
      out.add(e);
    }
    return out;
  }

  @Test
  void defaultRatesAreTheCityFigures() {
    // 12,606 vehicles + 45,356 people over four nights of ten hours
    assertThat(Rates.DEFAULT.checksPerHour()).isCloseTo(1_449.05, within(0.01));
    assertThat(Rates.DEFAULT.vehicleShare()).isCloseTo(0.2175, within(0.0001));
    assertThat(Rates.DEFAULT.pingSeconds()).isEqualTo(5);
    assertThat(Rates.DEFAULT.truthPerHour()).isEqualTo(3.0);
  }

  @Test
  void sameSeedSameNightOtherSeedOtherNight() {
    Instant end = START.plus(Duration.ofMinutes(90));
    Scenario a = new Scenario(ReferenceCity.huizhou(), 7, "t", START, RATES);
    Scenario b = new Scenario(ReferenceCity.huizhou(), 8, "t", START, RATES);
    List<String> mine = until(a, end).stream().map(e -> new String(EventCodec.encode(e))).toList();
    List<String> again = night.stream().filter(e -> e.observedAt().isBefore(end))
        .map(e -> new String(EventCodec.encode(e))).toList();
    assertThat(mine).hasSizeGreaterThan(5_000).isEqualTo(again);
    assertThat(a.truth()).isEqualTo(scenario.truth().stream().filter(t -> t.firstObservedAt().isBefore(end))
        .toList().subList(0, a.truth().size()));
    List<String> other = until(b, end).stream().map(e -> new String(EventCodec.encode(e))).toList();
    assertThat(other).isNotEqualTo(mine);
  }

  @Test
  void ratesMatchTheDocumentedFiguresOverTenHours() {
    Map<String, Integer> byType = new HashMap<>();
    int vehicles = 0;
    int checks = 0;
    for (Event e : night) {
      byType.merge(e.id().split("-")[1], 1, Integer::sum);
      if (e.source() == Source.CHECKPOINT && "clear".equals(e.attrs().get("result"))) {
        checks++;
        vehicles += "vehicle".equals(e.attrs().get("subject")) ? 1 : 0;
      }
    }
    // exact: one ping per unit per interval
    assertThat(byType.get("pos")).isEqualTo(Scenario.PATROL_UNITS * HOURS * 3600 / 300);
    // Poisson counts: expected +- about 4 standard deviations
    assertThat((double) checks).isCloseTo(RATES.checksPerHour() * HOURS, within(500.0));
    assertThat(vehicles / (double) checks).isCloseTo(RATES.vehicleShare(), within(0.015));
    assertThat((double) byType.get("det")).isCloseTo(RATES.inlandDetectionsPerHour() * HOURS, within(600.0));
    assertThat((double) byType.get("rep")).isCloseTo(RATES.patrolReportsPerHour() * HOURS, within(60.0));
    // 80 fishing parties of 2-6 detections: 320 expected
    assertThat(byType.get("fsh")).isBetween(180, 480);
    // injected incidents: exactly one per interval of 1/rate
    Map<Kind, Integer> truthByKind = new HashMap<>();
    scenario.truth().stream().filter(t -> t.firstObservedAt().isBefore(START.plus(Duration.ofHours(HOURS))))
        .forEach(t -> truthByKind.merge(t.kind(), 1, Integer::sum));
    assertThat(truthByKind).isEqualTo(Map.of(Kind.CAMPUS_ALARM, 10, Kind.COASTAL_INTRUSION, 10,
        Kind.WANTED_VEHICLE, 5, Kind.WANTED_PERSON, 5));
  }

  @Test
  void eventsComeInObservedOrderAndPassTheContract() {
    EventDecoder decoder = new EventDecoder(EventRules.DEFAULT);
    Set<String> ids = new HashSet<>();
    Instant last = START;
    int i = 0;
    for (Event e : night) {
      assertThat(e.observedAt()).isAfterOrEqualTo(last);
      last = e.observedAt();
      assertThat(ids.add(e.id())).as(e.id()).isTrue();
      assertThat(e.id()).startsWith("t-");
      // every injected and fishing event, a sample of the background (decoding all takes long on a busy machine)
      if (e.id().contains("-fsh-") || scenario.truthOf(e.id()).isPresent() || i++ % 20 == 0) {
        assertThat(decoder.decode(e.source(), EventCodec.encode(e))).as("%s", e)
            .isInstanceOf(EventDecoder.Accepted.class);
      }
    }
  }

  @Test
  void truthLabelsAgreeWithTheEvents() {
    Map<String, Event> byId = new HashMap<>();
    night.forEach(e -> byId.put(e.id(), e));
    Geometry coast = coast();
    Instant end = START.plus(Duration.ofHours(HOURS));
    for (TruthIncident t : scenario.truth()) {
      if (!t.firstObservedAt().isBefore(end.minus(Duration.ofHours(2)))) {
        continue;  // its later events may lie past the end
      }
      List<Event> es = t.eventIds().stream().map(byId::get).toList();
      assertThat(es).as(t.id()).doesNotContainNull();
      assertThat(es.get(0).observedAt()).isEqualTo(t.firstObservedAt());
      es.forEach(e -> assertThat(scenario.truthOf(e.id())).contains(t));
      Instant first = es.get(0).observedAt();
      switch (t.kind()) {
        case CAMPUS_ALARM -> {
          assertThat(t.severity()).isEqualTo("critical");
          Event alarm = es.get(0);
          assertThat(alarm.kind()).isEqualTo("campus_alarm");
          assertThat(alarm.attrs().get("campusCode")).isNotNull();
          for (Event e : es.subList(1, es.size())) {
            assertThat(e.source()).isEqualTo(Source.CAMERA);
            assertThat(metres(alarm, e)).isLessThan(500);
            assertThat(Duration.between(first, e.observedAt())).isLessThanOrEqualTo(Duration.ofMinutes(5));
          }
        }
        case COASTAL_INTRUSION -> {
          assertThat(t.severity()).isEqualTo("high");
          assertThat(es).hasSizeBetween(3, 5);
          for (Event e : es) {
            assertThat(e.source()).isEqualTo(Source.CAMERA);
            assertThat(e.kind()).isIn("intrusion", "loitering", "vehicle_alert");
            assertThat(coast.isWithinDistance(point(e), 900 / ReferenceCity.metersPerDegreeLat())).isTrue();
            assertThat(Duration.between(first, e.observedAt())).isLessThanOrEqualTo(Duration.ofMinutes(10));
            for (Event o : es) {
              assertThat(metres(e, o)).isLessThan(600);
            }
          }
        }
        case WANTED_VEHICLE -> {
          assertThat(es).hasSizeBetween(2, 4);
          assertThat(es.stream().map(e -> e.attrs().get("plate")).distinct()).hasSize(1);
          assertThat(es.stream().map(Event::sourceId).distinct()).hasSize(es.size());
          es.forEach(e -> assertThat(e.attrs()).containsEntry("result", "hit").containsEntry("subject", "vehicle"));
        }
        case WANTED_PERSON -> {
          assertThat(es).hasSize(1);
          assertThat(es.get(0).attrs()).containsEntry("result", "hit").containsEntry("subject", "person");
        }
        default -> throw new AssertionError(t.kind());
      }
    }
  }

  @Test
  void onlyRealIncidentsRaiseHitsAndAlarmsAndBackgroundDetectionsStayOffTheCoast() {
    Geometry coast = coast();
    double zone = 1_000 / ReferenceCity.metersPerDegreeLon();
    for (Event e : night) {
      boolean truth = scenario.truthOf(e.id()).isPresent();
      if ("hit".equals(e.attrs().get("result")) || "campus_alarm".equals(e.kind())) {
        assertThat(truth).as(e.id()).isTrue();
      }
      if (e.id().contains("-det-")) {
        // background detections must not feed the coastal night rule (1,000 m zone)
        assertThat(coast.isWithinDistance(point(e), zone)).as(e.id()).isFalse();
      }
      if (e.id().contains("-fsh-")) {
        assertThat(truth).isFalse();
        assertThat(coast.isWithinDistance(point(e), 900 / ReferenceCity.metersPerDegreeLat())).isTrue();
      }
    }
  }

  static Geometry coast() {
    return GF.buildGeometry(ReferenceCity.huizhou().coastline().stream().map(Feature::geometry).toList());
  }

  /** Where the event is in WGS84 (GCJ-02 converted back, as ingest does). */
  static Point point(Event e) {
    if (e.datum() == Datum.GCJ02) {
      double[] w = Gcj02.toWgs84(e.lon(), e.lat());
      return GF.createPoint(new Coordinate(w[0], w[1]));
    }
    return GF.createPoint(new Coordinate(e.lon(), e.lat()));
  }

  static double metres(Event a, Event b) {
    return Scenario.metres(point(a), point(b));
  }
}
