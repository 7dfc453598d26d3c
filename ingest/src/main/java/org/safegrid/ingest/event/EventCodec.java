package org.safegrid.ingest.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes events in the JSON form of the contract (the form producers send). Reading and
 * validating is {@link EventDecoder}'s job. Thread-safe.
 */
public final class EventCodec {

  /** Offset used when writing observedAt: China Standard Time, as the reference city's systems send it. */
  public static final ZoneOffset WIRE_OFFSET = ZoneOffset.ofHours(8);
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private EventCodec() {
  }

  /** The JSON tree of an event. */
  public static ObjectNode toJson(Event e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", e.id());
    n.put("source", e.source().wireName());
    n.put("sourceId", e.sourceId());
    n.put("kind", e.kind());
    n.put("severity", e.severity());
    n.put("observedAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(e.observedAt().atOffset(WIRE_OFFSET)));
    n.put("lon", e.lon());
    n.put("lat", e.lat());
    if (e.datum() != Datum.WGS84) {
      n.put("datum", e.datum().wireName());
    }
    n.set("attrs", MAPPER.valueToTree(e.attrs()));
    return n;
  }

  /** The UTF-8 JSON bytes of an event. */
  public static byte[] encode(Event e) {
    try {
      return MAPPER.writeValueAsBytes(toJson(e));
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException("event cannot be written as JSON: " + ex.getMessage(), ex);
    }
  }
}
