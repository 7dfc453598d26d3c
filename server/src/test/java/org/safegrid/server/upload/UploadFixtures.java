package org.safegrid.server.upload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.safegrid.gisdata.boundary.Ogr2Ogr;

/** Boundary files for upload tests, built from the reference data with GDAL or written inline. */
final class UploadFixtures {

  private UploadFixtures() {}

  static byte[] districtsWgs84() throws IOException {
    try (InputStream in = UploadFixtures.class.getClassLoader()
        .getResourceAsStream("org/safegrid/gisdata/reference/huizhou/districts_wgs84.geojson")) {
      if (in == null) {
        throw new IllegalStateException("reference districts missing from gis-data resources");
      }
      return in.readAllBytes();
    }
  }

  /** The reference districts as a zipped Shapefile in EPSG:4547 with a GBK DBF and no .cpg, written by ogr2ogr. */
  static byte[] districtsShapefileGk4547Gbk(Path tmp, String... excludedExtensions) throws IOException {
    Path src = tmp.resolve("districts_wgs84.geojson");
    Files.write(src, districtsWgs84());
    Ogr2Ogr.Result r = new Ogr2Ogr(Duration.ofSeconds(60)).run(List.of("-f", "ESRI Shapefile", "-t_srs", "EPSG:4547",
        "-lco", "ENCODING=CP936", "-select", "adcode,name", tmp.resolve("districts.shp").toString(), src.toString()), tmp);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("ogr2ogr failed (apt-get install gdal-bin): " + r.stderr());
    }
    List<String> excluded = new java.util.ArrayList<>(List.of(excludedExtensions));
    excluded.add("cpg");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String ext : List.of("shp", "shx", "dbf", "prj")) {
        if (!excluded.contains(ext)) {
          zip.putNextEntry(new ZipEntry("districts." + ext));
          zip.write(Files.readAllBytes(tmp.resolve("districts." + ext)));
          zip.closeEntry();
        }
      }
    }
    return bytes.toByteArray();
  }

  static byte[] zip(Object... nameAndBytes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < nameAndBytes.length; i += 2) {
        zip.putNextEntry(new ZipEntry((String) nameAndBytes[i]));
        zip.write((byte[]) nameAndBytes[i + 1]);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A FeatureCollection of the given features (JSON text each). */
  static byte[] collection(List<String> features) {
    return ("{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}").getBytes();
  }

  static String cell(String code, double lon, double lat, double size) {
    return String.format(Locale.ROOT, "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"%s\",\"WGMC\":\"网格%s\"},"
            + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
            + "[%.6f,%.6f]]]}}", code, code, lon, lat, lon + size, lat, lon + size, lat + size, lon, lat + size, lon, lat);
  }

  static String wktFeature(String code, String geometryJson) {
    return "{\"type\":\"Feature\",\"properties\":{\"WGBM\":\"" + code + "\"},\"geometry\":" + geometryJson + "}";
  }

  /** A square grid of {@code n} cells of {@code size} degrees from (114.0, 22.7), row by row, codes G00001... */
  static byte[] grid(int n, double size, String prefix) {
    int cols = (int) Math.ceil(Math.sqrt(n));
    List<String> cells = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      cells.add(cell(String.format(Locale.ROOT, "%s%05d", prefix, i + 1), 114.0 + (i % cols) * size,
          22.7 + (i / cols) * size, size));
    }
    return collection(cells);
  }
}
