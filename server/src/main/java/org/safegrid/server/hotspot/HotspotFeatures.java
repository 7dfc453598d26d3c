package org.safegrid.server.hotspot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.stats.hotspot.Hotspot;
import org.safegrid.server.stats.hotspot.SpatialWeights;

/** Maps hotspots to GeoJSON features (the one place their geometry becomes GeoJSON). */
public final class HotspotFeatures {

  private HotspotFeatures() {}

  public static List<GeoJsonFeature> toFeatures(List<Hotspot> list) {
    return toFeatures(list, Map.of());
  }

  /** The same with each hotspot's trend and last patrol where {@code activity} has its rank. */
  public static List<GeoJsonFeature> toFeatures(List<Hotspot> list, Map<Integer, HotspotActivity.Activity> activity) {
    List<GeoJsonFeature> features = new ArrayList<>();
    for (Hotspot h : list) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("rank", h.rank());
      p.put("class", h.hotspotClass().code());
      p.put("confidence", h.hotspotClass().confidence());
      p.put("peakLevel", h.hotspotClass().confidence());
      p.put("cellCount", h.cellCount());
      Map<String, Double> shares = new LinkedHashMap<>();
      h.cellsByClass().forEach((c, count) -> shares.put(c.code(), count / (double) h.cellCount()));
      p.put("shareByLevel", shares);
      p.put("cellsWithEvents", h.cellsWithEvents());
      p.put("haloCells", h.haloCells());
      p.put("label", List.of(h.labelLon(), h.labelLat()));
      p.put("areaM2", h.areaM2());
      p.put("events", h.eventCount());
      p.put("eventsByKind", h.eventsByKind());
      p.put("meanZ", h.meanZ());
      p.put("peakZ", h.peakZ());
      p.put("centroid", List.of(h.centroidLon(), h.centroidLat()));
      p.put("district", h.district());
      HotspotActivity.Activity a = activity.get(h.rank());
      if (a != null) {
        p.put("trend", a.trend());
        p.put("trendEvents", a.events());
        p.put("trendEventsBefore", a.eventsBefore());
        p.put("lastPatrolAt", a.lastPatrolAt() == null ? null : a.lastPatrolAt().toString());
      }
      features.add(new GeoJsonFeature(h.rank(), GeoJsonGeometry.write(h.geometry()), p));
    }
    return features;
  }

  /** What an answer states about its neighbourhood: method, band or k, and neighbour counts. */
  public static Map<String, Object> neighbourhood(GridWeights w) {
    return neighbourhood(w.method(), w.bandMeters(), w.k(), w.counts());
  }

  /** The same for any weights. */
  public static Map<String, Object> neighbourhood(String method, double bandMeters, int k, SpatialWeights.NeighbourCounts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", method);
    m.put("selfIncluded", true);
    if (!Double.isNaN(bandMeters)) {
      m.put("bandMeters", bandMeters);
    }
    if (k > 0) {
      m.put("k", k);
    }
    m.put("minNeighbours", c.min());
    m.put("meanNeighbours", Math.round(c.mean() * 100) / 100.0);
    m.put("maxNeighbours", c.max());
    m.put("noNeighbours", c.noNeighbours());
    return m;
  }

  /** How significance was decided: the p-value used, permutations, and the FDR procedure. */
  public static Map<String, Object> inference(HotspotService.Result r) {
    return inference(r.options().usePseudoP(), r.options().permutations());
  }

  /** The same from its parts. */
  public static Map<String, Object> inference(boolean pseudoP, int permutations) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p", pseudoP ? "permutation" : "analytic");
    m.put("permutations", permutations);
    if (permutations > 0) {
      m.put("permutationScheme", "conditional, as spdep::localG_perm; folded pseudo p (min(#sim>=G, nsim-#sim>=G)+1)/(nsim+1)");
      m.put("seed", HotspotService.PERMUTATION_SEED);
    }
    m.put("fdr", "Benjamini-Hochberg on the " + (pseudoP ? "pseudo" : "analytic") + " p-values; class hot99/95/90 = "
        + "discovered at FDR level q = 0.01/0.05/0.10");
    return m;
  }
}
