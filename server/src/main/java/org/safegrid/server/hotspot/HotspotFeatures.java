package org.safegrid.server.hotspot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.stats.hotspot.Hotspot;

/** Maps hotspots to GeoJSON features (the one place their geometry becomes GeoJSON). */
public final class HotspotFeatures {

  private HotspotFeatures() {}

  public static List<GeoJsonFeature> toFeatures(List<Hotspot> list) {
    List<GeoJsonFeature> features = new ArrayList<>();
    for (Hotspot h : list) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("rank", h.rank());
      p.put("class", h.hotspotClass().code());
      p.put("confidence", h.hotspotClass().confidence());
      p.put("cellCount", h.cellCount());
      p.put("areaM2", h.areaM2());
      p.put("events", h.eventCount());
      p.put("eventsByKind", h.eventsByKind());
      p.put("meanZ", h.meanZ());
      p.put("peakZ", h.peakZ());
      p.put("centroid", List.of(h.centroidLon(), h.centroidLat()));
      p.put("district", h.district());
      features.add(new GeoJsonFeature(h.rank(), GeoJsonGeometry.write(h.geometry()), p));
    }
    return features;
  }
}
