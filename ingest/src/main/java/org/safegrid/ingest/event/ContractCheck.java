package org.safegrid.ingest.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;

/**
 * The event JSON Schemas compiled by hand into checks of a streamed {@link WireMessage}, for the hot
 * path.
 *
 * <p>The schemas under {@code schema/events} stay the contract; this class answers the same yes/no
 * question without a tree and without interpreting the schema. {@code SchemaDifferentialTest} feeds a
 * corpus of valid, mutated and hostile messages through both and asserts identical verdicts, so a
 * change to a schema that is not mirrored here fails the build. The {@code date-time} format of
 * {@code observedAt} is not checked here: {@link EventDecoder} parses it strictly anyway.
 */
final class ContractCheck {

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

  /** True when the message satisfies the JSON Schema of {@code source}. */
  static boolean valid(Source source, WireMessage m) {
    if (m.unknownField) {
      return false;
    }
    if (!string(m.id, 1, 128) || !string(m.sourceId, 1, 128) || !(m.observedAt instanceof String)) {
      return false;
    }
    if (!source.wireName().equals(m.source) || !text(m.kind, source.kinds())) {
      return false;
    }
    if (!integer(m.severity) || !between((Number) m.severity, 0, 5)) {
      return false;
    }
    if (!number(m.lon, -180, 180) || !number(m.lat, -90, 90)) {
      return false;
    }
    if (m.datum != WireMessage.MISSING && !text(m.datum, DATUMS)) {
      return false;
    }
    if (!(m.attrs instanceof Map<?, ?> attrs)) {
      return false;
    }
    return switch (source) {
      case CAMERA -> camera(attrs);
      case CHECKPOINT -> checkpoint(attrs);
      case PATROL -> patrol(attrs, (String) m.kind);
      case INCIDENT -> incident(attrs);
    };
  }

  private static boolean camera(Map<?, ?> a) {
    return string(a.get("cameraId"), 1, 64) && text(a.get("class"), CAMERA_CLASSES)
        && number(a.get("confidence"), 0, 1) && optionalString(a, "campusCode", 0, 64);
  }

  private static boolean checkpoint(Map<?, ?> a) {
    Object subject = a.get("subject");
    if (!string(a.get("checkpointId"), 1, 64) || !text(subject, SUBJECTS) || !text(a.get("result"), RESULTS)) {
      return false;
    }
    if (!a.containsKey("plate")) {
      return !"vehicle".equals(subject);
    }
    return string(a.get("plate"), 2, 16);
  }

  private static boolean patrol(Map<?, ?> a, String kind) {
    if (!string(a.get("unitId"), 1, 64)) {
      return false;
    }
    if ("position".equals(kind) && !(a.containsKey("speed") && a.containsKey("heading") && a.containsKey("status"))) {
      return false;
    }
    return optionalNumber(a, "speed", 0, 300) && optionalNumber(a, "heading", 0, 360)
        && (!a.containsKey("status") || text(a.get("status"), STATUSES)) && optionalString(a, "note", 0, 2000);
  }

  private static boolean incident(Map<?, ?> a) {
    if (!text(a.get("channel"), CHANNELS) || !string(a.get("reportedAt"), 1, 64)
        || !optionalString(a, "occurredAt", 1, 64) || !optionalString(a, "originalCode", 1, 64)
        || !optionalString(a, "originalCategory", 1, 200) || !optionalString(a, "address", 1, 500)) {
      return false;
    }
    if (!(a.get("location") instanceof Map<?, ?> location)) {
      return false;
    }
    return text(location.get("quality"), LOCATION_QUALITIES) && number(location.get("accuracyMeters"), 0, 100_000)
        && optionalString(location, "districtCode", 1, 16);
  }

  /** Absent, or a string of the given length (a JSON {@code null} is present and not a string). */
  private static boolean optionalString(Map<?, ?> m, String key, int min, int max) {
    return !m.containsKey(key) || string(m.get(key), min, max);
  }

  private static boolean optionalNumber(Map<?, ?> m, String key, double min, double max) {
    return !m.containsKey(key) || number(m.get(key), min, max);
  }

  /** A string whose length in code points is within bounds (JSON Schema counts code points). */
  private static boolean string(Object v, int min, int max) {
    if (!(v instanceof String s)) {
      return false;
    }
    int n = s.length();
    // a string of UTF-16 length n has between n/2 and n code points
    if (n >= min && n <= max) {
      return n / 2 >= min || s.codePointCount(0, n) >= min;
    }
    int cp = s.codePointCount(0, n);
    return cp >= min && cp <= max;
  }

  /** A string that is one of the given values (an enum or const of strings). */
  private static boolean text(Object v, Set<String> allowed) {
    return v instanceof String s && allowed.contains(s);
  }

  /** JSON Schema's integer: a number with no fractional part, written with one or not (3.0 is one). */
  private static boolean integer(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return true;
    }
    return v instanceof Double d && !d.isInfinite() && !d.isNaN() && d == Math.rint(d);
  }

  private static boolean number(Object v, double min, double max) {
    return v instanceof Number n && between(n, min, max);
  }

  private static boolean between(Number n, double min, double max) {
    if (n instanceof BigInteger || n instanceof BigDecimal) {
      BigDecimal v = n instanceof BigInteger b ? new BigDecimal(b) : (BigDecimal) n;
      return v.compareTo(BigDecimal.valueOf(min)) >= 0 && v.compareTo(BigDecimal.valueOf(max)) <= 0;
    }
    double v = n.doubleValue();
    return v >= min && v <= max;
  }
}
