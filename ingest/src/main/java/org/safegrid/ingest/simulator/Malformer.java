package org.safegrid.ingest.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

/**
 * Spoils a valid message the ways real integrations do, so that the dead-letter path gets exercised:
 * cut-off JSON, schema breaks, impossible or out-of-area coordinates, unknown kinds, clocks far
 * ahead, and messages too large. Not thread-safe.
 */
final class Malformer {

  private final Random rnd;

  Malformer(Random rnd) {
    this.rnd = rnd;
  }

  byte[] spoil(byte[] valid) {
    String s = new String(valid, StandardCharsets.UTF_8);
    String out = switch (rnd.nextInt(7)) {
      case 0 -> s.substring(0, Math.max(1, s.length() / 2));
      case 1 -> s.replaceFirst("\"severity\":\\d", "\"severity\":9");
      case 2 -> s.replaceFirst("\"lat\":[-0-9.E]+", "\"lat\":95.0");
      case 3 -> s.replaceFirst("\"lon\":[-0-9.E]+", "\"lon\":2.35");
      case 4 -> s.replaceFirst("\"kind\":\"[a-z_]+\"", "\"kind\":\"teleport\"");
      case 5 -> s.replaceFirst("\"observedAt\":\"[^\"]+\"",
          "\"observedAt\":\"" + Instant.now().plus(Duration.ofDays(1)) + "\"");
      default -> {
        char[] pad = new char[70_000];
        Arrays.fill(pad, 'x');
        yield s.replaceFirst("\"attrs\":\\{", "\"attrs\":{\"pad\":\"" + new String(pad) + "\",");
      }
    };
    return out.getBytes(StandardCharsets.UTF_8);
  }
}
