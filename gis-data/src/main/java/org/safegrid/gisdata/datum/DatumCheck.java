package org.safegrid.gisdata.datum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/**
 * Looks for the tell-tale of GCJ-02 data uploaded as WGS84: compared with a WGS84 reference layer
 * (features matched by code), every feature is displaced by a few hundred metres in about the
 * same direction. GCJ-02's offset in China is 100–700 m; random digitising differences are
 * neither that large nor that consistent.
 */
public final class DatumCheck {

  /** Fewest matched features the check needs before it speaks. */
  public static final int MIN_MATCHES = 3;

  private DatumCheck() {}

  /**
   * The finding.
   *
   * @param matched        features found in both layers
   * @param medianOffsetM  median displacement of the matched features' centroids, in metres
   * @param bearingDeg     mean direction of the displacement, degrees clockwise from north
   * @param consistency    length of the mean of the unit displacement vectors, 0 (random) to 1 (all alike)
   * @param suspectedGcj02 true when the displacement looks like GCJ-02
   */
  public record Result(int matched, double medianOffsetM, double bearingDeg, double consistency,
                       boolean suspectedGcj02) {

    /** A sentence for the upload report. */
    public String message() {
      return String.format(Locale.ROOT, "Compared with the live layer, the %d matching features are shifted by a median"
          + " %.0f m towards %.0f° (consistency %.2f): this looks like GCJ-02 (Chinese web-map) coordinates uploaded as"
          + " WGS84. If the data was traced from a Chinese web map, upload it again with datum=gcj02.", matched,
          medianOffsetM, bearingDeg, consistency);
    }
  }

  /**
   * Compares uploaded features with reference features by code; null if fewer than
   * {@link #MIN_MATCHES} codes match.
   */
  public static Result compare(Map<String, Geometry> uploaded, Map<String, Geometry> reference) {
    List<double[]> d = new ArrayList<>();
    for (var e : uploaded.entrySet()) {
      Geometry ref = reference.get(e.getKey());
      Geometry up = e.getValue();
      if (ref == null || up == null || ref.isEmpty() || up.isEmpty()) {
        continue;
      }
      // centroids move exactly with a shift (interior points may not)
      var a = ref.getCentroid().getCoordinate();
      var b = up.getCentroid().getCoordinate();
      double east = (b.x - a.x) * 111_319.49 * Math.cos(Math.toRadians(a.y));
      double north = (b.y - a.y) * 110_574.0;
      d.add(new double[] {east, north});
    }
    if (d.size() < MIN_MATCHES) {
      return null;
    }
    double[] lengths = d.stream().mapToDouble(v -> Math.hypot(v[0], v[1])).sorted().toArray();
    double median = lengths.length % 2 == 1 ? lengths[lengths.length / 2]
        : (lengths[lengths.length / 2 - 1] + lengths[lengths.length / 2]) / 2;
    double ue = 0;
    double un = 0;
    for (double[] v : d) {
      double len = Math.hypot(v[0], v[1]);
      if (len > 0) {
        ue += v[0] / len;
        un += v[1] / len;
      }
    }
    double consistency = Math.hypot(ue, un) / d.size();
    double bearing = (Math.toDegrees(Math.atan2(ue, un)) + 360) % 360;
    boolean suspected = median >= 100 && median <= 700 && consistency >= 0.9;
    return new Result(d.size(), median, bearing, consistency, suspected);
  }
}
