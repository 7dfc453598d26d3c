package org.safegrid.ingest.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a decoded attrs value (maps, lists, numbers, strings, booleans, nulls, as {@link MessageReader}
 * makes them) as JSON text with the keys of every object sorted: the form the {@code attrs} jsonb
 * column and the content hash take. Byte for byte what the tree model wrote with sorted properties
 * ({@code SchemaDifferentialTest} holds the two equal). Thread-safe.
 */
final class SortedJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private SortedJson() {
  }

  static String write(Map<String, Object> value) {
    // a plain writer: the generator takes its buffers from the factory's per-thread pool (a fresh
    // BufferRecycler per message cost more than the tree model's whole serialisation)
    StringWriter out = new StringWriter(256);
    try {
      try (JsonGenerator g = FACTORY.createGenerator(out)) {
        write(g, value);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Integer i) {
      g.writeNumber(i);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof BigInteger b) {
      g.writeNumber(b);
    } else if (v instanceof BigDecimal b) {
      g.writeNumber(b);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Map<?, ?> m) {
      String[] keys = m.keySet().toArray(new String[0]);
      Arrays.sort(keys);
      g.writeStartObject();
      for (String k : keys) {
        g.writeFieldName(k);
        write(g, m.get(k));
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object e : l) {
        write(g, e);
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a decoded JSON value: " + v.getClass().getName());
    }
  }
}
