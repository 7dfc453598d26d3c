package org.safegrid.gisdata.validate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.safegrid.gisdata.boundary.BoundaryDataset;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;

/**
 * Benchmark of the upload path without the database: reads a generated city grid (default 3,586
 * square cells) as GeoJSON and validates it, printing the time of each stage; the last line is one
 * JSON object. Usage: {@code ValidationBenchmark [cells] [rounds]}.
 */
public final class ValidationBenchmark {

  private ValidationBenchmark() {}

  public static void main(String[] args) throws Exception {
    int cells = args.length > 0 ? Integer.parseInt(args[0]) : 3586;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int cols = (int) Math.ceil(Math.sqrt(cells));
    double size = 0.02;
    StringBuilder sb = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < cells; i++) {
      double x = 114.0 + (i % cols) * size;
      double y = 22.7 + (i / cols) * size;
      sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"type\":\"Feature\",\"properties\":{\"code\":\"G%05d\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
              + "[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}",
          i, x, y, x + size, y, x + size, y + size, x, y + size, x, y));
    }
    sb.append("]}");
    Path file = Files.createTempFile("safegrid-bench", ".geojson");
    Files.writeString(file, sb);
    BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);
    BoundaryValidator validator = new BoundaryValidator(BoundaryReader.huizhou(), 1.0);
    double bestRead = Double.MAX_VALUE;
    double bestValidate = Double.MAX_VALUE;
    int problems = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      BoundaryDataset data = reader.read(file, ReadOptions.none());
      long t1 = System.nanoTime();
      ValidationReport report = validator.validate(LayerKind.GRID, data, AttributeMapping.none());
      long t2 = System.nanoTime();
      problems = report.problems().size();
      bestRead = Math.min(bestRead, (t1 - t0) / 1e9);
      bestValidate = Math.min(bestValidate, (t2 - t1) / 1e9);
      System.out.printf(Locale.ROOT, "round %d: read %.3f s, validate %.3f s, %d problems%n", r + 1,
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, problems);
    }
    Files.deleteIfExists(file);
    System.out.printf(Locale.ROOT, "{\"benchmark\":\"grid-validation\",\"cells\":%d,\"bytes\":%d,\"readSeconds\":%.3f,"
        + "\"validateSeconds\":%.3f,\"problems\":%d}%n", cells, sb.length(), bestRead, bestValidate, problems);
  }
}
