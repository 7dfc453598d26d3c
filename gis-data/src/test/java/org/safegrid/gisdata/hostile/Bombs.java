package org.safegrid.gisdata.hostile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hostile files written straight to disk, never held in memory: complexity bombs and zip bombs. */
public final class Bombs {

  private Bombs() {}

  /** One polygon of {@code vertices} vertices around (114.4, 23.1) (5 M vertices is about 100 MB). */
  public static Path hugePolygon(Path file, int vertices) throws IOException {
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
      w.write("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"X\"},"
          + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
      for (int i = 0; i < vertices; i++) {
        double a = 2 * Math.PI * i / vertices;
        w.write('[');
        w.write(Double.toString(114.4 + 0.05 * Math.cos(a)));
        w.write(',');
        w.write(Double.toString(23.1 + 0.05 * Math.sin(a)));
        w.write("],");
      }
      w.write("[114.45,23.1]]]}}]}");
    }
    return file;
  }

  /** {@code n} tiny square features of 1e-5 degrees in a row. */
  public static Path tinyFeatures(Path file, int n) throws IOException {
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
      w.write("{\"type\":\"FeatureCollection\",\"features\":[");
      for (int i = 0; i < n; i++) {
        double x = 114.0 + (i % 1000) * 1e-4;
        double y = 22.7 + (i / 1000) * 1e-4;
        w.write(String.format(Locale.ROOT, "%s{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"T%d\"},\"geometry\":"
            + "{\"type\":\"Polygon\",\"coordinates\":[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f]]]}}",
            i == 0 ? "" : ",", i, x, y, x + 1e-5, y, x + 1e-5, y + 1e-5, x, y));
      }
      w.write("]}");
    }
    return file;
  }

  /** A feature whose only property value is {@code depth} nested arrays. */
  public static Path nestedArrays(Path file, int depth) throws IOException {
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
      w.write("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"x\":");
      for (int i = 0; i < depth; i++) {
        w.write('[');
      }
      for (int i = 0; i < depth; i++) {
        w.write(']');
      }
      w.write("},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.4,23.1]}}]}");
    }
    return file;
  }

  /** A feature with one string property of {@code chars} characters. */
  public static Path longString(Path file, int chars) throws IOException {
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
      w.write("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"WGMC\":\"");
      char[] chunk = new char[1 << 16];
      java.util.Arrays.fill(chunk, 'a');
      for (int left = chars; left > 0; left -= chunk.length) {
        w.write(chunk, 0, Math.min(left, chunk.length));
      }
      w.write("\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.4,23.1]}}]}");
    }
    return file;
  }

  /** A zip with one entry of {@code bytes} zero bytes, written with a streaming ZipOutputStream. */
  public static Path zeroEntry(Path zip, String name, long bytes) throws IOException {
    try (OutputStream fo = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(fo)) {
      out.setLevel(9);
      out.putNextEntry(new ZipEntry(name));
      byte[] zeros = new byte[1 << 20];
      for (long left = bytes; left > 0; left -= zeros.length) {
        out.write(zeros, 0, (int) Math.min(left, zeros.length));
      }
      out.closeEntry();
    }
    return zip;
  }

  /** A zip of {@code n} empty entries. */
  public static Path emptyEntries(Path zip, int n) throws IOException {
    try (OutputStream fo = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(fo)) {
      for (int i = 0; i < n; i++) {
        out.putNextEntry(new ZipEntry("e" + i + ".txt"));
        out.closeEntry();
      }
    }
    return zip;
  }
}
