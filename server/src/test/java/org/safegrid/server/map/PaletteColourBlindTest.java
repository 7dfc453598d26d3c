package org.safegrid.server.map;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The map's risk and hotspot colours stay apart for a viewer with deuteranopia (the commonest
 * colour blindness): each palette of {@code js/palette.js} is passed through the Machado, Oliveira
 * and Fernandes (2009) simulation at severity 1.0 and every pair must stay at least
 * {@link #MIN_DELTA_E} apart in CIELAB (ΔE*ab, D65).
 */
class PaletteColourBlindTest {

  private static final Path PALETTE = Path.of("..", "web/src/main/resources/META-INF/resources/js/palette.js");

  /** Pairs closer than this read as "the same colour" on a wall screen. */
  static final double MIN_DELTA_E = 20;

  /** Machado et al. 2009, deuteranopia (anomaly severity 1.0), on linear RGB. */
  private static final double[][] DEUTERANOPIA = {
      {0.367322, 0.860646, -0.227968},
      {0.280085, 0.672501, 0.047413},
      {-0.011820, 0.042940, 0.968881}};

  static double[] simulate(String hex) {
    double[] lin = new double[3];
    for (int i = 0; i < 3; i++) {
      double c = Integer.parseInt(hex.substring(1 + 2 * i, 3 + 2 * i), 16) / 255.0;
      lin[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      double v = 0;
      for (int j = 0; j < 3; j++) {
        v += DEUTERANOPIA[i][j] * lin[j];
      }
      out[i] = Math.max(0, Math.min(1, v));
    }
    return out;
  }

  /** Linear sRGB to CIELAB (D65). */
  static double[] lab(double[] rgb) {
    double x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047;
    double y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    double z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883;
    return new double[] {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
  }

  private static double f(double t) {
    return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16.0 / 116;
  }

  /** The smallest ΔE between two colours of the palette as a deuteranope sees them, with the pair. */
  static Map.Entry<String, Double> closestPair(Map<String, String> palette) {
    List<String> keys = List.copyOf(palette.keySet());
    String pair = null;
    double min = Double.MAX_VALUE;
    for (int i = 0; i < keys.size(); i++) {
      for (int j = i + 1; j < keys.size(); j++) {
        double[] a = lab(simulate(palette.get(keys.get(i))));
        double[] b = lab(simulate(palette.get(keys.get(j))));
        double d = Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
        if (d < min) {
          min = d;
          pair = keys.get(i) + " / " + keys.get(j);
        }
      }
    }
    return Map.entry(pair, min);
  }

  /** The named palette of js/palette.js ({@code name: { key: '#rrggbb', ... }} on one line). */
  static Map<String, String> palette(String name) throws IOException {
    for (String line : Files.readAllLines(PALETTE)) {
      if (line.strip().startsWith(name + ":")) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("'?([\\w-]+)'?\\s*:\\s*'(#[0-9a-fA-F]{6})'").matcher(line);
        while (m.find()) {
          out.put(m.group(1), m.group(2));
        }
        return out;
      }
    }
    throw new AssertionError("no palette '" + name + "' in " + PALETTE);
  }

  @Test
  void riskLevelsStayApartUnderDeuteranopia() throws IOException {
    Map<String, String> risk = palette("risk");
    assertThat(risk).containsOnlyKeys("low", "elevated", "high", "critical");
    Map.Entry<String, Double> closest = closestPair(risk);
    assertThat(closest.getValue()).as("ΔE of " + closest.getKey()).isGreaterThanOrEqualTo(MIN_DELTA_E);
  }

  @Test
  void hotspotClassesStayApartUnderDeuteranopia() throws IOException {
    Map<String, String> hot = palette("hotspot");
    assertThat(hot).hasSize(6);
    Map.Entry<String, Double> closest = closestPair(hot);
    assertThat(closest.getValue()).as("ΔE of " + closest.getKey()).isGreaterThanOrEqualTo(MIN_DELTA_E);
  }

  @Test
  void theFormerRedGreenRiskPaletteFailsTheCheck() {
    // ColorBrewer RdYlGn, the map's risk colours before: elevated and high merge for a deuteranope
    Map<String, String> redGreen = Map.of("low", "#1a9850", "elevated", "#fee08b", "high", "#fc8d59", "critical", "#d73027");
    assertThat(closestPair(redGreen).getValue()).isLessThan(MIN_DELTA_E);
  }

  @Test
  void simulationMatchesThePublishedMatrixOnPureColours() {
    // pure red and pure green map to the first two columns of the matrix (clamped to 0..1)
    double[] red = simulate("#ff0000");
    assertThat(red[0]).isCloseTo(0.367322, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(red[1]).isCloseTo(0.280085, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(red[2]).as("negative, clamped").isZero();
    assertThat(simulate("#00ff00")[0]).isCloseTo(0.860646, org.assertj.core.data.Offset.offset(1e-9));
    // grey stays grey: every row of the matrix sums to 1
    double[] grey = simulate("#808080");
    assertThat(grey[0]).isCloseTo(grey[1], org.assertj.core.data.Offset.offset(1e-6)).isCloseTo(grey[2], org.assertj.core.data.Offset.offset(1e-6));
  }
}
