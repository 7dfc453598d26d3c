package org.safegrid.gisdata.boundary;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ParseException;

/**
 * Reads a GeoJSON FeatureCollection feature by feature with Jackson's streaming parser.
 *
 * <p>Only one feature is held as a tree at a time; the feature count, per-feature vertex count,
 * nesting depth, string and number lengths are capped while streaming, so a hostile file is
 * refused before it fills the heap. Geometries are built by JTS's GeoJSON reader. The legacy
 * {@code crs} member (GeoJSON 2008) is honoured when present; otherwise the layer is WGS84.
 */
public final class GeoJsonReader {

  private final ReadLimits limits;
  private final JsonFactory factory;
  private final ObjectMapper mapper;
  private final GeometryFactory geometryFactory = new GeometryFactory();

  public GeoJsonReader(ReadLimits limits) {
    this.limits = limits;
    this.factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(limits.maxNestingDepth())
            .maxNumberLength(64)
            .maxStringLength(1 << 20)
            .build())
        .build();
    this.mapper = new ObjectMapper(factory);
  }

  /**
   * Counts the features of a FeatureCollection in one cheap streaming pass (each feature is
   * skipped, not built) and refuses the file as soon as the count passes the cap, so a file of
   * hundreds of thousands of tiny features is refused in a fraction of the time reading it takes;
   * a feature with more numbers than the vertex cap allows is refused on the way too.
   * Anything else odd about the file is left to {@link #read}.
   */
  public void checkFeatureCount(InputStream in) {
    try (JsonParser p = factory.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("features".equals(name) && value == JsonToken.START_ARRAY) {
          int n = 0;
          while (p.nextToken() == JsonToken.START_OBJECT) {
            if (++n > limits.maxFeatures()) {
              throw BoundaryReadException.tooLarge("too_many_features",
                  "The file has more than " + limits.maxFeatures() + " features, the limit.");
            }
            skipFeature(p, n - 1);
          }
          return;
        }
        p.skipChildren();
      }
    } catch (StreamConstraintsException e) {
      throw BoundaryReadException.tooLarge("too_complex", "The JSON is too deeply nested or holds an over-long value: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      // malformed JSON: read() explains it
    }
  }

  private void skipFeature(JsonParser p, int index) throws IOException {
    long maxNumbers = 2L * limits.maxVerticesPerFeature() + 10_000;
    long numbers = 0;
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return;
      }
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd()) {
        depth--;
      } else if (t.isNumeric() && ++numbers > maxNumbers) {
        throw tooManyVertices(index);
      }
    }
  }

  private BoundaryReadException tooManyVertices(int index) {
    return BoundaryReadException.tooLarge("too_many_vertices", "Feature " + index + " has more than "
        + limits.maxVerticesPerFeature() + " vertices, the limit. Simplify it or split it.");
  }

  /** Reads a FeatureCollection; the stream is consumed but not closed. */
  public SourceLayer read(InputStream in) {
    try (JsonParser p = factory.createParser(in)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new BoundaryReadException("empty_file", "The file is empty.");
      }
      if (first != JsonToken.START_OBJECT) {
        throw notCollection("the document is not a JSON object");
      }
      String type = null;
      String crs = null;
      boolean sawFeatures = false;
      List<SourceFeature> features = new ArrayList<>();
      Set<String> fields = new LinkedHashSet<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "type" -> type = p.getValueAsString();
          case "crs" -> crs = crsName(mapper.readTree(p));
          case "features" -> {
            if (value != JsonToken.START_ARRAY) {
              throw notCollection("\"features\" is not an array");
            }
            sawFeatures = true;
            while (p.nextToken() == JsonToken.START_OBJECT) {
              if (features.size() >= limits.maxFeatures()) {
                throw BoundaryReadException.tooLarge("too_many_features",
                    "The file has more than " + limits.maxFeatures() + " features, the limit.");
              }
              JsonNode feature = mapper.readTree(bufferFeature(p, features.size()));
              features.add(toFeature(features.size(), feature, fields));
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
              throw notCollection("\"features\" holds something other than Feature objects");
            }
          }
          default -> p.skipChildren();
        }
      }
      if (!"FeatureCollection".equals(type)) {
        throw notCollection(type == null ? "it has no \"type\"" : "its type is \"" + type + "\"");
      }
      if (!sawFeatures) {
        throw notCollection("it has no \"features\" array");
      }
      if (features.isEmpty()) {
        throw new BoundaryReadException("empty_file", "The FeatureCollection holds no features.");
      }
      return new SourceLayer(BoundaryFormat.GEOJSON, features, List.copyOf(fields), crs, "UTF-8");
    } catch (StreamConstraintsException e) {
      throw BoundaryReadException.tooLarge("too_complex", "The JSON is too deeply nested or holds an over-long value: "
          + e.getOriginalMessage());
    } catch (BoundaryReadException e) {
      throw e;
    } catch (IOException e) {
      throw new BoundaryReadException("corrupt_file", "The file is not valid JSON: " + shortMessage(e), false, e);
    }
  }

  /**
   * Copies one feature object into a token buffer while counting its numbers, so a feature with
   * millions of coordinates is refused after a bounded number of tokens instead of being built
   * as a tree first.
   */
  private JsonParser bufferFeature(JsonParser p, int index) throws IOException {
    long maxNumbers = 2L * limits.maxVerticesPerFeature() + 10_000;
    TokenBuffer buf = new TokenBuffer(p, null);
    long numbers = 0;
    int depth = 0;
    JsonToken t = p.currentToken();
    while (t != null) {
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        if (++numbers > maxNumbers) {
          throw tooManyVertices(index);
        }
      }
      buf.copyCurrentEvent(p);
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd() && --depth == 0) {
        break;
      }
      t = p.nextToken();
    }
    if (t == null) {
      throw new BoundaryReadException("corrupt_file", "The file ends inside feature " + index + ".");
    }
    JsonParser fp = buf.asParser(mapper);
    fp.nextToken();
    return fp;
  }

  private SourceFeature toFeature(int index, JsonNode feature, Set<String> fields) {
    if (!"Feature".equals(feature.path("type").asText())) {
      throw notCollection("feature " + index + " is not of type \"Feature\"");
    }
    Map<String, Object> props = new LinkedHashMap<>();
    JsonNode pn = feature.path("properties");
    if (pn.isObject()) {
      pn.fields().forEachRemaining(e -> {
        fields.add(e.getKey());
        props.put(e.getKey(), scalar(e.getValue()));
      });
    }
    JsonNode gn = feature.get("geometry");
    Geometry g = null;
    if (gn != null && !gn.isNull()) {
      int vertices = countNumbers(gn.path("coordinates")) / 2;
      if (gn.has("geometries")) {
        vertices += countNumbers(gn.get("geometries")) / 2;
      }
      if (vertices > limits.maxVerticesPerFeature()) {
        throw BoundaryReadException.tooLarge("too_many_vertices", "Feature " + index + " has about " + vertices
            + " vertices, more than the limit of " + limits.maxVerticesPerFeature() + ". Simplify it or split it.");
      }
      try {
        g = new org.locationtech.jts.io.geojson.GeoJsonReader(geometryFactory).read(gn.toString());
      } catch (ParseException | RuntimeException e) {
        throw new BoundaryReadException("corrupt_file", "Feature " + index + " has a geometry that cannot be read: "
            + e.getMessage(), false, e);
      }
      checkFinite(index, g);
    }
    return new SourceFeature(index, g, props);
  }

  private static void checkFinite(int index, Geometry g) {
    for (var c : g.getCoordinates()) {
      if (!Double.isFinite(c.x) || !Double.isFinite(c.y)) {
        throw new BoundaryReadException("corrupt_file", "Feature " + index + " has a coordinate that is not a finite number.");
      }
    }
  }

  private static int countNumbers(JsonNode n) {
    if (n == null) {
      return 0;
    }
    if (n.isNumber()) {
      return 1;
    }
    int c = 0;
    if (n.isArray()) {
      for (JsonNode child : n) {
        c += countNumbers(child);
      }
    } else if (n.isObject()) {
      c += countNumbers(n.get("coordinates"));
      c += countNumbers(n.get("geometries"));
    }
    return c;
  }

  private static Object scalar(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? (Object) v.asLong() : v.asText();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return v.toString();
  }

  /** The name of a GeoJSON 2008 named crs, e.g. "urn:ogc:def:crs:EPSG::3857" or "EPSG:4547". */
  private static String crsName(JsonNode crs) {
    String name = crs.path("properties").path("name").asText(null);
    if (name == null || name.isBlank()) {
      return null;
    }
    return name;
  }

  private static BoundaryReadException notCollection(String why) {
    return new BoundaryReadException("not_feature_collection",
        "The GeoJSON must be a FeatureCollection of Features, but " + why + ".");
  }

  private static String shortMessage(IOException e) {
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
