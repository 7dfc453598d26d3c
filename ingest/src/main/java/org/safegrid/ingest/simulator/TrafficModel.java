package org.safegrid.ingest.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.safegrid.gisdata.datum.Gcj02;
import org.safegrid.gisdata.reference.Feature;
import org.safegrid.gisdata.reference.ReferenceCity;
import org.safegrid.ingest.event.CameraAttrs;
import org.safegrid.ingest.event.CheckpointAttrs;
import org.safegrid.ingest.event.Datum;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.PatrolAttrs;
import org.safegrid.ingest.event.Source;

/**
 * The reference city's event traffic as a deterministic generator: given a seed, the sequence of
 * events (who, where, what) is always the same; only timestamps follow the clock passed in.
 *
 * <p>Mix (shares of all events, from the city's figures): patrol position pings 58 % (889 units,
 * one ping every 5 s at the default 300 events/s), patrol reports 1 %, checkpoint checks 6 % (381
 * checkpoints; vehicles : people = 12,606 : 45,356 as in the city's four-night operation; hits are
 * rare), camera detections 34.9 % (70 % of them clustered around a few hotspot centres that drift
 * across the city over hours, 20 % sent in GCJ-02 as Chinese web-map platforms do), campus
 * one-button alarms 0.1 %. Patrol units move along straight legs between points of the management
 * grid at 15-55 km/h on legs that stay on land, sometimes stopping or responding.
 *
 * <p>Not thread-safe: one generator per producing thread.
 */
public final class TrafficModel {

  private static final String[] CAMERA_KINDS = {"intrusion", "loitering", "crowd", "vehicle_alert",
      "abandoned_object", "fight", "fire"};
  private static final double[] CAMERA_KIND_WEIGHTS = {0.30, 0.25, 0.15, 0.17, 0.06, 0.05, 0.02};
  private static final int[] CAMERA_KIND_SEVERITY = {3, 2, 2, 2, 2, 4, 5};
  private static final String[] REPORT_KINDS = {"incident", "suspicious_person", "suspicious_vehicle", "disturbance",
      "traffic_accident", "assist_request"};
  private static final String PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  /** How long a hotspot centre takes to move from one anchor to the next. */
  private static final Duration DRIFT_LEG = Duration.ofHours(3);
  private static final GeometryFactory GF = new GeometryFactory();

  private final Random rnd;
  private final String runId;
  private final List<Point> waypoints = new ArrayList<>();
  private final List<Feature> checkpoints;
  private final List<Feature> cameras;
  private final List<Feature> campuses;
  private final Unit[] units;
  private final Hotspot[] hotspots;
  private final Instant epoch;
  private final PreparedGeometry land;
  private long seq;
  private int nextUnit;

  /** A patrol unit moving leg by leg between grid points. */
  private static final class Unit {
    final String id;
    double lon;
    double lat;
    double toLon;
    double toLat;
    double speedKmh;
    double heading;
    String status = "patrolling";
    Instant last;

    Unit(String id) {
      this.id = id;
    }
  }

  /** A cluster centre of camera detections drifting between anchor cameras. */
  private static final class Hotspot {
    final int[] anchors;

    Hotspot(int[] anchors) {
      this.anchors = anchors;
    }
  }

  /**
   * Builds the model.
   *
   * @param city  reference layers (grid, checkpoints, cameras, campuses)
   * @param seed  seed of every random choice
   * @param runId goes into every event id, so that separate runs never reuse an id
   * @param epoch start of the simulated period (drift is measured from it)
   */
  public TrafficModel(ReferenceCity city, long seed, String runId, Instant epoch) {
    this(city, city.cameras(), seed, runId, epoch);
  }

  /** The model with camera detections only at {@code cameras} (a subset of the city's). */
  TrafficModel(ReferenceCity city, List<Feature> cameras, long seed, String runId, Instant epoch) {
    this.rnd = new Random(seed);
    this.runId = runId;
    this.epoch = epoch;
    this.land = PreparedGeometryFactory.prepare(city.land());
    for (Feature cell : city.grid()) {
      Geometry g = cell.geometry();
      waypoints.add(g.getInteriorPoint());
    }
    this.checkpoints = city.checkpoints();
    this.cameras = cameras;
    this.campuses = city.campuses();
    this.units = new Unit[889];
    for (int i = 0; i < units.length; i++) {
      Unit u = new Unit(String.format("PU-%04d", i + 1));
      Point start = waypoints.get(rnd.nextInt(waypoints.size()));
      u.lon = start.getX();
      u.lat = start.getY();
      newLeg(u);
      units[i] = u;
    }
    this.hotspots = new Hotspot[4];
    for (int h = 0; h < hotspots.length; h++) {
      int[] anchors = new int[8];
      for (int a = 0; a < anchors.length; a++) {
        anchors[a] = rnd.nextInt(cameras.size());
      }
      hotspots[h] = new Hotspot(anchors);
    }
  }

  /** The next event, observed at {@code now}. */
  public Event next(Instant now) {
    double r = rnd.nextDouble();
    if (r < 0.58) {
      return ping(now);
    } else if (r < 0.59) {
      return report(now);
    } else if (r < 0.65) {
      return check(now);
    } else if (r < 0.999) {
      return detection(now);
    }
    return campusAlarm(now);
  }

  private String id(String prefix) {
    return prefix + "-" + runId + "-" + (++seq);
  }

  Event ping(Instant now) {
    Unit u = units[nextUnit];
    nextUnit = (nextUnit + 1) % units.length;
    advance(u, now);
    return new Event(id("pos"), Source.PATROL, u.id, "position", 0, now, round(u.lon), round(u.lat), Datum.WGS84,
        new PatrolAttrs(u.id, Math.round(u.speedKmh * 10) / 10.0, Math.round(u.heading * 10) / 10.0, u.status, null)
            .toMap());
  }

  Event report(Instant now) {
    Unit u = units[rnd.nextInt(units.length)];
    advance(u, now);
    String kind = REPORT_KINDS[rnd.nextInt(REPORT_KINDS.length)];
    int severity = switch (kind) {
      case "incident", "assist_request" -> 4;
      case "traffic_accident" -> 3;
      default -> 2;
    };
    return new Event(id("rep"), Source.PATROL, u.id, kind, severity, now, round(u.lon), round(u.lat), Datum.WGS84,
        new PatrolAttrs(u.id, null, null, null, "reported by " + u.id).toMap());
  }

  private Event check(Instant now) {
    Feature kp = checkpoints.get(rnd.nextInt(checkpoints.size()));
    Point p = (Point) kp.geometry();
    boolean vehicle = rnd.nextDouble() < 12_606.0 / (12_606 + 45_356);
    boolean hit = rnd.nextDouble() < (vehicle ? 0.004 : 0.002);
    String plate = vehicle ? "粤L" + PLATE_LETTERS.charAt(rnd.nextInt(PLATE_LETTERS.length()))
        + String.format("%05d", rnd.nextInt(100_000)) : null;
    return new Event(id("chk"), Source.CHECKPOINT, kp.code(), "check", hit ? 4 : 1, now,
        round(p.getX() + jitterDeg(15)), round(p.getY() + jitterDeg(15)), Datum.WGS84,
        new CheckpointAttrs(kp.code(), vehicle ? "vehicle" : "person", hit ? "hit" : "clear", plate).toMap());
  }

  Event detection(Instant now) {
    Feature cam;
    if (rnd.nextDouble() < 0.7) {
      cam = cameraNear(hotspotCentre(hotspots[rnd.nextInt(hotspots.length)], now), 2_000);
    } else {
      cam = cameras.get(rnd.nextInt(cameras.size()));
    }
    int k = pick(CAMERA_KIND_WEIGHTS);
    String kind = CAMERA_KINDS[k];
    String cls = switch (kind) {
      case "vehicle_alert" -> "vehicle";
      case "abandoned_object" -> "object";
      case "fire" -> "fire";
      default -> "person";
    };
    Point p = (Point) cam.geometry();
    double lon = p.getX() + jitterDeg(20);
    double lat = p.getY() + jitterDeg(20);
    Datum datum = Datum.WGS84;
    if (rnd.nextDouble() < 0.2) {
      double[] g = Gcj02.fromWgs84(lon, lat);
      lon = g[0];
      lat = g[1];
      datum = Datum.GCJ02;
    }
    double confidence = Math.round((0.5 + rnd.nextDouble() * 0.49) * 1000) / 1000.0;
    return new Event(id("det"), Source.CAMERA, cam.code(), kind, CAMERA_KIND_SEVERITY[k], now, round(lon), round(lat),
        datum, new CameraAttrs(cam.code(), cls, confidence, null).toMap());
  }

  private Event campusAlarm(Instant now) {
    Feature campus = campuses.get(rnd.nextInt(campuses.size()));
    Point p = (Point) campus.geometry();
    String station = "ALM-" + campus.code();
    return new Event(id("alm"), Source.CAMERA, station, "campus_alarm", 4, now, round(p.getX()), round(p.getY()),
        Datum.WGS84, new CameraAttrs(station, "button", 1.0, campus.code()).toMap());
  }

  /** Where a hotspot centre is at a time: on the leg between two of its anchors. */
  private double[] hotspotCentre(Hotspot h, Instant now) {
    double legs = Math.max(0, Duration.between(epoch, now).toMillis()) / (double) DRIFT_LEG.toMillis();
    int leg = (int) Math.floor(legs);
    double f = legs - leg;
    Point a = (Point) cameras.get(h.anchors[leg % h.anchors.length]).geometry();
    Point b = (Point) cameras.get(h.anchors[(leg + 1) % h.anchors.length]).geometry();
    return new double[] {a.getX() + (b.getX() - a.getX()) * f, a.getY() + (b.getY() - a.getY()) * f};
  }

  /** A random camera within about {@code radiusMeters} of a point (the nearest of a sample when none is). */
  private Feature cameraNear(double[] c, double radiusMeters) {
    Feature best = null;
    double bestD = Double.MAX_VALUE;
    for (int i = 0; i < 64; i++) {
      Feature cam = cameras.get(rnd.nextInt(cameras.size()));
      Point p = (Point) cam.geometry();
      double d = metres(c[0], c[1], p.getX(), p.getY());
      if (d < radiusMeters) {
        return cam;
      }
      if (d < bestD) {
        bestD = d;
        best = cam;
      }
    }
    return best;
  }

  private void advance(Unit u, Instant now) {
    if (u.last == null) {
      u.last = now;
      return;
    }
    double seconds = Math.max(0, Duration.between(u.last, now).toMillis() / 1000.0);
    u.last = now;
    if ("stationary".equals(u.status)) {
      if (rnd.nextDouble() < 0.1) {
        newLeg(u);
      }
      return;
    }
    double step = u.speedKmh / 3.6 * seconds;
    double dist = metres(u.lon, u.lat, u.toLon, u.toLat);
    if (dist <= step) {
      u.lon = u.toLon;
      u.lat = u.toLat;
      newLeg(u);
    } else {
      double f = step / dist;
      u.lon += (u.toLon - u.lon) * f;
      u.lat += (u.toLat - u.lat) * f;
    }
  }

  /** Picks the next destination: a grid point within a few kilometres; sometimes the unit stops. */
  private void newLeg(Unit u) {
    double r = rnd.nextDouble();
    if (r < 0.08) {
      u.status = "stationary";
      u.speedKmh = 0;
      return;
    }
    u.status = r < 0.15 ? "responding" : "patrolling";
    Point best = null;
    for (int i = 0; i < 40 && best == null; i++) {
      Point p = waypoints.get(rnd.nextInt(waypoints.size()));
      // a leg of a few kilometres that stays on land: units drive, they do not cross the bay
      if (metres(u.lon, u.lat, p.getX(), p.getY()) < 6_000 && land.covers(GF.createLineString(new Coordinate[] {
          new Coordinate(u.lon, u.lat), new Coordinate(p.getX(), p.getY())}))) {
        best = p;
      }
    }
    if (best == null) {
      u.status = "stationary";
      u.speedKmh = 0;
      return;
    }
    u.toLon = best.getX();
    u.toLat = best.getY();
    u.speedKmh = "responding".equals(u.status) ? 45 + rnd.nextDouble() * 10 : 15 + rnd.nextDouble() * 25;
    double dx = (u.toLon - u.lon) * ReferenceCity.metersPerDegreeLon();
    double dy = (u.toLat - u.lat) * ReferenceCity.metersPerDegreeLat();
    double h = Math.toDegrees(Math.atan2(dx, dy));
    u.heading = h < 0 ? h + 360 : h;
  }

  private int pick(double[] weights) {
    double r = rnd.nextDouble();
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private double jitterDeg(double sigmaMeters) {
    return rnd.nextGaussian() * sigmaMeters / ReferenceCity.metersPerDegreeLat();
  }

  static double round(double deg) {
    return Math.round(deg * 1e6) / 1e6;
  }

  static double metres(double lon1, double lat1, double lon2, double lat2) {
    double dx = (lon2 - lon1) * ReferenceCity.metersPerDegreeLon();
    double dy = (lat2 - lat1) * ReferenceCity.metersPerDegreeLat();
    return Math.sqrt(dx * dx + dy * dy);
  }
}
