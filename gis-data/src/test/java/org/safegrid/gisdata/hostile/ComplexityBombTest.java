package org.safegrid.gisdata.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;

/**
 * Check 22 at the reader: complexity bombs are refused by a cap while streaming, fast and without
 * filling the heap (heap use measured with the MemoryMXBean around each read in this JVM).
 */
@Tag("slow")
class ComplexityBombTest {

  private final BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);

  @TempDir
  Path tmp;

  /** Reads, expects a refusal, and returns it; asserts time < 2 s and heap growth < 200 MB. */
  private BoundaryReadException refused(Path file) {
    return refused(reader, file);
  }

  private BoundaryReadException refused(BoundaryReader reader, Path file) {
    HeapWatch heap = HeapWatch.start();
    long t0 = System.nanoTime();
    Throwable t = catchThrowable(() -> reader.read(file, ReadOptions.none()));
    double seconds = (System.nanoTime() - t0) / 1e9;
    long deltaMb = heap.peakDeltaBytes() >> 20;
    System.out.printf("%s: %s in %.3f s, heap delta %d MB%n", file.getFileName(),
        t == null ? "accepted" : ((BoundaryReadException) t).reason(), seconds, deltaMb);
    assertThat(t).as("refusal of %s", file.getFileName()).isInstanceOf(BoundaryReadException.class);
    assertThat(seconds).as("seconds to refuse %s", file.getFileName()).isLessThan(2.0);
    assertThat(deltaMb).as("heap growth (MB) refusing %s", file.getFileName()).isLessThan(200);
    return (BoundaryReadException) t;
  }

  @Test
  void fiveMillionVertexPolygonIsRefusedWhileStreaming() throws Exception {
    Path f = Bombs.hugePolygon(tmp.resolve("5m.geojson"), 5_000_000);
    assertThat(Files.size(f)).isGreaterThan(90L << 20);
    // the default 100 MB cap refuses it by size before parsing ...
    assertThat(refused(f).reason()).isIn("file_too_large", "too_many_vertices");
    // ... and with the byte cap lifted, the vertex cap refuses it while streaming, before any tree is built
    BoundaryReader noByteCap = new BoundaryReader(ReadLimits.defaults().withMaxFileBytes(1L << 30),
        BoundaryReader.huizhou(), null);
    BoundaryReadException e = refused(noByteCap, f);
    assertThat(e.reason()).isEqualTo("too_many_vertices");
    assertThat(e.tooLarge()).isTrue();
  }

  @Test
  void tinyFeaturesBeyondTheFeatureCapAreRefused() throws Exception {
    // one more than the documented default cap of 200,000 features
    Path f = Bombs.tinyFeatures(tmp.resolve("200k.geojson"), 200_001);
    BoundaryReadException e = refused(f);
    assertThat(e.reason()).isEqualTo("too_many_features");
  }

  @Test
  void hundredThousandNestedArraysAreRefused() throws Exception {
    BoundaryReadException e = refused(Bombs.nestedArrays(tmp.resolve("nested.geojson"), 100_000));
    assertThat(e.reason()).isEqualTo("too_complex");
  }

  @Test
  void sixtyMegabyteStringPropertyIsRefused() throws Exception {
    BoundaryReadException e = refused(Bombs.longString(tmp.resolve("string.geojson"), 60 << 20));
    assertThat(e.reason()).isEqualTo("too_complex");
    assertThat(e.tooLarge()).isTrue();
  }
}
