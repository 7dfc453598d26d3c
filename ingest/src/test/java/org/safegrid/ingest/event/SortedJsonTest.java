package org.safegrid.ingest.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hand-written sorted JSON is, character for character, what Jackson's generator writes for the
 * same value with the keys sorted: the attrs text, and so the content hash of every stored event,
 * stays what it was when the generator wrote it.
 */
class SortedJsonTest {

  private static final JsonFactory FACTORY = new JsonFactory();

  /** The reference: the generator, fed the keys in sorted order. */
  private static String generated(Object value) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      generate(g, value);
    }
    return out.toString();
  }

  private static void generate(JsonGenerator g, Object v) throws IOException {
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
        generate(g, m.get(k));
      }
      g.writeEndObject();
    } else {
      g.writeStartArray();
      for (Object e : (List<?>) v) {
        generate(g, e);
      }
      g.writeEndArray();
    }
  }

  @Test
  void everyKindOfValueAndEveryEscapedCharacterIsWrittenAsTheGeneratorWritesIt() throws IOException {
    SplittableRandom rnd = new SplittableRandom(20261202L);
    for (int i = 0; i < 3_000; i++) {
      Map<String, Object> value = map(rnd, 0);
      assertThat(SortedJson.write(value)).as("value %d", i).isEqualTo(generated(value));
    }
  }

  @Test
  void anImportedIncidentsAttrsAreWrittenAsTheGeneratorWritesThem() throws IOException {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("city", "惠州市");
    extra.put("subcategory", "入室盗窃, 夜间");
    extra.put("area", "441302");
    extra.put("imported", true);
    Map<String, Object> attrs = new IncidentAttrs("110", java.time.Instant.parse("2025-06-01T02:03:04Z"),
        java.time.Instant.parse("2025-06-01T02:03:04Z"), null, "盗窃", "geocoded_address", 100, extra).toMap();
    assertThat(SortedJson.write(attrs)).isEqualTo(generated(attrs));
  }

  private static final String CHARS = "aZ09 /:,.-_\"\\\u007f\u00e9惠州市\u2028\uFF21";

  private static String string(SplittableRandom rnd) {
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(12);
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(8)) {
        case 0 -> b.append((char) rnd.nextInt(0x20)); // every control character
        case 1 -> b.appendCodePoint(0x1F600 + rnd.nextInt(40)); // a surrogate pair
        case 2 -> b.append((char) (0xD800 + rnd.nextInt(0x800))); // a lone surrogate
        default -> b.append(CHARS.charAt(rnd.nextInt(CHARS.length())));
      }
    }
    return b.toString();
  }

  private static final double[] DOUBLES = {0.0, -0.0, 1.0, 100.0, 0.1, 1e-7, 1.0E-3, 1e7, 1e21, 12345.678, -3.5,
      Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

  private static Object scalar(SplittableRandom rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> null;
      case 1 -> rnd.nextBoolean();
      case 2 -> rnd.nextInt();
      case 3 -> rnd.nextLong();
      case 4 -> new BigInteger(80, new java.util.Random(rnd.nextLong())).negate();
      case 5 -> new BigDecimal(List.of("1.50", "1E+3", "-0.000001", "123456789012345678901234.5").get(rnd.nextInt(4)));
      case 6 -> DOUBLES[rnd.nextInt(DOUBLES.length)];
      case 7 -> rnd.nextDouble() * 1000 - 500;
      default -> string(rnd);
    };
  }

  private static Map<String, Object> map(SplittableRandom rnd, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    int n = rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      m.put(string(rnd), value(rnd, depth + 1));
    }
    return m;
  }

  private static Object value(SplittableRandom rnd, int depth) {
    int kind = depth >= 3 ? 0 : rnd.nextInt(6);
    if (kind == 1) {
      return map(rnd, depth);
    }
    if (kind == 2) {
      List<Object> l = new ArrayList<>();
      for (int i = rnd.nextInt(5); i > 0; i--) {
        l.add(value(rnd, depth + 1));
      }
      return l;
    }
    return scalar(rnd);
  }
}
