package org.safegrid.ingest.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/**
 * A hand-written check of exactly the rules the event JSON Schemas encode, for the hot path.
 *
 * <p>The schemas under {@code schema/events} stay the contract; this class answers the same yes/no
 * question several times faster than a general JSON Schema validator. {@code ContractCheckTest}
 * feeds a corpus of valid and invalid messages through both and asserts identical verdicts, so a
 * change to a schema that is not mirrored here fails the build. The {@code date-time} format of
 * {@code observedAt} is not checked here: {@link EventDecoder} parses it strictly anyway.
 */
final class ContractCheck {

  private static final Set<String> TOP_LEVEL = Set.of("id", "source", "sourceId", "kind", "severity", "observedAt",
      "lon", "lat", "datum", "attrs");
  private static final Set<String> DATUMS = Set.of("wgs84", "gcj02");
  private static final Set<String> CAMERA_CLASSES = Set.of("person", "vehicle", "non_motor_vehicle", "object", "fire",
      "button");
  private static final Set<String> SUBJECTS = Set.of("vehicle", "person");
  private static final Set<String> RESULTS = Set.of("clear", "hit");
  private static final Set<String> STATUSES = Set.of("patrolling", "responding", "stationary", "off_duty");
  private static final Set<String> CHANNELS = Set.of("110", "12345", "grid");
  private static final Set<String> LOCATION_QUALITIES = Set.of("geocoded_address", "caller_gps", "district_centroid");

  private ContractCheck() {
  }

  /** True when the message (a JSON object) satisfies the JSON Schema of the source. */
  static boolean valid(Source source, JsonNode root) {
    if (!root.isObject()) {
      return false;
    }
    int required = 0;
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP_LEVEL.contains(f)) {
        return false;
      }
      if (!f.equals("datum")) {
        required++;
      }
    }
    if (required != TOP_LEVEL.size() - 1) {
      return false;
    }
    if (!string(root.get("id"), 1, 128) || !string(root.get("sourceId"), 1, 128)
        || !string(root.get("observedAt"), 0, Integer.MAX_VALUE)) {
      return false;
    }
    if (!text(root.get("source"), Set.of(source.wireName())) || !text(root.get("kind"), source.kinds())) {
      return false;
    }
    JsonNode severity = root.get("severity");
    if (!integer(severity) || !between(severity, 0, 5)) {
      return false;
    }
    if (!number(root.get("lon"), -180, 180) || !number(root.get("lat"), -90, 90)) {
      return false;
    }
    JsonNode datum = root.get("datum");
    if (datum != null && !text(datum, DATUMS)) {
      return false;
    }
    JsonNode attrs = root.get("attrs");
    if (!attrs.isObject()) {
      return false;
    }
    return switch (source) {
      case CAMERA -> camera(attrs);
      case CHECKPOINT -> checkpoint(attrs);
      case PATROL -> patrol(attrs, root.get("kind").textValue());
      case INCIDENT -> incident(attrs);
    };
  }

  private static boolean camera(JsonNode a) {
    JsonNode campus = a.get("campusCode");
    return string(a.get("cameraId"), 1, 64) && text(a.get("class"), CAMERA_CLASSES)
        && number(a.get("confidence"), 0, 1) && (campus == null || string(campus, 0, 64));
  }

  private static boolean checkpoint(JsonNode a) {
    JsonNode subject = a.get("subject");
    JsonNode plate = a.get("plate");
    if (!string(a.get("checkpointId"), 1, 64) || !text(subject, SUBJECTS) || !text(a.get("result"), RESULTS)) {
      return false;
    }
    if (plate == null) {
      return !"vehicle".equals(subject.textValue());
    }
    return string(plate, 2, 16);
  }

  private static boolean patrol(JsonNode a, String kind) {
    JsonNode speed = a.get("speed");
    JsonNode heading = a.get("heading");
    JsonNode status = a.get("status");
    JsonNode note = a.get("note");
    if (!string(a.get("unitId"), 1, 64)) {
      return false;
    }
    if ("position".equals(kind) && (speed == null || heading == null || status == null)) {
      return false;
    }
    return (speed == null || number(speed, 0, 300)) && (heading == null || number(heading, 0, 360))
        && (status == null || text(status, STATUSES)) && (note == null || string(note, 0, 2000));
  }

  private static boolean incident(JsonNode a) {
    if (!text(a.get("channel"), CHANNELS) || !string(a.get("reportedAt"), 1, 64)
        || !optionalString(a.get("occurredAt"), 1, 64) || !optionalString(a.get("originalCode"), 1, 64)
        || !optionalString(a.get("originalCategory"), 1, 200) || !optionalString(a.get("address"), 1, 500)) {
      return false;
    }
    JsonNode location = a.get("location");
    if (location == null || !location.isObject()) {
      return false;
    }
    return text(location.get("quality"), LOCATION_QUALITIES) && number(location.get("accuracyMeters"), 0, 100_000)
        && optionalString(location.get("districtCode"), 1, 16);
  }

  private static boolean optionalString(JsonNode n, int min, int max) {
    return n == null || string(n, min, max);
  }

  /** A string whose length in code points is within bounds (JSON Schema counts code points). */
  private static boolean string(JsonNode n, int min, int max) {
    if (n == null || !n.isTextual()) {
      return false;
    }
    String s = n.textValue();
    int cp = s.codePointCount(0, s.length());
    return cp >= min && cp <= max;
  }

  /** A string that is one of the given values (an enum or const of strings). */
  private static boolean text(JsonNode n, Set<String> allowed) {
    return n != null && n.isTextual() && allowed.contains(n.textValue());
  }

  private static boolean integer(JsonNode n) {
    return n != null && (n.isIntegralNumber() || (n.isFloatingPointNumber() && n.canConvertToExactIntegral()));
  }

  private static boolean number(JsonNode n, double min, double max) {
    return n != null && n.isNumber() && between(n, min, max);
  }

  private static boolean between(JsonNode n, double min, double max) {
    if (n.isBigInteger() || n.isBigDecimal()) {
      java.math.BigDecimal v = n.decimalValue();
      return v.compareTo(java.math.BigDecimal.valueOf(min)) >= 0 && v.compareTo(java.math.BigDecimal.valueOf(max)) <= 0;
    }
    double v = n.doubleValue();
    return v >= min && v <= max;
  }
}
