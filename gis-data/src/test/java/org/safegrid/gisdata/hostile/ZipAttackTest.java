package org.safegrid.gisdata.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.safegrid.gisdata.boundary.BoundaryReadException;
import org.safegrid.gisdata.boundary.BoundaryReader;
import org.safegrid.gisdata.boundary.ReadLimits;
import org.safegrid.gisdata.boundary.ReadOptions;
import org.safegrid.gisdata.testing.Fixtures;

/**
 * Check 24: zip attacks against the zipped-Shapefile reader. Each is refused with a reason;
 * nothing is written outside the per-upload temporary folder, and that folder is gone afterwards.
 * (Plain {@code ../../x} traversal, a 50 MB ratio bomb and 200 entries are in ShapefileZipReaderTest.)
 */
class ZipAttackTest {

  private static final Path SYSTEM_TMP = Path.of(System.getProperty("java.io.tmpdir"));

  private final BoundaryReader reader = new BoundaryReader(ReadLimits.defaults(), BoundaryReader.huizhou(), null);

  @TempDir
  Path tmp;

  private Set<Path> uploadDirsBefore;

  @BeforeEach
  void snapshot() throws IOException {
    uploadDirsBefore = uploadDirs();
  }

  @AfterEach
  void noUploadFolderLeftBehind() throws Exception {
    // other builds on the machine may share the temp folder: give their short-lived folders time to go
    for (int i = 0; i < 50 && !uploadDirsBefore.containsAll(uploadDirs()); i++) {
      Thread.sleep(100);
    }
    assertThat(uploadDirs()).as("per-upload temp folders left behind").isSubsetOf(uploadDirsBefore);
    for (String escaped : List.of("x.shp", "hostile-x.shp")) {
      assertThat(SYSTEM_TMP.resolve(escaped)).doesNotExist();
      assertThat(tmp.getParent().resolve(escaped)).doesNotExist();
    }
    assertThat(Path.of("/etc/hostile-x.shp")).doesNotExist();
  }

  private static Set<Path> uploadDirs() throws IOException {
    try (Stream<Path> s = Files.list(SYSTEM_TMP)) {
      return s.filter(p -> p.getFileName().toString().startsWith("safegrid-shp")).collect(Collectors.toSet());
    }
  }

  private BoundaryReadException refused(Path zip) {
    long t0 = System.nanoTime();
    Throwable t = catchThrowable(() -> reader.read(zip, ReadOptions.none()));
    System.out.printf("%s: %s in %.3f s%n", zip.getFileName(), t == null ? "accepted" : t.getMessage(),
        (System.nanoTime() - t0) / 1e9);
    assertThat(t).as("%s refused", zip.getFileName()).isInstanceOf(BoundaryReadException.class);
    return (BoundaryReadException) t;
  }

  @Test
  void absolutePathEntryIsRefused() throws Exception {
    Path zip = Fixtures.zip(tmp.resolve("abs.zip"), "/etc/hostile-x.shp", new byte[10]);
    assertThat(refused(zip).reason()).isEqualTo("unsafe_zip_entry");
  }

  @Test
  void backslashTraversalEntryIsRefused() throws Exception {
    Path zip = Fixtures.zip(tmp.resolve("bs.zip"), "..\\..\\hostile-x.shp", new byte[10]);
    assertThat(refused(zip).reason()).isEqualTo("unsafe_zip_entry");
  }

  @Test
  void symlinkEntryIsNeverFollowedNorCreated() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Files.createSymbolicLink(src.resolve("layer.shp"), Path.of("/etc/passwd"));
    Files.write(src.resolve("layer.shx"), new byte[100]);
    Files.write(src.resolve("layer.dbf"), new byte[100]);
    Process p = new ProcessBuilder("zip", "-q", "-y", "../link.zip", "layer.shp", "layer.shx", "layer.dbf")
        .directory(src.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor()).as("zip -y (apt-get install zip)").isZero();
    Path zip = tmp.resolve("link.zip");
    BoundaryReadException e = refused(zip);
    // the entry arrives as a regular file holding the link text, which is no Shapefile
    assertThat(e.reason()).isEqualTo("corrupt_file");
    assertThat(e.getMessage()).doesNotContain("root:");
  }

  @Test
  void nestedArchiveIsNotExpanded() throws Exception {
    Path inner = Fixtures.zip(tmp.resolve("inner.zip"), "layer.shp", new byte[100], "layer.shx", new byte[100],
        "layer.dbf", new byte[100]);
    Path outer = Fixtures.zip(tmp.resolve("outer.zip"), "inner.zip", Files.readAllBytes(inner));
    BoundaryReadException e = refused(outer);
    assertThat(e.reason()).isEqualTo("shapefile_incomplete");
  }

  @Test
  @Tag("slow")
  void gigabyteOfZerosIsStoppedByTheRatioLimitWhileStreaming() throws Exception {
    Path zip = Bombs.zeroEntry(tmp.resolve("gig.zip"), "layer.shp", 1L << 30);
    assertThat(Files.size(zip)).isLessThan(5L << 20);
    HeapWatch heap = HeapWatch.start();
    long t0 = System.nanoTime();
    BoundaryReadException e = refused(zip);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(e.reason()).isEqualTo("zip_bomb");
    assertThat(e.tooLarge()).isTrue();
    assertThat(seconds).as("stopped early, not after inflating 1 GB").isLessThan(2.0);
    assertThat(heap.peakDeltaBytes() >> 20).isLessThan(200);
  }

  @Test
  void hundredThousandEmptyEntriesAreRefusedByTheEntryCap() throws Exception {
    Path zip = Bombs.emptyEntries(tmp.resolve("100k.zip"), 100_000);
    long t0 = System.nanoTime();
    assertThat(refused(zip).reason()).isEqualTo("zip_bomb");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(2.0);
  }

  @Test
  void duplicateNamesAreRefused() throws Exception {
    // ZipOutputStream refuses duplicate names, so the second copy differs only in case of the stem
    Path zip = Fixtures.zip(tmp.resolve("dup.zip"), "layer.shp", new byte[100], "LAYER.shp", new byte[100]);
    assertThat(refused(zip).reason()).isEqualTo("shapefile_ambiguous");
    Path sameName = tmp.resolve("same.zip");
    writeWithDuplicateName(sameName);
    assertThat(refused(sameName).reason()).isIn("shapefile_ambiguous", "corrupt_file");
  }

  @Test
  void headerDeclaringLessThanTheRealSizeIsRefused() throws Exception {
    byte[] data = new byte[10_000];
    java.util.Arrays.fill(data, (byte) 7);
    Path zip = tmp.resolve("lying.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      ZipEntry e = new ZipEntry("layer.shp");
      e.setMethod(ZipEntry.STORED);
      e.setSize(data.length);
      e.setCompressedSize(data.length);
      CRC32 crc = new CRC32();
      crc.update(data);
      e.setCrc(crc.getValue());
      out.putNextEntry(e);
      out.write(data);
      out.closeEntry();
    }
    byte[] bytes = Files.readAllBytes(zip);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).isEqualTo(0x04034b50);
    b.putInt(18, 100); // compressed size
    b.putInt(22, 100); // uncompressed size
    Files.write(zip, bytes);
    assertThat(refused(zip).reason()).isIn("corrupt_file", "shapefile_incomplete");
  }

  /** Two entries named layer.shp: ZipOutputStream will not write this, so the second name is patched. */
  private static void writeWithDuplicateName(Path zip) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (String n : List.of("layer.shp", "layer.shq")) {
        out.putNextEntry(new ZipEntry(n));
        out.write(new byte[100]);
        out.closeEntry();
      }
    }
    byte[] bytes = Files.readAllBytes(zip);
    String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("layer.shq", "layer.shp");
    Files.write(zip, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

}
