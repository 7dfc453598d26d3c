package org.safegrid.ingest.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.EventCodec;
import org.safegrid.ingest.event.EventDecoder;
import org.safegrid.ingest.event.EventRules;
import org.safegrid.ingest.event.Source;

class TrafficModelTest {

  static final Instant T0 = Instant.now().minus(Duration.ofHours(1));

  /** Half an hour of traffic at 300 events/s, compressed: 20,000 events, 90 ms apart. */
  static List<Event> run(long seed, int n) {
    TrafficModel m = new TrafficModel(ReferenceCity.huizhou(), seed, "test", T0);
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> m.next(T0.plusMillis(90L * i))).toList();
  }

  @Test
  void everyEventValidatesAgainstItsSchemaAndStaysInsideTheCity() {
    EventDecoder decoder = new EventDecoder(EventRules.DEFAULT);
    ReferenceCity city = ReferenceCity.huizhou();
    // about 2 km around the outline: checkpoints and cameras sit at its edge, patrols cross bays on straight legs
    PreparedGeometry area = PreparedGeometryFactory.prepare(city.outline().buffer(0.02));
    GeometryFactory gf = new GeometryFactory();
    Map<Source, Integer> perSource = new EnumMap<>(Source.class);
    Map<String, Integer> perKind = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (Event e : run(42, 20_000)) {
      EventDecoder.Result r = decoder.decode(e.source(), EventCodec.encode(e));
      assertThat(r).as("%s -> %s", e, r).isInstanceOf(EventDecoder.Accepted.class);
      Event stored = ((EventDecoder.Accepted) r).event();
      assertThat(area.covers(gf.createPoint(new Coordinate(stored.lon(), stored.lat())))).as("%s", stored).isTrue();
      assertThat(ids.add(e.id())).isTrue();
      perSource.merge(e.source(), 1, Integer::sum);
      perKind.merge(e.kind(), 1, Integer::sum);
    }
    assertThat(perSource.get(Source.PATROL)).isBetween(11_000, 12_600);
    assertThat(perSource.get(Source.CAMERA)).isBetween(6_500, 7_500);
    assertThat(perSource.get(Source.CHECKPOINT)).isBetween(1_000, 1_400);
    assertThat(perKind).containsKeys("position", "check", "intrusion", "loitering");
  }

  @Test
  void sameSeedSameTrafficOtherSeedOtherTraffic() {
    List<Event> a = run(7, 2000);
    List<Event> b = run(7, 2000);
    List<Event> c = run(8, 2000);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void patrolUnitsMoveAtPlausibleSpeeds() {
    Map<String, Event> last = new HashMap<>();
    int legs = 0;
    for (Event e : run(3, 20_000)) {
      if (!"position".equals(e.kind())) {
        continue;
      }
      Event prev = last.put(e.sourceId(), e);
      if (prev != null) {
        double secs = Duration.between(prev.observedAt(), e.observedAt()).toMillis() / 1000.0;
        double dx = (e.lon() - prev.lon()) * ReferenceCity.metersPerDegreeLon();
        double dy = (e.lat() - prev.lat()) * ReferenceCity.metersPerDegreeLat();
        double kmh = Math.sqrt(dx * dx + dy * dy) / secs * 3.6;
        assertThat(kmh).isLessThan(60);
        legs++;
      }
    }
    assertThat(last).hasSize(889);
    assertThat(legs).isGreaterThan(5_000);
  }

  @Test
  void malformedShareIsRefused() {
    EventDecoder decoder = new EventDecoder(EventRules.DEFAULT);
    Malformer m = new Malformer(new Random(1));
    int refused = 0;
    List<Event> events = run(5, 700);
    for (Event e : events) {
      if (decoder.decode(e.source(), m.spoil(EventCodec.encode(e))) instanceof EventDecoder.Refused) {
        refused++;
      }
    }
    assertThat(refused).isEqualTo(events.size());
  }
}
