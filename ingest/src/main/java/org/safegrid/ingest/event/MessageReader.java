package org.safegrid.ingest.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams one message's bytes with Jackson's token parser straight into a {@link WireMessage}: no
 * tree model, no map of the top level. Nested values (attrs) become what Jackson's untyped binding
 * makes (insertion-ordered maps, lists, Integer/Long/BigInteger, Double, Boolean, String, null).
 *
 * <p>Stricter than a lenient tree read on two points, both refused as malformed JSON: a key that
 * appears twice in one object (readers disagree on which value counts) and anything after the
 * object but white space. {@link #PARSING} holds these settings for every reader of messages; this
 * reader finds duplicate keys itself ({@link #STREAMING}), without the parser's set of names per
 * object. Numbers with a fraction or exponent are read by Jackson's fast parser, which gives the
 * same double as {@link Double#parseDouble} (both round correctly). Thread-safe (no state).
 */
final class MessageReader {

  /** The parser settings every reading of a message uses, the streaming one and the tree one. */
  static final JsonFactory PARSING = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();

  /**
   * {@link #PARSING} without the parser's own duplicate detection, which allocated a set of names for
   * every object of three keys or more: {@link #read} finds a repeated key itself and throws, and the
   * message then takes the tree path, which words the refusal as it always has.
   */
  private static final JsonFactory STREAMING = PARSING.rebuild()
      .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private MessageReader() {
  }

  /**
   * Reads a message.
   *
   * @return the message's fields, or null when the message is valid JSON but not an object
   * @throws IOException when the bytes are not one valid JSON value (syntax, encoding, nesting,
   *                     duplicate keys, trailing content)
   */
  static WireMessage read(byte[] value) throws IOException {
    try (JsonParser p = STREAMING.createParser(value)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        if (first != null) {
          p.skipChildren();
          expectEnd(p);
        }
        return null;
      }
      WireMessage m = new WireMessage();
      int seen = 0;
      List<String> unknown = null;
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        Object v = value(p, p.nextToken());
        switch (name) {
          case "id" -> m.id = v;
          case "source" -> m.source = v;
          case "sourceId" -> m.sourceId = v;
          case "kind" -> m.kind = v;
          case "severity" -> m.severity = v;
          case "observedAt" -> m.observedAt = v;
          case "lon" -> m.lon = v;
          case "lat" -> m.lat = v;
          case "datum" -> m.datum = v;
          case "attrs" -> m.attrs = v;
          default -> m.unknownField = true;
        }
        int bit = bit(name);
        if (bit == 0) {
          // refused by the contract check in any case; a repeated one is still malformed JSON
          if (unknown == null) {
            unknown = new ArrayList<>(2);
          }
          if (unknown.contains(name)) {
            throw duplicate(p, name);
          }
          unknown.add(name);
        }
        if ((seen & bit) != 0) {
          throw duplicate(p, name);
        }
        seen |= bit;
      }
      expectEnd(p);
      return m;
    }
  }

  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new IOException("unexpected content after the JSON object at " + p.currentLocation().offsetDescription());
    }
  }

  /** One bit per top-level field of the schemas, to find a repeated one; 0 for any other name. */
  private static int bit(String name) {
    return switch (name) {
      case "id" -> 1;
      case "source" -> 1 << 1;
      case "sourceId" -> 1 << 2;
      case "kind" -> 1 << 3;
      case "severity" -> 1 << 4;
      case "observedAt" -> 1 << 5;
      case "lon" -> 1 << 6;
      case "lat" -> 1 << 7;
      case "datum" -> 1 << 8;
      case "attrs" -> 1 << 9;
      default -> 0;
    };
  }

  private static IOException duplicate(JsonParser p, String name) {
    return new IOException("duplicate field '" + name + "' at " + p.currentLocation().offsetDescription());
  }

  /** The value that starts at token {@code t}, as the untyped binding makes it. */
  private static Object value(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      throw new IOException("unexpected end of input");
    }
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
          String name = p.currentName();
          int before = m.size();
          m.put(name, value(p, p.nextToken()));
          if (m.size() == before) {
            throw duplicate(p, name);
          }
        }
        yield m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          l.add(value(p, e));
        }
        yield l;
      }
      default -> throw new IOException("unexpected token " + t);
    };
  }
}
