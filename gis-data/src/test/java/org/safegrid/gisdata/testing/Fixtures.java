package org.safegrid.gisdata.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.safegrid.gisdata.boundary.Ogr2Ogr;

/** Test fixtures: the reference city's data and Shapefiles written by GDAL (the same tool the reader uses). */
public final class Fixtures {

  private Fixtures() {}

  /**
   * The reference districts in WGS84: the copy shipped in gis-data if there is one, else the
   * shared reference data found by walking up from the working directory.
   */
  public static Path districtsWgs84(Path tmp) throws IOException {
    String res = "org/safegrid/gisdata/reference/huizhou/districts_wgs84.geojson";
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(res)) {
      if (in != null) {
        Path p = tmp.resolve("districts_wgs84.geojson");
        Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return p;
      }
    }
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path p = d.resolve("shared/data/huizhou/districts_wgs84.geojson");
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalStateException("reference districts not found: neither classpath " + res
        + " nor shared/data/huizhou/districts_wgs84.geojson above " + dir);
  }

  /** Runs ogr2ogr and fails the test with GDAL's message if it fails. */
  public static void ogr2ogr(Path workDir, String... args) throws IOException {
    Ogr2Ogr.Result r = new Ogr2Ogr(Duration.ofSeconds(60)).run(List.of(args), workDir);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("ogr2ogr " + String.join(" ", args) + " failed: " + r.stderr());
    }
  }

  /** Zips every file of {@code dir} whose name starts with {@code stem + "."}, minus the excluded extensions. */
  public static Path zipShapefile(Path dir, String stem, Path zip, String... excludedExtensions) throws IOException {
    List<String> excluded = List.of(excludedExtensions);
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith(stem + "."))
          .filter(p -> {
            String n = p.getFileName().toString();
            return !excluded.contains(n.substring(n.lastIndexOf('.') + 1));
          })
          .sorted().forEach(files::add);
    }
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (Path f : files) {
        out.putNextEntry(new ZipEntry(f.getFileName().toString()));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return zip;
  }

  /** Writes a zip with the given entries (name, bytes). */
  public static Path zip(Path zip, Object... nameAndBytes) throws IOException {
    try (OutputStream fo = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(fo)) {
      for (int i = 0; i < nameAndBytes.length; i += 2) {
        out.putNextEntry(new ZipEntry((String) nameAndBytes[i]));
        out.write((byte[]) nameAndBytes[i + 1]);
        out.closeEntry();
      }
    }
    return zip;
  }
}
