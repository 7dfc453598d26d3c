package org.safegrid.gisdata.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.GeoJsonReader;
import org.safegrid.gisdata.boundary.GeoPackageReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ShapefileZipReader;

/**
 * Check 27: Jazzer fuzz targets over the three readers. The only exception a reader may throw is
 * its declared {@link BoundaryReadException}; any other exception, an input that takes longer than
 * 5 s, or an OutOfMemoryError fails the target.
 *
 * <p>In the normal test run Jazzer runs in regression mode: each target replays its seed corpus
 * ({@code src/test/resources/org/safegrid/gisdata/hostile/ReaderFuzzTestInputs/<method>/}) once.
 * To fuzz, set {@code JAZZER_FUZZ=1} and pick one target, e.g.
 * {@code JAZZER_FUZZ=1 ./mvnw -pl gis-data test -Dtest=ReaderFuzzTest#geoJson}; each runs for its
 * {@code maxDuration} (10 minutes); crashes are written next to the seeds and replay from then on.
 */
class ReaderFuzzTest {

  /** Small caps so that fuzzing explores the refusals instead of stalling on large inputs. */
  private static final ReadLimits LIMITS = ReadLimits.defaults().withMaxFileBytes(1 << 20).withMaxFeatures(1000)
      .withMaxVerticesPerFeature(10_000);

  static {
    // class loading and instrumentation of Jackson, JTS, NGA and SQLite happen once, not in a timed input
    warmUp("geoJson", b -> new GeoJsonReader(LIMITS).read(new ByteArrayInputStream(b)));
    warmUp("shapefileZip", b -> new ShapefileZipReader(LIMITS).read(new ByteArrayInputStream(b), null));
    warmUp("geoPackage", b -> {
      try {
        Path f = Files.createTempFile("safegrid-fuzz", ".gpkg");
        Files.write(f, b);
        new GeoPackageReader(LIMITS).read(f, null);
        Files.deleteIfExists(f);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static void warmUp(String target, java.util.function.Consumer<byte[]> read) {
    String seed = "ReaderFuzzTestInputs/" + target + "/valid";
    try (var in = ReaderFuzzTest.class.getResourceAsStream(seed)) {
      if (in == null) {
        throw new IllegalStateException("seed corpus missing: " + seed);
      }
      read.accept(in.readAllBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "10m")
  void geoJson(byte[] input) {
    bounded(() -> new GeoJsonReader(LIMITS).read(new ByteArrayInputStream(input)));
  }

  @FuzzTest(maxDuration = "10m")
  void shapefileZip(byte[] input) {
    bounded(() -> new ShapefileZipReader(LIMITS).read(new ByteArrayInputStream(input), null));
  }

  @FuzzTest(maxDuration = "10m")
  void geoPackage(byte[] input) throws Exception {
    Path f = Files.createTempFile("safegrid-fuzz", ".gpkg");
    try {
      Files.write(f, input);
      bounded(() -> new GeoPackageReader(LIMITS).read(f, null));
    } finally {
      Files.deleteIfExists(f);
    }
  }

  private static void bounded(Runnable read) {
    long t0 = System.nanoTime();
    try {
      read.run();
    } catch (BoundaryReadException expected) {
      assertThat(expected.reason()).isNotBlank();
      assertThat(expected.getMessage()).isNotBlank();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time for one input").isLessThan(Duration.ofSeconds(5));
  }
}
