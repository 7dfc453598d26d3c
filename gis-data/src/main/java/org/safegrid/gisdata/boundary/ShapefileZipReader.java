package org.safegrid.gisdata.boundary;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a zipped Shapefile by unpacking it safely and converting it to GeoJSON with GDAL's ogr2ogr.
 *
 * <p>No coordinates are changed on the way: ogr2ogr writes the source coordinates as they are, and
 * the coordinate system is taken from the .prj by Apache SIS, not by GDAL. Attribute text: a .cpg
 * or the DBF's language driver is honoured by GDAL; an explicit encoding overrides both; with
 * neither, the attributes are tried as UTF-8 and, if that fails, as GBK (CP936), which is what a
 * DBF without .cpg from a Chinese desktop GIS usually holds.
 */
public final class ShapefileZipReader {

  private final ReadLimits limits;
  private final Ogr2Ogr ogr2ogr;

  public ShapefileZipReader(ReadLimits limits) {
    this(limits, new Ogr2Ogr(limits.converterTimeout()));
  }

  public ShapefileZipReader(ReadLimits limits, Ogr2Ogr ogr2ogr) {
    this.limits = limits;
    this.ogr2ogr = ogr2ogr;
  }

  /**
   * Reads the zip.
   *
   * @param zip      the archive
   * @param encoding attribute character set given by the user (e.g. "GBK"), or null to use .cpg or detect
   */
  public SourceLayer read(InputStream zip, String encoding) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("safegrid-shp");
      Map<String, Path> parts = SafeUnzip.unpack(zip, dir, limits);
      List<String> missing = new ArrayList<>();
      for (String ext : List.of("shp", "shx", "dbf")) {
        if (!parts.containsKey(ext)) {
          missing.add("." + ext);
        }
      }
      if (!parts.containsKey("shp") && !parts.containsKey("dbf") && !parts.containsKey("shx")) {
        throw new BoundaryReadException("shapefile_incomplete",
            "The zip holds no Shapefile (.shp, .shx and .dbf are needed).");
      }
      if (!missing.isEmpty()) {
        throw new BoundaryReadException("shapefile_incomplete",
            "The Shapefile is incomplete: " + String.join(", ", missing) + " missing from the zip.");
      }
      checkRecordCounts(parts.get("shx"), parts.get("dbf"));
      String prj = parts.containsKey("prj")
          ? new String(Files.readAllBytes(parts.get("prj")), StandardCharsets.ISO_8859_1).trim() : null;
      String chosen;
      byte[] json;
      if (encoding != null && !encoding.isBlank()) {
        checkCharset(encoding);
        chosen = encoding;
        json = convert(dir, encoding);
      } else if (parts.containsKey("cpg")) {
        chosen = new String(Files.readAllBytes(parts.get("cpg")), StandardCharsets.ISO_8859_1).trim() + " (from .cpg)";
        json = convert(dir, null);
      } else {
        json = convert(dir, null);
        if (isUtf8(json)) {
          chosen = "UTF-8 (detected)";
        } else {
          chosen = "GBK (detected)";
          json = convert(dir, "CP936");
        }
      }
      SourceLayer layer = new GeoJsonReader(limits).read(new ByteArrayInputStream(json));
      return new SourceLayer(BoundaryFormat.SHAPEFILE_ZIP, layer.features(), layer.fieldNames(),
          prj == null || prj.isEmpty() ? null : prj, chosen);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private byte[] convert(Path dir, String encoding) throws IOException {
    Path out = dir.resolve("layer.geojson");
    Files.deleteIfExists(out);
    List<String> args = new ArrayList<>(List.of("-f", "GeoJSON", "-lco", "RFC7946=NO", "-lco", "WRITE_BBOX=NO"));
    if (encoding != null) {
      args.addAll(List.of("-oo", "ENCODING=" + encoding));
    }
    args.addAll(List.of(out.toString(), dir.resolve("layer.shp").toString()));
    Ogr2Ogr.Result r = ogr2ogr.run(args, dir);
    if (r.exitCode() != 0 || !Files.exists(out)) {
      throw new BoundaryReadException("corrupt_file", "The Shapefile cannot be read: " + firstError(r.stderr()));
    }
    if (Files.size(out) > limits.maxUncompressedBytes()) {
      throw BoundaryReadException.tooLarge("too_large", "The Shapefile's content is too large.");
    }
    return Files.readAllBytes(out);
  }

  /**
   * Refuses a Shapefile whose .shx (one 8-byte index record per shape after a 100-byte header) and
   * .dbf (record count in its header) disagree: GDAL would silently pair shapes with the wrong
   * attributes or drop some.
   */
  private static void checkRecordCounts(Path shx, Path dbf) throws IOException {
    long shapes = (Files.size(shx) - 100) / 8;
    byte[] head = new byte[8];
    try (java.io.InputStream in = Files.newInputStream(dbf)) {
      if (in.readNBytes(head, 0, 8) < 8) {
        throw new BoundaryReadException("corrupt_file", "The .dbf file is too short to be a dBASE table.");
      }
    }
    long records = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4) & 0xffffffffL;
    if (shapes != records) {
      throw new BoundaryReadException("shapefile_mismatch", "The Shapefile's parts disagree: the .shx indexes "
          + shapes + " shapes but the .dbf holds " + records + " records. Export the layer again from your GIS.");
    }
  }

  static void checkCharset(String encoding) {
    if (!encoding.matches("[A-Za-z0-9_.:-]{1,40}")) {
      throw new BoundaryReadException("bad_parameter", "The encoding \"" + encoding + "\" is not a character set name.");
    }
    try {
      Charset.forName(encoding);
    } catch (RuntimeException e) {
      throw new BoundaryReadException("bad_parameter", "Unknown character set \"" + encoding + "\"; try GBK or UTF-8.");
    }
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String firstError(String stderr) {
    return stderr.lines()
        .filter(l -> l.startsWith("ERROR") || l.startsWith("FAILURE"))
        .map(l -> l.replaceFirst("^ERROR \\d+: ", "").replaceFirst("^FAILURE: ", ""))
        .map(l -> l.replaceAll("(/[^\\s:]*)?layer\\.", "layer."))
        .findFirst().orElse("the file is damaged or not a Shapefile.");
  }

  static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is cleaned by the OS; never fail a read for it
    }
  }
}
