package org.safegrid.ingest.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes a decoded attrs value (maps, lists, numbers, strings, booleans, nulls, as {@link MessageReader}
 * makes them) as JSON text with the keys of every object sorted: the form the {@code attrs} jsonb
 * column and the content hash take. Byte for byte what the tree model wrote with sorted properties
 * ({@code SchemaDifferentialTest} holds the two equal) and what Jackson's generator wrote before
 * ({@code SortedJsonTest}). Thread-safe.
 */
final class SortedJson {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private SortedJson() {
  }

  static String write(Map<String, Object> value) {
    // written by hand rather than through a Jackson generator: the generator's copy of every string
    // into its own buffer and then into a synchronised StringWriter was close to a quarter of an
    // import's Java samples; the escapes below are the generator's defaults
    StringBuilder out = new StringBuilder(256);
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(out, s);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        // the generator's QUOTE_NON_NUMERIC_NUMBERS
        string(out, d.toString());
      } else {
        out.append(d.doubleValue());
      }
    } else if (v instanceof Integer || v instanceof Long || v instanceof BigInteger || v instanceof BigDecimal) {
      // BigDecimal as its toString (scientific when the scale asks for it), as WRITE_BIGDECIMAL_AS_PLAIN off writes it
      out.append(v);
    } else if (v instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (v instanceof Map<?, ?> m) {
      // sized: an empty array would make toArray allocate the real one reflectively
      String[] keys = m.keySet().toArray(new String[m.size()]);
      Arrays.sort(keys);
      out.append('{');
      for (int i = 0; i < keys.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        string(out, keys[i]);
        out.append(':');
        write(out, m.get(keys[i]));
      }
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      boolean first = true;
      for (Object e : l) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(out, e);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("not a decoded JSON value: " + v.getClass().getName());
    }
  }

  /**
   * A JSON string as Jackson's generator writes it by default: {@code "} and {@code \} escaped, the
   * control characters below U+0020 as {@code \b \t \n \f \r} or &#92;u00XX (upper-case hex),
   * everything else (non-ASCII, lone surrogates, U+007F, {@code /}) as it is.
   */
  private static void string(StringBuilder out, String s) {
    out.append('"');
    int n = s.length();
    int first = 0;
    while (first < n && !escaped(s.charAt(first))) {
      first++;
    }
    if (first == n) {
      // the usual string, nothing to escape: appended whole, by array copy
      out.append(s).append('"');
      return;
    }
    int from = 0;
    for (int i = first; i < n; i++) {
      char c = s.charAt(i);
      if (!escaped(c)) {
        continue;
      }
      out.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(s, from, n).append('"');
  }

  private static boolean escaped(char c) {
    return c < 0x20 || c == '"' || c == '\\';
  }
}
