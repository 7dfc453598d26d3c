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
 * object but white space. {@link #PARSING} holds these settings for every reader of messages.
 * Thread-safe (no state).
 */
final class MessageReader {

  /** The parser settings every reading of a message uses, the streaming one and the tree one. */
  static final JsonFactory PARSING = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
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
    try (JsonParser p = PARSING.createParser(value)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        if (first != null) {
          p.skipChildren();
          expectEnd(p);
        }
        return null;
      }
      WireMessage m = new WireMessage();
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
          m.put(name, value(p, p.nextToken()));
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
