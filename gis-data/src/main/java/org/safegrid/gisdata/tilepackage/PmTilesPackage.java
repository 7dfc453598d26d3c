package org.safegrid.gisdata.tilepackage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * A PMTiles v3 archive, read after the specification
 * (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte little-endian header,
 * a root directory and leaf directories of varint-coded entries (tile id deltas, run lengths, lengths,
 * offsets), optionally gzip'd, and the tile data section. Every offset and length the header and the
 * directories give is checked against the file before it is followed. Reads are positional on one
 * channel, so the package is thread-safe.
 */
final class PmTilesPackage implements TilePackage {

  static final int HEADER_BYTES = 127;
  static final byte[] MAGIC = "PMTiles".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_DEPTH = 4;

  private final FileChannel channel;
  private final Header header;
  private final TileType tileType;
  private final Bounds bounds;
  private final long maxDirectoryBytes;
  private final Entry[] root;

  /** The header fields SafeGrid uses (spec section 3). */
  record Header(long rootOffset, long rootLength, long metadataOffset, long metadataLength, long leafOffset,
                long leafLength, long dataOffset, long dataLength, long addressedTiles, int internalCompression,
                int tileCompression, int tileType, int minZoom, int maxZoom, Bounds bounds) {}

  /** A directory entry: a run of tiles (runLength > 0) or a leaf directory (runLength 0). */
  record Entry(long tileId, long offset, long length, long runLength) {}

  private PmTilesPackage(FileChannel channel, Header header, TileType tileType, long maxDirectoryBytes)
      throws IOException {
    this.channel = channel;
    this.header = header;
    this.tileType = tileType;
    this.bounds = header.bounds();
    this.maxDirectoryBytes = maxDirectoryBytes;
    this.root = directory(header.rootOffset(), header.rootLength());
  }

  static PmTilesPackage open(Path file, TilePackageLimits limits) {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new TilePackageException("corrupt_file", "The PMTiles file cannot be opened: " + e.getMessage(), false, e);
    }
    try {
      long size = ch.size();
      if (size < HEADER_BYTES) {
        throw new TilePackageException("pmtiles_bad_header", "The file is " + size + " bytes, shorter than the "
            + HEADER_BYTES + "-byte PMTiles header.");
      }
      ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, b, 0);
      Header h = parseHeader(b.array(), size);
      TileType type = switch (h.tileType()) {
        case 1 -> TileType.MVT;
        case 2 -> TileType.PNG;
        case 3 -> TileType.JPEG;
        case 4 -> TileType.WEBP;
        default -> throw new TilePackageException("unsupported_tile_type", "The PMTiles tile type is " + h.tileType()
            + "; SafeGrid serves 1 (MVT), 2 (PNG), 3 (JPEG) and 4 (WebP).");
      };
      if (h.tileCompression() != 1 && h.tileCompression() != 2 && !(h.tileCompression() == 0 && !type.vector())) {
        throw new TilePackageException("unsupported_compression", "The PMTiles tile compression is "
            + h.tileCompression() + "; SafeGrid serves tiles stored uncompressed (1) or gzip'd (2).");
      }
      if (h.tileCompression() == 2 && !type.vector()) {
        throw new TilePackageException("pmtiles_bad_header", "The header says the " + type.apiName()
            + " tiles are gzip'd; image tiles are stored as they are.");
      }
      return new PmTilesPackage(ch, h, type, limits.maxDirectoryBytes());
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already failing
      }
      if (e instanceof TilePackageException t) {
        throw t;
      }
      throw new TilePackageException("corrupt_file", "The PMTiles file cannot be read: " + e.getMessage(), false, e);
    }
  }

  /** Parses and checks the header of a file of {@code fileSize} bytes. */
  static Header parseHeader(byte[] bytes, long fileSize) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new TilePackageException("not_a_tile_package", "The file is neither an MBTiles (SQLite) nor a PMTiles "
            + "package: it does not start with \"SQLite format 3\" or \"PMTiles\".");
      }
    }
    int version = bytes[7] & 0xFF;
    if (version != 3) {
      throw new TilePackageException("pmtiles_unsupported_version", "The PMTiles file is version " + version
          + "; SafeGrid reads version 3 (convert it with 'pmtiles convert').");
    }
    Header h = new Header(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
        b.getLong(56), b.getLong(64), b.getLong(72), bytes[97] & 0xFF, bytes[98] & 0xFF, bytes[99] & 0xFF,
        bytes[100] & 0xFF, bytes[101] & 0xFF,
        new Bounds(b.getInt(102) / 1e7, b.getInt(106) / 1e7, b.getInt(110) / 1e7, b.getInt(114) / 1e7));
    section("root directory", h.rootOffset(), h.rootLength(), fileSize);
    section("metadata", h.metadataOffset(), h.metadataLength(), fileSize);
    section("leaf directories", h.leafOffset(), h.leafLength(), fileSize);
    section("tile data", h.dataOffset(), h.dataLength(), fileSize);
    if (h.rootLength() == 0) {
      throw new TilePackageException("pmtiles_bad_header", "The PMTiles header gives an empty root directory.");
    }
    if (h.internalCompression() != 1 && h.internalCompression() != 2) {
      throw new TilePackageException("unsupported_compression", "The PMTiles directories are compressed with method "
          + h.internalCompression() + "; SafeGrid reads uncompressed (1) or gzip'd (2) directories.");
    }
    if (h.minZoom() > h.maxZoom() || h.maxZoom() > 30) {
      throw new TilePackageException("bad_zoom_range", "The PMTiles header zoom range " + h.minZoom() + "-"
          + h.maxZoom() + " is not a range of zoom levels 0-30.");
    }
    if (!h.bounds().valid()) {
      throw new TilePackageException("bad_bounds", "The PMTiles header bounds " + h.bounds()
          + " are not west,south,east,north in WGS84 degrees.");
    }
    return h;
  }

  private static void section(String name, long offset, long length, long fileSize) {
    if (offset < HEADER_BYTES && length > 0 || offset < 0 || length < 0 || offset > fileSize
        || length > fileSize - offset) {
      throw new TilePackageException("pmtiles_bad_header", "The PMTiles header places the " + name + " at byte "
          + Long.toUnsignedString(offset) + ", length " + Long.toUnsignedString(length) + ", outside the file of "
          + fileSize + " bytes.");
    }
  }

  /** Reads and decodes the directory at {@code offset} (absolute), checking its entries. */
  private Entry[] directory(long offset, long length) throws IOException {
    if (length > maxDirectoryBytes) {
      throw TilePackageException.tooLarge("pmtiles_directory_too_large", "A PMTiles directory is " + length
          + " bytes, more than the limit of " + maxDirectoryBytes + ".");
    }
    ByteBuffer raw = ByteBuffer.allocate((int) length);
    readFully(channel, raw, offset);
    byte[] bytes = raw.array();
    if (header.internalCompression() == 2) {
      bytes = gunzip(bytes, maxDirectoryBytes);
    }
    return decodeDirectory(bytes);
  }

  static byte[] gunzip(byte[] bytes, long max) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > max) {
          throw TilePackageException.tooLarge("pmtiles_directory_too_large", "A PMTiles directory decompresses to more "
              + "than " + max + " bytes, the limit.");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new TilePackageException("pmtiles_bad_directory", "A PMTiles directory does not decompress as the header "
          + "says (gzip): " + e.getMessage(), false, e);
    }
  }

  /** Decodes a directory (spec section 4.1): entry count, then tile id deltas, run lengths, lengths, offsets. */
  static Entry[] decodeDirectory(byte[] bytes) {
    int[] pos = {0};
    long n = varint(bytes, pos);
    // each entry takes at least four bytes: a count beyond that is a lie
    if (n <= 0 || n > bytes.length / 4 + 1) {
      throw new TilePackageException("pmtiles_bad_directory", "A PMTiles directory claims " + n + " entries in "
          + bytes.length + " bytes.");
    }
    int count = (int) n;
    long[] ids = new long[count];
    long[] runs = new long[count];
    long[] lengths = new long[count];
    long last = 0;
    for (int i = 0; i < count; i++) {
      last += varint(bytes, pos);
      ids[i] = last;
    }
    for (int i = 0; i < count; i++) {
      runs[i] = varint(bytes, pos);
    }
    for (int i = 0; i < count; i++) {
      lengths[i] = varint(bytes, pos);
    }
    Entry[] entries = new Entry[count];
    for (int i = 0; i < count; i++) {
      long v = varint(bytes, pos);
      long offset = v == 0 && i > 0 ? entries[i - 1].offset() + entries[i - 1].length() : v - 1;
      if (offset < 0 || lengths[i] <= 0 || (i > 0 && ids[i] <= ids[i - 1])) {
        throw new TilePackageException("pmtiles_bad_directory", "PMTiles directory entry " + i
            + " has an impossible offset, length or tile id order.");
      }
      entries[i] = new Entry(ids[i], offset, lengths[i], runs[i]);
    }
    return entries;
  }

  private static long varint(byte[] b, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new TilePackageException("pmtiles_bad_directory", "A PMTiles directory ends in the middle of an entry.");
      }
      int c = b[pos[0]++] & 0xFF;
      value |= (long) (c & 0x7F) << shift;
      if ((c & 0x80) == 0) {
        return value;
      }
    }
    throw new TilePackageException("pmtiles_bad_directory", "A PMTiles directory holds a varint longer than 64 bits.");
  }

  /**
   * Walks every directory: each tile entry inside the tile data section, its tiles inside the zoom range and
   * the bounds, the count under the limit; then reads a sample of tiles against the declared type.
   */
  void validate(TilePackageLimits limits) {
    long[] counts = new long[2]; // addressed tiles, sampled tiles
    try {
      walk(root, 0, limits, counts);
    } catch (IOException e) {
      throw new TilePackageException("corrupt_file", "The PMTiles file cannot be read: " + e.getMessage(), false, e);
    }
    if (counts[0] == 0) {
      throw new TilePackageException("empty_package", "The PMTiles file holds no tiles.");
    }
  }

  private void walk(Entry[] entries, int depth, TilePackageLimits limits, long[] counts) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new TilePackageException("pmtiles_bad_directory", "PMTiles leaf directories nest deeper than "
          + MAX_DEPTH + " levels.");
    }
    for (Entry e : entries) {
      if (e.runLength() == 0) {
        if (e.offset() > header.leafLength() || e.length() > header.leafLength() - e.offset()) {
          throw new TilePackageException("pmtiles_bad_directory", "A PMTiles leaf directory entry points past the "
              + "leaf directory section.");
        }
        walk(directory(header.leafOffset() + e.offset(), e.length()), depth + 1, limits, counts);
        continue;
      }
      if (e.offset() > header.dataLength() || e.length() > header.dataLength() - e.offset()) {
        throw new TilePackageException("pmtiles_bad_directory", "A PMTiles directory entry (tile id " + e.tileId()
            + ") points past the tile data section.");
      }
      if (e.length() > limits.maxTileBytes()) {
        throw TilePackageException.tooLarge("tile_too_large", "A tile is " + e.length() + " bytes, more than the limit "
            + "of " + limits.maxTileBytes() + ".");
      }
      counts[0] += e.runLength();
      if (counts[0] > limits.maxTiles()) {
        throw TilePackageException.tooLarge("too_many_tiles", "The package addresses more than " + limits.maxTiles()
            + " tiles, the limit.");
      }
      for (long id = e.tileId(); id < e.tileId() + e.runLength(); id++) {
        int[] zxy = TileMath.zxy(id);
        if (zxy[0] < header.minZoom() || zxy[0] > header.maxZoom()) {
          throw new TilePackageException("zoom_out_of_range", "The package holds a tile at zoom " + zxy[0]
              + ", outside its declared zoom range " + header.minZoom() + "-" + header.maxZoom() + ".");
        }
        if (!TileMath.within(bounds, zxy[0], zxy[1], zxy[2])) {
          throw new TilePackageException("tiles_outside_bounds", "The package holds tile " + zxy[0] + "/" + zxy[1] + "/"
              + zxy[2] + ", beyond its declared bounds " + bounds + ".");
        }
      }
      if (counts[1] < limits.sampleTiles()) {
        counts[1]++;
        int[] zxy = TileMath.zxy(e.tileId());
        TilePackageReader.requireType(tileType, gzipped(), read(e), zxy[0] + "/" + zxy[1] + "/" + zxy[2]);
      }
    }
  }

  private byte[] read(Entry e) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) e.length());
    readFully(channel, b, header.dataOffset() + e.offset());
    return b.array();
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new TilePackageException("pmtiles_bad_header", "The PMTiles file ends before byte " + (p + b.remaining())
            + " that its header or directories point to.");
      }
      p += n;
    }
  }

  @Override
  public String format() {
    return "pmtiles";
  }

  @Override
  public TileType tileType() {
    return tileType;
  }

  @Override
  public boolean gzipped() {
    return header.tileCompression() == 2;
  }

  @Override
  public Bounds bounds() {
    return bounds;
  }

  @Override
  public int minZoom() {
    return header.minZoom();
  }

  @Override
  public int maxZoom() {
    return header.maxZoom();
  }

  @Override
  public Optional<byte[]> findTile(int z, int x, int y) {
    if (z < 0 || z > 30 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z)) {
      return Optional.empty();
    }
    long id = TileMath.tileId(z, x, y);
    try {
      Entry[] dir = root;
      for (int depth = 0; depth <= MAX_DEPTH; depth++) {
        Entry e = find(dir, id);
        if (e == null) {
          return Optional.empty();
        }
        if (e.runLength() > 0) {
          return Optional.of(read(e));
        }
        dir = directory(header.leafOffset() + e.offset(), e.length());
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException("tile " + z + "/" + x + "/" + y + " unreadable: " + e.getMessage(), e);
    }
  }

  /** The entry holding {@code id}: the last entry whose tile id is at most {@code id}, if its run (or leaf) covers it. */
  static Entry find(Entry[] entries, long id) {
    int lo = 0;
    int hi = entries.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long c = entries[mid].tileId();
      if (c < id) {
        lo = mid + 1;
      } else if (c > id) {
        hi = mid - 1;
      } else {
        return entries[mid];
      }
    }
    if (hi >= 0) {
      Entry e = entries[hi];
      if (e.runLength() == 0 || id - e.tileId() < e.runLength()) {
        return e;
      }
    }
    return null;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a read-only channel
    }
  }
}
