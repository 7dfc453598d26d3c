package org.safegrid.server.analysis;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.safegrid.server.hotspot.LocalMetricProjection;
import org.safegrid.server.stats.hotspot.FalseDiscoveryRate;
import org.safegrid.server.stats.hotspot.GiStar;
import org.safegrid.server.stats.hotspot.GiStarResult;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.safegrid.server.stats.hotspot.HotspotClass;
import org.safegrid.server.stats.hotspot.HotspotDissolver;
import org.safegrid.server.stats.hotspot.HotspotInput;
import org.safegrid.server.stats.hotspot.SpatialWeights;
import org.safegrid.server.stats.hotspot.WeightsBuilder;

/**
 * Gi* hotspot analysis of any GeoJSON layer of points or polygons carrying a numeric property:
 * binary weights with the feature itself included (as {@code spdep::localG} on a listw built with
 * {@code include.self}), analytic and conditional-permutation p-values, Benjamini–Hochberg classes
 * on the chosen p, dissolved hotspots. Refuses, as ArcGIS does, fewer than 30 features with
 * neighbours, all zeros and more than 95 % zeros. Plain class, no Spring.
 *
 * <p>Distance bands are measured between feature centroids (points: the point) in a local metric
 * projection. Queen contiguity needs polygons. Hotspots of polygons are dissolved over queen
 * contiguity; hotspots of points over the analysis weights, drawn as the convex hull of the group.
 */
public final class LayerHotspotAnalysis {

  /** Refused input; the message says what to change. */
  public static final class BadLayerException extends IllegalArgumentException {
    private final boolean tooLarge;

    BadLayerException(String message, boolean tooLarge) {
      super(message);
      this.tooLarge = tooLarge;
    }

    public boolean tooLarge() {
      return tooLarge;
    }
  }

  /** Result per input feature, in input order: z, analytic p, pseudo p (null without permutations), class. */
  public record FeatureResult(Object id, Double z, Double p, @JsonProperty("p_sim") Double pSim,
                              @JsonProperty("class") HotspotClass hotspotClass) {}

  /** How the neighbourhood was chosen by {@code distance_band=auto}: Global Moran's I z per band tried. */
  public record BandSearch(boolean peak, double[] distancesMeters, double[] moranZ) {}

  /**
   * The whole answer.
   *
   * @param bandSearch the automatic band's curve (null unless {@code threshold=auto})
   */
  public record Result(String property, String weights, Double thresholdMeters, int k, SpatialWeights.NeighbourCounts counts,
                       int permutations, boolean pseudoP, List<FeatureResult> features, List<Hotspot> hotspots,
                       BandSearch bandSearch) {}

  private LayerHotspotAnalysis() {}

  /**
   * Runs the analysis.
   *
   * @param fc              a GeoJSON FeatureCollection
   * @param property        the numeric property (null: the only property numeric in every feature)
   * @param weights         {@code contiguity} (queen; {@code queen} is accepted), {@code knn} or {@code distance_band}
   * @param thresholdMeters distance band in metres; null = the smallest that gives every feature a
   *                        neighbour, offshore outliers set aside
   * @param maxFeatures     refuse more features than this
   */
  /** Widest distance band accepted (m): wider than any city, and it keeps 1e308 or Infinity out. */
  static final double MAX_THRESHOLD_METERS = 500_000;

  public static Result run(JsonNode fc, String property, String weights, Double thresholdMeters, int maxFeatures) {
    return run(fc, property, weights, thresholdMeters, false, 8, 8, 0, false, 0, maxFeatures);
  }

  /**
   * Runs the analysis with every option.
   *
   * @param autoBand      choose the distance band as ArcGIS's Optimized Hot Spot Analysis does
   * @param k             neighbours for {@code knn}
   * @param minNeighbours floor of neighbours for {@code distance_band}
   * @param permutations  conditional permutations for pseudo p-values (0 = analytic only)
   * @param pseudoP       classes from the pseudo p (else the analytic p)
   * @param seed          seed of the permutations
   */
  public static Result run(JsonNode fc, String property, String weights, Double thresholdMeters, boolean autoBand, int k,
                           int minNeighbours, int permutations, boolean pseudoP, long seed, int maxFeatures) {
    if (fc == null || !"FeatureCollection".equals(fc.path("type").asText()) || !fc.path("features").isArray()) {
      throw new BadLayerException("the body must be a GeoJSON FeatureCollection", false);
    }
    String w = weights == null ? "distance_band" : weights.equals("queen") ? "contiguity" : weights;
    if (!w.equals("distance_band") && !w.equals("contiguity") && !w.equals("knn")) {
      throw new BadLayerException("unknown weights type '" + w + "': use contiguity, knn or distance_band", false);
    }
    if (k < 1 || k > 100) {
      throw new BadLayerException("k must be in 1..100", false);
    }
    if (minNeighbours < 0 || minNeighbours > 100) {
      throw new BadLayerException("minNeighbours must be in 0..100", false);
    }
    if (permutations < 0 || permutations > 9_999) {
      throw new BadLayerException("permutations must be in 0..9999", false);
    }
    if (pseudoP && permutations == 0) {
      throw new BadLayerException("p=permutation needs permutations > 0", false);
    }
    if (thresholdMeters != null && !(thresholdMeters > 0 && thresholdMeters <= MAX_THRESHOLD_METERS)) {
      throw new BadLayerException("threshold must be a positive number of metres, at most "
          + (long) MAX_THRESHOLD_METERS, false);
    }
    JsonNode features = fc.path("features");
    int n = features.size();
    if (n > maxFeatures) {
      throw new BadLayerException("the layer has " + n + " features; the limit is " + maxFeatures, true);
    }

    String prop = property != null && !property.isBlank() ? property : guessProperty(features);
    GeoJsonReader reader = new GeoJsonReader();
    List<Geometry> geoms = new ArrayList<>(n);
    double[] values = new double[n];
    Object[] ids = new Object[n];
    int dimension = -1;
    for (int i = 0; i < n; i++) {
      JsonNode f = features.get(i);
      JsonNode v = f.path("properties").path(prop);
      if (!v.isNumber()) {
        throw new BadLayerException("feature " + i + " has no numeric property '" + prop + "'", false);
      }
      values[i] = v.asDouble();
      if (!Double.isFinite(values[i])) {
        throw new BadLayerException("feature " + i + ": '" + prop + "' is not a finite number", false);
      }
      JsonNode id = f.get("id");
      ids[i] = id == null || id.isNull() ? null : id.isNumber() ? id.numberValue() : id.asText();
      Geometry g;
      try {
        JsonNode gj = f.get("geometry");
        if (gj == null || gj.isNull()) {
          throw new BadLayerException("feature " + i + " has no geometry", false);
        }
        g = reader.read(gj.toString());
      } catch (ParseException e) {
        throw new BadLayerException("feature " + i + " has an unreadable geometry: " + e.getMessage(), false);
      }
      int dim = g.getDimension();
      if (dim == 1 || g.isEmpty()) {
        throw new BadLayerException("feature " + i + ": only points or polygons are analysed", false);
      }
      if (dimension >= 0 && dim != dimension) {
        throw new BadLayerException("mixed geometry types: feature " + i + " is not a "
            + (dimension == 0 ? "point" : "polygon") + " like feature 0", false);
      }
      dimension = dim;
      geoms.add(g);
    }
    double[] lon = new double[n];
    double[] lat = new double[n];
    for (int i = 0; i < n; i++) {
      Point c = geoms.get(i).getDimension() == 0 ? geoms.get(i).getCentroid() : geoms.get(i).getInteriorPoint();
      Point cen = geoms.get(i).getCentroid();
      Point use = geoms.get(i).getDimension() == 2 && geoms.get(i).covers(cen) ? cen : c;
      lon[i] = use.getX();
      lat[i] = use.getY();
    }
    double[][] xy = LocalMetricProjection.around(lat).project(lon, lat);
    SpatialWeights sw;
    SpatialWeights contiguity;
    Double threshold = null;
    BandSearch search = null;
    if (w.equals("contiguity")) {
      if (dimension != 2) {
        throw new BadLayerException("contiguity needs polygons; use knn or distance_band for points", false);
      }
      sw = WeightsBuilder.queen(geoms, 1e-7);
      contiguity = sw;
    } else {
      if (w.equals("knn")) {
        sw = WeightsBuilder.knn(xy[0], xy[1], k);
      } else {
        if (autoBand) {
          WeightsBuilder.BandChoice c = WeightsBuilder.autoBand(xy[0], xy[1], values, minNeighbours);
          threshold = c.bandMeters();
          search = new BandSearch(c.peak(), c.distances(), c.moranZ());
        } else {
          threshold = thresholdMeters != null ? thresholdMeters : WeightsBuilder.connectingDistanceWithoutOutliers(xy[0], xy[1]);
        }
        // widen by a millimetre so a regular layout's spacing counts despite rounding
        sw = WeightsBuilder.distanceBand(xy[0], xy[1], threshold + 1e-3, minNeighbours);
      }
      contiguity = dimension == 2 ? WeightsBuilder.queen(geoms, 1e-7) : sw;
    }
    boolean[] tested = new boolean[n];
    for (int i = 0; i < n; i++) {
      tested[i] = !sw.isIsolated(i);
    }
    HotspotInput.check(values, tested).ifPresent(problem -> {
      throw new BadLayerException(problem.message() + " (" + problem.code() + ")", false);
    });
    GiStarResult gi = GiStar.compute(values, sw, null, permutations, seed);
    HotspotClass[] classes = FalseDiscoveryRate.classify(gi, pseudoP ? gi.pSimValues() : gi.pValues(), true);
    List<FeatureResult> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double z = gi.z(i);
      double ps = gi.pSim(i);
      out.add(new FeatureResult(ids[i], Double.isNaN(z) ? null : z, Double.isNaN(z) ? null : gi.p(i),
          Double.isNaN(ps) ? null : ps, classes[i]));
    }
    List<Hotspot> hotspots = HotspotDissolver.dissolve(geoms, classes, gi.zScores(), contiguity, null);
    return new Result(prop, w, threshold, w.equals("knn") ? k : 0, sw.neighbourCounts(), permutations, pseudoP, out,
        hotspots, search);
  }

  /** The single property that is numeric in every feature. */
  private static String guessProperty(JsonNode features) {
    Set<String> candidates = null;
    for (JsonNode f : features) {
      Set<String> numeric = new LinkedHashSet<>();
      for (Iterator<String> it = f.path("properties").fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (f.path("properties").get(k).isNumber()) {
          numeric.add(k);
        }
      }
      if (candidates == null) {
        candidates = numeric;
      } else {
        candidates.retainAll(numeric);
      }
    }
    if (candidates == null || candidates.isEmpty()) {
      throw new BadLayerException("no numeric property common to all features; name one with ?property=", false);
    }
    if (candidates.size() > 1) {
      throw new BadLayerException("several numeric properties " + candidates + "; name one with ?property=", false);
    }
    return candidates.iterator().next();
  }
}
