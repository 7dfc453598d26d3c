package org.safegrid.ingest.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.safegrid.gisdata.reference.Feature;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.CheckpointAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.Source;

/**
 * A night in the reference city as a deterministic event stream with its ground truth: background
 * traffic at rates taken from the city's own figures ({@link Rates#DEFAULT}, arithmetic in
 * {@code docs/scenario.md}), plus injected real incidents whose events the scenario knows
 * ({@link #truth()}, {@link #truthOf(String)}): campus alarms with camera detections around the
 * campus (critical), coastal intrusions, wanted vehicles hitting several checkpoints and wanted
 * people hitting one (high). Night fishermen on the coast are detected too, and are not incidents.
 *
 * <p>{@link #next()} returns events in {@code observedAt} order from {@code start}. The same seed
 * gives the same events, times and truth. Background streams are Poisson processes; pings come
 * every {@code pingSeconds} from each of the 889 patrol units in turn; injected incidents arrive
 * one in each interval of {@code 1 / rate} at a uniformly drawn moment, so an hour of a rate of 1
 * always holds one. Every event id starts with {@code runId + "-"}.
 *
 * <p>Not thread-safe: one scenario per producing thread.
 */
public final class Scenario {

  /** Which kind of real incident; each has a fixed severity class. */
  public enum Kind {
    CAMPUS_ALARM("critical"), COASTAL_INTRUSION("high"), WANTED_VEHICLE("high"), WANTED_PERSON("high");

    private final String severity;

    Kind(String severity) {
      this.severity = severity;
    }

    /** critical or high, as alerts and incidents spell it. */
    public String severity() {
      return severity;
    }
  }

  /**
   * One injected real incident.
   *
   * @param id              {@code <runId>-truth-<n>}
   * @param kind            what happened
   * @param firstObservedAt observed time of its first event
   * @param eventIds        its events in observed order (the first one first)
   */
  public record TruthIncident(String id, Kind kind, Instant firstObservedAt, List<String> eventIds) {

    public TruthIncident {
      eventIds = List.copyOf(eventIds);
    }

    /** critical or high. */
    public String severity() {
      return kind.severity();
    }
  }

  /**
   * Rates of the scenario, all city-wide per hour of the night unless named otherwise.
   *
   * @param pingSeconds              seconds between two position pings of one patrol unit (889 units)
   * @param patrolReportsPerHour     patrol reports (incident, suspicious person, ...)
   * @param checksPerHour            checkpoint checks, all clear unless part of an injected incident
   * @param vehicleShare             share of checks that are vehicles (the rest are people)
   * @param inlandDetectionsPerHour  camera detections away from the coastal zone (no alert rule)
   * @param fishermenPerHour         fishing parties detected by a coastal camera at night (not incidents)
   * @param campusAlarmsPerHour      injected campus one-button alarms (critical)
   * @param coastalIntrusionsPerHour injected coastal intrusions (high)
   * @param wantedVehiclesPerHour    injected wanted vehicles, each hitting 2 to 4 checkpoints (high)
   * @param wantedPersonsPerHour     injected wanted people, each hitting one checkpoint (high)
   */
  public record Rates(double pingSeconds, double patrolReportsPerHour, double checksPerHour, double vehicleShare,
                      double inlandDetectionsPerHour, double fishermenPerHour, double campusAlarmsPerHour,
                      double coastalIntrusionsPerHour, double wantedVehiclesPerHour, double wantedPersonsPerHour) {

    /** Checks of the city's four-night operation: 12,606 vehicles and 45,356 people. */
    public static final int OPERATION_VEHICLES = 12_606;
    public static final int OPERATION_PEOPLE = 45_356;
    /** The operation ran four nights of ten hours (20:00 to 06:00). */
    public static final double OPERATION_HOURS = 4 * 10.0;

    /** The default night; see docs/scenario.md for where each figure comes from. */
    public static final Rates DEFAULT = new Rates(5, 20,
        (OPERATION_VEHICLES + OPERATION_PEOPLE) / OPERATION_HOURS,
        OPERATION_VEHICLES / (double) (OPERATION_VEHICLES + OPERATION_PEOPLE),
        ReferenceCity.CAMERA_COUNT * 0.8, 8, 1, 1, 0.5, 0.5);

    public Rates {
      if (!(pingSeconds > 0)) {
        throw new IllegalArgumentException("pingSeconds must be positive, was " + pingSeconds);
      }
      if (!(vehicleShare >= 0 && vehicleShare <= 1)) {
        throw new IllegalArgumentException("vehicleShare must be in [0, 1], was " + vehicleShare);
      }
      for (double r : new double[] {patrolReportsPerHour, checksPerHour, inlandDetectionsPerHour, fishermenPerHour,
          campusAlarmsPerHour, coastalIntrusionsPerHour, wantedVehiclesPerHour, wantedPersonsPerHour}) {
        if (!(r >= 0) || Double.isInfinite(r)) {
          throw new IllegalArgumentException("rates must be finite and not negative: " + this);
        }
      }
    }

    /** These rates with another ping interval. */
    public Rates withPingSeconds(double seconds) {
      return new Rates(seconds, patrolReportsPerHour, checksPerHour, vehicleShare, inlandDetectionsPerHour,
          fishermenPerHour, campusAlarmsPerHour, coastalIntrusionsPerHour, wantedVehiclesPerHour,
          wantedPersonsPerHour);
    }

    /** Injected real incidents per hour, all kinds. */
    public double truthPerHour() {
      return campusAlarmsPerHour + coastalIntrusionsPerHour + wantedVehiclesPerHour + wantedPersonsPerHour;
    }
  }

  static final int PATROL_UNITS = 889;
  private static final long MICROS_PER_HOUR = 3_600_000_000L;
  private static final String PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  // the streams, in the order that breaks ties of equal due times
  private static final int PING = 0;
  private static final int REPORT = 1;
  private static final int CHECK = 2;
  private static final int DETECTION = 3;
  private static final int FISHERMEN = 4;
  private static final int CAMPUS = 5;
  private static final int COAST = 6;
  private static final int VEHICLE = 7;
  private static final int PERSON = 8;

  private record Pending(long atMicros, long order, Event event) {
  }

  private final Random rnd;
  private final String runId;
  private final Instant start;
  private final Rates rates;
  private final TrafficModel traffic;
  private final List<Feature> checkpoints;
  private final List<Feature> campuses;
  private final List<Feature> cameras;
  private final List<Feature> coastalCameras;
  private final long[] due = new long[9];
  private final long[] count = new long[9];
  private final PriorityQueue<Pending> pending =
      new PriorityQueue<>(Comparator.comparingLong(Pending::atMicros).thenComparingLong(Pending::order));
  private final List<TruthIncident> truth = new ArrayList<>();
  private final Map<String, TruthIncident> truthByEvent = new HashMap<>();
  private long seq;
  private long order;
  private IncidentProcess incidents;
  private Event baseAhead;
  private Event incidentAhead;

  /**
   * Builds the scenario.
   *
   * @param city  reference layers
   * @param seed  seed of every random choice
   * @param runId first part of every event id (and of the truth ids), so that runs never collide
   * @param start observed time of the scenario's beginning
   * @param rates what happens how often
   */
  public Scenario(ReferenceCity city, long seed, String runId, Instant start, Rates rates) {
    this.rnd = new Random(seed);
    this.runId = runId;
    this.start = start;
    this.rates = rates;
    this.checkpoints = city.checkpoints();
    this.campuses = city.campuses();
    this.cameras = city.cameras();
    Geometry coast = new GeometryFactory().buildGeometry(city.coastline().stream().map(Feature::geometry).toList());
    // the alert rules' coastal zone is the band within 1,000 m of the coastline: coastal cameras are
    // surely inside it (700 m), inland cameras surely outside (1,100 m), in either axis
    double inside = 700 / ReferenceCity.metersPerDegreeLat();
    double outside = 1_100 / ReferenceCity.metersPerDegreeLon();
    List<Feature> coastal = new ArrayList<>();
    List<Feature> inland = new ArrayList<>();
    for (Feature cam : cameras) {
      if (coast.isWithinDistance(cam.geometry(), inside)) {
        coastal.add(cam);
      } else if (!coast.isWithinDistance(cam.geometry(), outside)) {
        inland.add(cam);
      }
    }
    this.coastalCameras = List.copyOf(coastal);
    this.traffic = new TrafficModel(city, List.copyOf(inland), seed * 31 + 17, runId, start);
    for (int s = 0; s < due.length; s++) {
      schedule(s);
    }
  }

  /** The observed time the scenario starts at. */
  public Instant start() {
    return start;
  }

  /** The rates it runs at. */
  public Rates rates() {
    return rates;
  }

  /** The coastal cameras its coastal events come from (inside the 1,000 m coastal zone). */
  public List<Feature> coastalCameras() {
    return coastalCameras;
  }

  /**
   * Adds reported incidents drawn from a self-exciting process (see {@link IncidentProcess}) to the
   * scenario's events, merged in observed-time order; call before the first {@link #next()}.
   */
  public Scenario withIncidents(ReferenceCity city, IncidentProcess.Parameters parameters, long seed, ZoneId zone) {
    if (seq > 0 || baseAhead != null) {
      throw new IllegalStateException("incidents must be added before the first event");
    }
    this.incidents = new IncidentProcess(city, parameters, seed, runId, start, zone);
    return this;
  }

  /** The incident process, when {@link #withIncidents} added one. */
  public Optional<IncidentProcess> incidents() {
    return Optional.ofNullable(incidents);
  }

  /** The next event, in observed-time order. */
  public Event next() {
    if (incidents == null) {
      return base();
    }
    if (baseAhead == null) {
      baseAhead = base();
    }
    if (incidentAhead == null) {
      incidentAhead = incidents.next();
    }
    Event out;
    if (incidentAhead.observedAt().isBefore(baseAhead.observedAt())) {
      out = incidentAhead;
      incidentAhead = null;
    } else {
      out = baseAhead;
      baseAhead = null;
    }
    return out;
  }

  private Event base() {
    while (true) {
      int s = 0;
      for (int i = 1; i < due.length; i++) {
        if (due[i] < due[s]) {
          s = i;
        }
      }
      Pending p = pending.peek();
      if (p != null && p.atMicros() <= due[s]) {
        return pending.poll().event();
      }
      Event e = fire(s, due[s]);
      count[s]++;
      schedule(s);
      if (e != null) {
        return e;
      }
    }
  }

  /** The real incidents injected so far (their first event may not have been returned yet). */
  public List<TruthIncident> truth() {
    return Collections.unmodifiableList(new ArrayList<>(truth));
  }

  /** The real incident an event belongs to, if any. */
  public Optional<TruthIncident> truthOf(String eventId) {
    return Optional.ofNullable(truthByEvent.get(eventId));
  }

  // --- scheduling ------------------------------------------------------------------------------------------------

  private void schedule(int s) {
    due[s] = switch (s) {
      case PING -> (long) (count[s] * rates.pingSeconds() * 1e6 / PATROL_UNITS);
      case REPORT -> poisson(s, rates.patrolReportsPerHour());
      case CHECK -> poisson(s, rates.checksPerHour());
      case DETECTION -> poisson(s, rates.inlandDetectionsPerHour());
      case FISHERMEN -> poisson(s, rates.fishermenPerHour());
      case CAMPUS -> stratified(s, rates.campusAlarmsPerHour());
      case COAST -> stratified(s, rates.coastalIntrusionsPerHour());
      case VEHICLE -> stratified(s, rates.wantedVehiclesPerHour());
      case PERSON -> stratified(s, rates.wantedPersonsPerHour());
      default -> throw new IllegalStateException("stream " + s);
    };
  }

  private long poisson(int s, double perHour) {
    if (perHour <= 0) {
      return Long.MAX_VALUE;
    }
    long from = count[s] == 0 ? 0 : due[s];
    return from + (long) (-Math.log(1 - rnd.nextDouble()) / perHour * MICROS_PER_HOUR);
  }

  /** One arrival in each interval of length 1/rate, at a uniform moment inside it. */
  private long stratified(int s, double perHour) {
    if (perHour <= 0) {
      return Long.MAX_VALUE;
    }
    return (long) ((count[s] + rnd.nextDouble()) / perHour * MICROS_PER_HOUR);
  }

  private Instant at(long micros) {
    return start.plus(Duration.ofNanos(micros * 1000));
  }

  private Event fire(int s, long now) {
    Instant t = at(now);
    return switch (s) {
      case PING -> relabel(traffic.ping(t), "pos");
      case REPORT -> relabel(traffic.report(t), "rep");
      case CHECK -> clearCheck(t);
      case DETECTION -> relabel(traffic.detection(t), "det");
      case FISHERMEN -> {
        fishermen(now);
        yield null;
      }
      case CAMPUS -> {
        campusAlarm(now);
        yield null;
      }
      case COAST -> {
        coastalIntrusion(now);
        yield null;
      }
      case VEHICLE -> {
        wantedVehicle(now);
        yield null;
      }
      case PERSON -> {
        wantedPerson(now);
        yield null;
      }
      default -> throw new IllegalStateException("stream " + s);
    };
  }

  // --- background --------------------------------------------------------------------------------------------------

  private String id(String type) {
    return runId + "-" + type + "-" + (++seq);
  }

  private Event relabel(Event e, String type) {
    return new Event(id(type), e.source(), e.sourceId(), e.kind(), e.severity(), e.observedAt(), e.lon(), e.lat(),
        e.datum(), e.attrs());
  }

  private Event clearCheck(Instant t) {
    Feature kp = checkpoints.get(rnd.nextInt(checkpoints.size()));
    boolean vehicle = rnd.nextDouble() < rates.vehicleShare();
    return check(kp, t, vehicle ? plate() : null, false);
  }

  private Event check(Feature kp, Instant t, String plate, boolean hit) {
    Point p = (Point) kp.geometry();
    return new Event(id(hit ? "hit" : "chk"), Source.CHECKPOINT, kp.code(), "check", hit ? 4 : 1, t,
        round(p.getX() + jitterDeg(15)), round(p.getY() + jitterDeg(15)), Datum.WGS84,
        new CheckpointAttrs(kp.code(), plate != null ? "vehicle" : "person", hit ? "hit" : "clear", plate).toMap());
  }

  private String plate() {
    return "粤L" + PLATE_LETTERS.charAt(rnd.nextInt(PLATE_LETTERS.length())) + String.format("%05d",
        rnd.nextInt(100_000));
  }

  /** A fishing party at one coastal camera: 2 to 6 person detections over 5 to 40 minutes. */
  private void fishermen(long now) {
    if (coastalCameras.isEmpty()) {
      return;
    }
    Feature cam = coastalCameras.get(rnd.nextInt(coastalCameras.size()));
    int n = 2 + rnd.nextInt(5);
    long span = (5 + rnd.nextInt(36)) * 60_000_000L;
    for (int i = 0; i < n; i++) {
      long t = now + (i == 0 ? 0 : (long) (rnd.nextDouble() * span));
      String kind = rnd.nextDouble() < 0.6 ? "loitering" : "intrusion";
      push(t, detection(cam, at(t), "fsh", kind, "person", 0.5 + rnd.nextDouble() * 0.35));
    }
  }

  private Event detection(Feature cam, Instant t, String type, String kind, String cls, double confidence) {
    Point p = (Point) cam.geometry();
    int severity = switch (kind) {
      case "fight" -> 4;
      case "intrusion" -> 3;
      default -> 2;
    };
    return new Event(id(type), Source.CAMERA, cam.code(), kind, severity, t, round(p.getX() + jitterDeg(20)),
        round(p.getY() + jitterDeg(20)), Datum.WGS84,
        new CameraAttrs(cam.code(), cls, Math.round(confidence * 1000) / 1000.0, null).toMap());
  }

  // --- injected real incidents ---------------------------------------------------------------------------------------

  /** A campus one-button alarm, then 2 to 4 detections by cameras within 400 m in the next 5 minutes. */
  private void campusAlarm(long now) {
    Feature campus = campuses.get(rnd.nextInt(campuses.size()));
    Point c = (Point) campus.geometry();
    String station = "ALM-" + campus.code();
    List<Event> events = new ArrayList<>();
    events.add(new Event(id("alm"), Source.CAMERA, station, "campus_alarm", 4, at(now), round(c.getX()),
        round(c.getY()), Datum.WGS84, new CameraAttrs(station, "button", 1.0, campus.code()).toMap()));
    List<Feature> near = within(cameras, c, 400);
    if (!near.isEmpty()) {
      int n = 2 + rnd.nextInt(3);
      List<Long> times = sortedTimes(now, n, 5);
      for (long t : times) {
        String kind = new String[] {"intrusion", "fight", "crowd"}[rnd.nextInt(3)];
        events.add(detection(near.get(rnd.nextInt(near.size())), at(t), "cdt", kind, "person",
            0.75 + rnd.nextDouble() * 0.24));
      }
    }
    inject(Kind.CAMPUS_ALARM, events);
  }

  /** 3 to 5 detections by coastal cameras within 250 m of the first (500 m of one another) in 10 minutes. */
  private void coastalIntrusion(long now) {
    if (coastalCameras.isEmpty()) {
      return;
    }
    Feature first = coastalCameras.get(rnd.nextInt(coastalCameras.size()));
    List<Feature> near = within(coastalCameras, (Point) first.geometry(), 250);
    int n = 3 + rnd.nextInt(3);
    List<Event> events = new ArrayList<>();
    List<Long> times = sortedTimes(now, n, 10);
    for (int i = 0; i < n; i++) {
      Feature cam = i == 0 ? first : near.get(rnd.nextInt(near.size()));
      boolean boat = rnd.nextDouble() < 0.25;
      String kind = boat ? "vehicle_alert" : rnd.nextDouble() < 0.7 ? "intrusion" : "loitering";
      events.add(detection(cam, at(times.get(i)), "itr", kind, boat ? "vehicle" : "person",
          0.7 + rnd.nextDouble() * 0.29));
    }
    inject(Kind.COASTAL_INTRUSION, events);
  }

  /** A wanted plate hitting 2 to 4 neighbouring checkpoints, 8 to 25 minutes apart. */
  private void wantedVehicle(long now) {
    String plate = plate();
    int n = 2 + rnd.nextInt(3);
    Set<Feature> visited = new HashSet<>();
    Feature kp = checkpoints.get(rnd.nextInt(checkpoints.size()));
    long t = now;
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      visited.add(kp);
      events.add(check(kp, at(t), plate, true));
      Point p = (Point) kp.geometry();
      List<Feature> next = checkpoints.stream().filter(k -> !visited.contains(k))
          .sorted(Comparator.comparingDouble(k -> metres(p, (Point) k.geometry()))).limit(6).toList();
      kp = next.get(rnd.nextInt(next.size()));
      t += (8 + rnd.nextInt(18)) * 60_000_000L;
    }
    inject(Kind.WANTED_VEHICLE, events);
  }

  /** A wanted person stopped at one checkpoint. */
  private void wantedPerson(long now) {
    Feature kp = checkpoints.get(rnd.nextInt(checkpoints.size()));
    inject(Kind.WANTED_PERSON, List.of(check(kp, at(now), null, true)));
  }

  private void inject(Kind kind, List<Event> events) {
    TruthIncident ti = new TruthIncident(runId + "-truth-" + (truth.size() + 1), kind, events.get(0).observedAt(),
        events.stream().map(Event::id).toList());
    truth.add(ti);
    for (Event e : events) {
      truthByEvent.put(e.id(), ti);
      push(Duration.between(start, e.observedAt()).toNanos() / 1000, e);
    }
  }

  private void push(long atMicros, Event e) {
    pending.add(new Pending(atMicros, ++order, e));
  }

  /** {@code n} moments from {@code now}: the first at {@code now}, the rest within {@code minutes}, sorted. */
  private List<Long> sortedTimes(long now, int n, int minutes) {
    List<Long> out = new ArrayList<>();
    out.add(now);
    for (int i = 1; i < n; i++) {
      out.add(now + (long) (rnd.nextDouble() * minutes * 60_000_000L));
    }
    Collections.sort(out);
    return out;
  }

  private static List<Feature> within(List<Feature> features, Point c, double meters) {
    return features.stream().filter(f -> metres(c, (Point) f.geometry()) <= meters).toList();
  }

  private double jitterDeg(double sigmaMeters) {
    return rnd.nextGaussian() * sigmaMeters / ReferenceCity.metersPerDegreeLat();
  }

  private static double round(double deg) {
    return TrafficModel.round(deg);
  }

  static double metres(Point a, Point b) {
    return TrafficModel.metres(a.getX(), a.getY(), b.getX(), b.getY());
  }
}
