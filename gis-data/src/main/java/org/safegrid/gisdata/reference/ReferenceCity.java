package org.safegrid.gisdata.reference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.linearref.LengthIndexedLine;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.operation.overlayng.OverlayNG;

/**
 * The reference city, Huizhou: real districts, outline, land and coastline shipped in this module,
 * plus the synthetic management grid, campuses, checkpoints and cameras generated with a fixed seed.
 *
 * <p>Everything is WGS84 lon/lat. Generation is deterministic for a given seed; {@link #huizhou()}
 * builds the city once and caches it (about a second of work). Instances are immutable and thread-safe.
 */
public final class ReferenceCity {

  public static final String CITY_CODE = "441300";
  public static final long DEFAULT_SEED = 441300L;
  /** Size of the synthetic square grid cells; gives about 3,600 cells clipped to land. */
  public static final double GRID_CELL_METERS = 1830;
  public static final int CAMPUS_COUNT = 1860;
  public static final int CHECKPOINT_COUNT = 381;
  public static final int CAMERA_COUNT = 2400;

  private static final String BASE = "/org/safegrid/gisdata/reference/huizhou/";
  private static volatile ReferenceCity cached;
  private static ReferenceCity base;

  private static synchronized ReferenceCity base() {
    if (base == null) {
      base = new ReferenceCity(0, null);
    }
    return base;
  }

  private final List<Feature> districts;
  private final Geometry outline;
  private final Geometry land;
  private final List<Feature> coastline;
  private final List<Feature> grid;
  private final List<Feature> campuses;
  private final List<Feature> checkpoints;
  private final List<Feature> cameras;

  /** The reference city generated with the default seed, built on first use. */
  public static ReferenceCity huizhou() {
    ReferenceCity c = cached;
    if (c == null) {
      synchronized (ReferenceCity.class) {
        c = cached;
        if (c == null) {
          c = new ReferenceCity(DEFAULT_SEED);
          cached = c;
        }
      }
    }
    return c;
  }

  /** Builds the reference city with the synthetic layers generated from {@code seed}. */
  public ReferenceCity(long seed) {
    this(seed, base());
  }

  private ReferenceCity(long seed, ReferenceCity base) {
    if (base == null) {
      this.districts = readDistricts();
      this.outline = GeoJsonFeatures.read(BASE + "city_outline_wgs84.geojson").get(0).geometry();
      Geometry landMask = GeometryFixer.fix(union(GeoJsonFeatures.read(BASE + "gshhg_land.geojson")));
      this.land = OverlayNGRobust.overlay(landMask, GeometryFixer.fix(outline), OverlayNG.INTERSECTION);
      this.coastline = clipCoastline();
      this.grid = generateGrid();
      this.campuses = List.of();
      this.checkpoints = List.of();
      this.cameras = List.of();
      return;
    }
    // the real layers and the grid do not depend on the seed: share them
    this.districts = base.districts;
    this.outline = base.outline;
    this.land = base.land;
    this.coastline = base.coastline;
    this.grid = base.grid;
    Random rnd = new Random(seed);
    this.campuses = generateCampuses(rnd);
    this.checkpoints = generateCheckpoints(rnd);
    this.cameras = generateCameras(rnd);
  }

  /** The five county-level units with adcode and Chinese name. */
  public List<Feature> districts() {
    return districts;
  }

  /** The city outline (runs out across bays). */
  public Geometry outline() {
    return outline;
  }

  /** Land within the city outline. */
  public Geometry land() {
    return land;
  }

  /** The city's shoreline segments (mainland coast and islands). */
  public List<Feature> coastline() {
    return coastline;
  }

  /** Synthetic management grid cells (MultiPolygon), code {@code HZ-<row>-<col>}, with district and town. */
  public List<Feature> grid() {
    return grid;
  }

  /** Synthetic campuses (points). */
  public List<Feature> campuses() {
    return campuses;
  }

  /** Synthetic checkpoints (points) on district borders and city approaches. */
  public List<Feature> checkpoints() {
    return checkpoints;
  }

  /** Synthetic cameras (points) near campuses, the coast and district seats. */
  public List<Feature> cameras() {
    return cameras;
  }

  /** The district containing a point, if any. */
  public Feature districtAt(double lon, double lat) {
    Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(lon, lat));
    for (Feature d : districts) {
      if (d.geometry().covers(p)) {
        return d;
      }
    }
    return null;
  }

  /** Metres per degree of longitude / latitude at the city's latitude (local equirectangular approximation). */
  public static double metersPerDegreeLon() {
    return 111_320 * Math.cos(Math.toRadians(23.1));
  }

  public static double metersPerDegreeLat() {
    return 110_760;
  }

  /** Length of a lon/lat line in metres, by the local approximation (good to ~0.5 % over the city). */
  public static double lengthMeters(Geometry lonLat) {
    double sum = 0;
    for (int i = 0; i < lonLat.getNumGeometries(); i++) {
      Coordinate[] cs = lonLat.getGeometryN(i).getCoordinates();
      for (int k = 1; k < cs.length; k++) {
        double dx = (cs[k].x - cs[k - 1].x) * metersPerDegreeLon();
        double dy = (cs[k].y - cs[k - 1].y) * metersPerDegreeLat();
        sum += Math.hypot(dx, dy);
      }
    }
    return sum;
  }

  /** Area of a lon/lat polygon in square metres, by the local approximation. */
  public static double areaSquareMeters(Geometry lonLat) {
    return lonLat.getArea() * metersPerDegreeLon() * metersPerDegreeLat();
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Feature> readDistricts() {
    List<Feature> out = new ArrayList<>();
    for (GeoJsonFeatures.Raw r : GeoJsonFeatures.read(BASE + "districts_wgs84.geojson")) {
      String code = String.valueOf(r.props().get("adcode"));
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("center", r.props().get("center"));
      props.put("source", "DataV.GeoAtlas (AMap-derived), converted from GCJ-02 to WGS84");
      out.add(new Feature(code, (String) r.props().get("name"), "district", code,
          GeometryFixer.fix(r.geometry()), props));
    }
    out.sort(Comparator.comparing(Feature::code));
    return List.copyOf(out);
  }

  private static Geometry union(List<GeoJsonFeatures.Raw> raws) {
    List<Geometry> gs = raws.stream().map(GeoJsonFeatures.Raw::geometry).toList();
    return GeoJsonFeatures.WGS84.buildGeometry(gs).union();
  }

  private List<Feature> clipCoastline() {
    // A shoreline belongs to the city where it runs inside the outline; the outline is cut along
    // the coast, so a small buffer (~200 m) keeps the shore that the outline follows.
    Geometry zone = outline.buffer(0.002);
    PreparedGeometry prepared = PreparedGeometryFactory.prepare(zone);
    List<Feature> out = new ArrayList<>();
    int n = 0;
    for (GeoJsonFeatures.Raw r : GeoJsonFeatures.read(BASE + "gshhg_shoreline.geojson")) {
      if (!prepared.intersects(r.geometry())) {
        continue;
      }
      Geometry clipped = OverlayNGRobust.overlay(r.geometry(), zone, OverlayNG.INTERSECTION);
      for (int i = 0; i < clipped.getNumGeometries(); i++) {
        Geometry part = clipped.getGeometryN(i);
        if (!(part instanceof LineString) || part.getLength() == 0) {
          continue;
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("lengthMeters", Math.round(lengthMeters(part)));
        props.put("source", "GSHHG 2.3.7 full resolution");
        Point mid = part.getInteriorPoint();
        Feature d = districtAt(mid.getX(), mid.getY());
        out.add(new Feature("COAST-" + (++n), null, "shoreline", d == null ? null : d.code(), part, props));
      }
    }
    return List.copyOf(out);
  }

  private List<Feature> generateGrid() {
    Envelope env = land.getEnvelopeInternal();
    double dLon = GRID_CELL_METERS / metersPerDegreeLon();
    double dLat = GRID_CELL_METERS / metersPerDegreeLat();
    PreparedGeometry preparedLand = PreparedGeometryFactory.prepare(land);
    List<PreparedGeometry> preparedDistricts = districts.stream()
        .map(d -> PreparedGeometryFactory.prepare(d.geometry())).toList();
    double fullArea = dLon * dLat;
    List<Feature> out = new ArrayList<>();
    int rows = (int) Math.ceil(env.getHeight() / dLat);
    int cols = (int) Math.ceil(env.getWidth() / dLon);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double x0 = env.getMinX() + c * dLon;
        double y0 = env.getMinY() + r * dLat;
        Polygon square = GeoJsonFeatures.WGS84.toGeometry(new Envelope(x0, x0 + dLon, y0, y0 + dLat)) instanceof Polygon p
            ? p : null;
        if (square == null || !preparedLand.intersects(square)) {
          continue;
        }
        Geometry cell = preparedLand.containsProperly(square) ? square
            : OverlayNGRobust.overlay(square, land, OverlayNG.INTERSECTION);
        cell = polygonal(cell);
        // drop slivers along the coast and the city border: they are not workable grids
        if (cell == null || cell.getArea() < 0.05 * fullArea) {
          continue;
        }
        Point inside = cell.getInteriorPoint();
        String district = null;
        for (int i = 0; i < districts.size(); i++) {
          if (preparedDistricts.get(i).covers(inside)) {
            district = districts.get(i).code();
            break;
          }
        }
        if (district == null) {
          district = nearestDistrict(inside);
        }
        String code = String.format("HZ-%03d-%03d", r, c);
        String town = district + "-" + String.format("%02d%02d", r / 8, c / 8);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("townCode", town);
        props.put("townName", districtName(district) + " 片区 " + String.format("%02d%02d", r / 8, c / 8));
        props.put("synthetic", true);
        out.add(new Feature(code, "网格 " + code.substring(3), "grid", district, cell, props));
      }
    }
    return List.copyOf(out);
  }

  private static Geometry polygonal(Geometry g) {
    List<Polygon> polys = new ArrayList<>();
    for (int i = 0; i < g.getNumGeometries(); i++) {
      if (g.getGeometryN(i) instanceof Polygon p && !p.isEmpty()) {
        polys.add(p);
      }
    }
    if (polys.isEmpty()) {
      return null;
    }
    MultiPolygon mp = GeoJsonFeatures.WGS84.createMultiPolygon(polys.toArray(Polygon[]::new));
    mp.setSRID(4326);
    return mp;
  }

  private String nearestDistrict(Point p) {
    Feature best = null;
    double bestDistance = Double.MAX_VALUE;
    for (Feature d : districts) {
      double dist = d.geometry().distance(p);
      if (dist < bestDistance) {
        bestDistance = dist;
        best = d;
      }
    }
    return best == null ? null : best.code();
  }

  private String districtName(String code) {
    return districts.stream().filter(d -> d.code().equals(code)).map(Feature::name).findFirst().orElse(code);
  }

  private double[] districtSeat(Feature d) {
    Object center = d.props().get("center");
    if (center instanceof List<?> l && l.size() == 2) {
      return new double[] {((Number) l.get(0)).doubleValue(), ((Number) l.get(1)).doubleValue()};
    }
    Point c = d.geometry().getInteriorPoint();
    return new double[] {c.getX(), c.getY()};
  }

  /** Population weights of the district seats (approximate resident population, millions). */
  private static double populationWeight(String adcode) {
    return switch (adcode) {
      case "441302" -> 1.5;
      case "441303" -> 0.95;
      case "441322" -> 1.1;
      case "441323" -> 0.9;
      case "441324" -> 0.35;
      default -> 0.5;
    };
  }

  private List<Feature> generateCampuses(Random rnd) {
    PreparedGeometry preparedLand = PreparedGeometryFactory.prepare(land);
    // town centres: a few per district, drawn on land, so that schools cluster as people do
    List<double[]> centres = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    List<Double> sigmas = new ArrayList<>();
    for (Feature d : districts) {
      double w = populationWeight(d.code());
      centres.add(districtSeat(d));
      weights.add(w * 6);
      sigmas.add(4_000.0);
      PreparedGeometry pd = PreparedGeometryFactory.prepare(d.geometry());
      Envelope e = d.geometry().getEnvelopeInternal();
      int towns = (int) Math.round(8 + 8 * w);
      for (int t = 0; t < towns; ) {
        double lon = e.getMinX() + rnd.nextDouble() * e.getWidth();
        double lat = e.getMinY() + rnd.nextDouble() * e.getHeight();
        Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(lon, lat));
        if (pd.covers(p) && preparedLand.covers(p)) {
          centres.add(new double[] {lon, lat});
          weights.add(w);
          sigmas.add(1_500.0);
          t++;
        }
      }
    }
    double total = weights.stream().mapToDouble(Double::doubleValue).sum();
    String[] kinds = {"kindergarten", "primary", "primary", "middle", "high", "vocational"};
    List<Feature> out = new ArrayList<>();
    while (out.size() < CAMPUS_COUNT) {
      double pick = rnd.nextDouble() * total;
      int k = 0;
      while (k < weights.size() - 1 && (pick -= weights.get(k)) > 0) {
        k++;
      }
      double[] c = centres.get(k);
      double lon = c[0] + rnd.nextGaussian() * sigmas.get(k) / metersPerDegreeLon();
      double lat = c[1] + rnd.nextGaussian() * sigmas.get(k) / metersPerDegreeLat();
      Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(lon, lat));
      if (!preparedLand.covers(p)) {
        continue;
      }
      Feature d = districtAt(lon, lat);
      String code = String.format("SCH-%04d", out.size() + 1);
      String kind = kinds[rnd.nextInt(kinds.length)];
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("synthetic", true);
      props.put("students", 200 + rnd.nextInt(2800));
      props.put("alarmButton", true);
      out.add(new Feature(code, "合成学校 " + code.substring(4), kind, d == null ? null : d.code(), p, props));
    }
    return List.copyOf(out);
  }

  private List<Feature> generateCheckpoints(Random rnd) {
    PreparedGeometry preparedLand = PreparedGeometryFactory.prepare(land);
    // inner borders: shared boundaries between districts; approaches: the city outline on land
    List<Geometry> inner = new ArrayList<>();
    for (int i = 0; i < districts.size(); i++) {
      for (int j = i + 1; j < districts.size(); j++) {
        Geometry shared = OverlayNGRobust.overlay(districts.get(i).geometry().buffer(0.001).getBoundary(),
            districts.get(j).geometry().buffer(0.001), OverlayNG.INTERSECTION);
        if (!shared.isEmpty()) {
          inner.add(shared);
        }
      }
    }
    Geometry innerLines = GeoJsonFeatures.WGS84.buildGeometry(inner);
    Geometry approaches = outline.getBoundary();
    Geometry coast = GeoJsonFeatures.WGS84.buildGeometry(coastline.stream().map(Feature::geometry).toList());
    List<Feature> out = new ArrayList<>();
    int innerCount = (int) Math.round(CHECKPOINT_COUNT * 0.45);
    samplePointsAlong(innerLines, innerCount, rnd, preparedLand, null, "district_border", out);
    samplePointsAlong(approaches, CHECKPOINT_COUNT - out.size() - 40, rnd, preparedLand, coast, "city_approach", out);
    // the rest guard the district seats
    while (out.size() < CHECKPOINT_COUNT) {
      Feature d = districts.get(out.size() % districts.size());
      double[] seat = districtSeat(d);
      double lon = seat[0] + rnd.nextGaussian() * 3_000 / metersPerDegreeLon();
      double lat = seat[1] + rnd.nextGaussian() * 3_000 / metersPerDegreeLat();
      Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(lon, lat));
      if (preparedLand.covers(p)) {
        addCheckpoint(out, p, "urban_ring", rnd);
      }
    }
    return List.copyOf(out);
  }

  private void samplePointsAlong(Geometry lines, int count, Random rnd, PreparedGeometry preparedLand,
                                 Geometry awayFrom, String kind, List<Feature> out) {
    double total = 0;
    List<LineString> parts = new ArrayList<>();
    for (int i = 0; i < lines.getNumGeometries(); i++) {
      if (lines.getGeometryN(i) instanceof LineString ls && ls.getLength() > 0) {
        parts.add(ls);
        total += ls.getLength();
      }
    }
    if (parts.isEmpty() || count <= 0) {
      return;
    }
    int target = out.size() + count;
    double step = total / count;
    double offset = rnd.nextDouble() * step;
    int attempts = 0;
    while (out.size() < target && attempts++ < count * 20) {
      double at = (offset + (out.size() - (target - count)) * step + rnd.nextGaussian() * step * 0.1 + total) % total;
      for (LineString ls : parts) {
        if (at <= ls.getLength()) {
          Coordinate c = new LengthIndexedLine(ls).extractPoint(at);
          Point p = GeoJsonFeatures.WGS84.createPoint(c);
          // land approaches only: a point of the outline near the shore is a bay, not a road
          if (preparedLand.covers(p) && (awayFrom == null || !awayFrom.isWithinDistance(p, 0.02))) {
            addCheckpoint(out, p, kind, rnd);
          } else {
            offset += step * 0.37;
          }
          break;
        }
        at -= ls.getLength();
      }
    }
  }

  private void addCheckpoint(List<Feature> out, Point p, String kind, Random rnd) {
    Feature d = districtAt(p.getX(), p.getY());
    String code = String.format("CKP-%03d", out.size() + 1);
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("synthetic", true);
    props.put("lanes", 1 + rnd.nextInt(4));
    out.add(new Feature(code, "合成卡口 " + code.substring(4), kind, d == null ? null : d.code(), p, props));
  }

  private List<Feature> generateCameras(Random rnd) {
    PreparedGeometry preparedLand = PreparedGeometryFactory.prepare(land);
    List<Feature> out = new ArrayList<>();
    int nearCampus = CAMERA_COUNT / 2;
    int nearCoast = CAMERA_COUNT / 5;
    while (out.size() < nearCampus) {
      Point c = (Point) campuses.get(rnd.nextInt(campuses.size())).geometry();
      addCamera(out, jitter(c, 150, rnd), "campus", preparedLand);
    }
    Geometry coast = GeoJsonFeatures.WGS84.buildGeometry(coastline.stream().map(Feature::geometry).toList());
    int target = out.size() + nearCoast;
    int attempts = 0;
    while (out.size() < target && attempts++ < nearCoast * 50) {
      LineString ls = (LineString) coast.getGeometryN(rnd.nextInt(coast.getNumGeometries()));
      Coordinate c = new LengthIndexedLine(ls).extractPoint(rnd.nextDouble() * ls.getLength());
      addCamera(out, jitter(GeoJsonFeatures.WGS84.createPoint(c), 300, rnd), "coast", preparedLand);
    }
    while (out.size() < CAMERA_COUNT) {
      Feature d = districts.get(rnd.nextInt(districts.size()));
      double[] seat = districtSeat(d);
      Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(seat[0], seat[1]));
      addCamera(out, jitter(p, 2_500, rnd), "centre", preparedLand);
    }
    return List.copyOf(out);
  }

  private static Point jitter(Point p, double sigmaMeters, Random rnd) {
    return GeoJsonFeatures.WGS84.createPoint(new Coordinate(
        p.getX() + rnd.nextGaussian() * sigmaMeters / metersPerDegreeLon(),
        p.getY() + rnd.nextGaussian() * sigmaMeters / metersPerDegreeLat()));
  }

  private void addCamera(List<Feature> out, Point p, String near, PreparedGeometry preparedLand) {
    if (!preparedLand.covers(p)) {
      return;
    }
    Feature d = districtAt(p.getX(), p.getY());
    String code = String.format("CAM-%s-%04d", d == null ? CITY_CODE : d.code(), out.size() + 1);
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("synthetic", true);
    props.put("near", near);
    out.add(new Feature(code, null, "camera", d == null ? null : d.code(), p, props));
  }
}
