package org.safegrid.gisdata.boundary;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Unpacks the parts of a zipped Shapefile into a private folder, refusing zip bombs and unsafe names.
 *
 * <p>The archive is read as a stream: the entry count, the total uncompressed size and the ratio of
 * uncompressed to compressed bytes are checked while inflating, so a bomb is stopped after a
 * bounded amount of work. Entry names with {@code ..}, absolute paths, drive letters or
 * backslashes are refused; only the Shapefile parts (.shp .shx .dbf .prj .cpg) are written, by
 * their base name, into the target folder; anything else (nested archives, VRT, sidecar files) is
 * skipped, never expanded.
 */
final class SafeUnzip {

  static final Set<String> PARTS = Set.of("shp", "shx", "dbf", "prj", "cpg");

  private SafeUnzip() {}

  /** Unpacks into {@code dir}; returns the written parts by lower-case extension. */
  static Map<String, Path> unpack(InputStream raw, Path dir, ReadLimits limits) throws IOException {
    CountingInputStream counted = new CountingInputStream(raw);
    Map<String, Path> parts = new HashMap<>();
    Map<String, String> baseNameByExt = new HashMap<>();
    long total = 0;
    int entries = 0;
    byte[] buf = new byte[64 * 1024];
    // names without the zip's UTF-8 flag arrive byte for byte (ISO-8859-1 maps every byte) and are
    // decoded below; the JDK's default would throw on the GBK names Chinese Windows writes
    try (ZipInputStream zin = new ZipInputStream(counted, StandardCharsets.ISO_8859_1)) {
      ZipEntry e;
      while ((e = nextEntry(zin)) != null) {
        if (++entries > limits.maxZipEntries()) {
          throw BoundaryReadException.tooLarge("zip_bomb",
              "The zip holds more than " + limits.maxZipEntries() + " entries; a zipped Shapefile needs five at most.");
        }
        String name = entryName(e.getName());
        checkName(name);
        if (e.isDirectory()) {
          continue;
        }
        String base = name.substring(name.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        String ext = dot < 0 ? "" : base.substring(dot + 1).toLowerCase(Locale.ROOT);
        boolean keep = PARTS.contains(ext) && !base.startsWith("._") && !name.startsWith("__MACOSX/");
        if (keep) {
          String stem = base.substring(0, dot);
          if (parts.containsKey(ext)) {
            throw new BoundaryReadException("shapefile_ambiguous", "The zip holds more than one ." + ext
                + " file; zip one Shapefile per upload.");
          }
          baseNameByExt.put(ext, stem);
        }
        OutputStream out = keep ? Files.newOutputStream(dir.resolve("layer." + ext)) : OutputStream.nullOutputStream();
        try (out) {
          int n;
          while ((n = zin.read(buf)) > 0) {
            total += n;
            if (total > limits.maxUncompressedBytes()) {
              throw BoundaryReadException.tooLarge("zip_bomb", "The zip unpacks to more than "
                  + (limits.maxUncompressedBytes() >> 20) + " MB, the limit.");
            }
            long compressed = Math.max(counted.count(), 4096);
            if (total > 1 << 20 && total / (double) compressed > limits.maxCompressionRatio()) {
              throw BoundaryReadException.tooLarge("zip_bomb", "The zip expands more than "
                  + (int) limits.maxCompressionRatio() + " times; refused as a possible zip bomb.");
            }
            out.write(buf, 0, n);
          }
        }
        if (keep) {
          parts.put(ext, dir.resolve("layer." + ext));
        }
      }
    } catch (ZipException e) {
      throw new BoundaryReadException("corrupt_file", "The zip archive is damaged: " + e.getMessage(), false, e);
    } catch (EOFException e) {
      throw new BoundaryReadException("corrupt_file", "The zip archive is cut short (truncated upload?); "
          + "send the whole file.", false, e);
    }
    if (entries == 0) {
      throw new BoundaryReadException("empty_file", "The zip archive is empty.");
    }
    if (baseNameByExt.values().stream().distinct().count() > 1) {
      throw new BoundaryReadException("shapefile_ambiguous",
          "The Shapefile parts in the zip have different names " + baseNameByExt.values() + "; they must share one.");
    }
    return parts;
  }

  private static ZipEntry nextEntry(ZipInputStream zin) throws IOException {
    try {
      return zin.getNextEntry();
    } catch (IllegalArgumentException malformed) {
      // only names flagged UTF-8 are decoded strictly by the JDK
      throw new BoundaryReadException("corrupt_file", "A file name in the zip is marked as UTF-8 but is not valid "
          + "UTF-8; re-create the zip.", false, malformed);
    }
  }

  /**
   * The entry name as its author wrote it: a name the zip flags as UTF-8 is already decoded (it has
   * characters past U+00FF, or is plain ASCII); an unflagged one is tried as UTF-8 (tools that do not
   * set the flag), then GB18030 (what Chinese Windows writes, a superset of GBK); bytes that are
   * neither stay as ISO-8859-1 characters, which keeps the extension and the shared stem intact.
   */
  static String entryName(String raw) {
    if (raw.chars().anyMatch(c -> c > 0xFF) || raw.chars().allMatch(c -> c < 0x80)) {
      return raw;
    }
    byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
    for (Charset cs : new Charset[] {StandardCharsets.UTF_8, Charset.forName("GB18030")}) {
      try {
        return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException notThis) {
        // try the next
      }
    }
    return raw;
  }

  private static void checkName(String name) {
    String n = name.replace('\\', '/');
    boolean unsafe = name.indexOf('\\') >= 0 || n.startsWith("/") || n.matches("^[A-Za-z]:.*")
        || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..") || n.indexOf('\0') >= 0;
    if (unsafe) {
      throw new BoundaryReadException("unsafe_zip_entry",
          "The zip holds an entry with an unsafe path (\"" + name.replaceAll("[^\\x20-\\x7e]", "?")
              + "\"): absolute paths and .. are refused.");
    }
  }

  /** Counts the compressed bytes the inflater has pulled so far. */
  private static final class CountingInputStream extends FilterInputStream {
    private long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }
}
