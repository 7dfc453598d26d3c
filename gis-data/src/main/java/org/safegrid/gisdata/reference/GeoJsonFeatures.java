package org.safegrid.gisdata.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/** Reads the trusted GeoJSON resources shipped in this module (not for user uploads). */
final class GeoJsonFeatures {

  static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);
  private static final ObjectMapper JSON = new ObjectMapper();

  private GeoJsonFeatures() {
  }

  record Raw(Geometry geometry, Map<String, Object> props) {
  }

  static List<Raw> read(String resource) {
    try (InputStream in = GeoJsonFeatures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("reference resource missing: " + resource);
      }
      JsonNode root = JSON.readTree(in);
      GeoJsonReader reader = new GeoJsonReader(WGS84);
      List<Raw> out = new ArrayList<>();
      for (JsonNode f : root.path("features")) {
        Geometry g = reader.read(f.get("geometry").toString());
        g.setSRID(4326);
        @SuppressWarnings("unchecked")
        Map<String, Object> props = f.hasNonNull("properties")
            ? JSON.convertValue(f.get("properties"), LinkedHashMap.class) : Map.of();
        out.add(new Raw(g, props));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ParseException e) {
      throw new IllegalStateException("bad geometry in " + resource + ": " + e.getMessage(), e);
    }
  }
}
