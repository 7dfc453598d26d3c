package org.safegrid.gisdata.tilepackage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens tile packages: MBTiles (by the SQLite header) or PMTiles v3 (by its magic). {@link #read} also
 * validates the package for upload; {@link #open} only opens one already validated, for serving.
 */
public final class TilePackageReader {

  private static final byte[] SQLITE = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  private final TilePackageLimits limits;

  public TilePackageReader(TilePackageLimits limits) {
    this.limits = limits;
  }

  /**
   * Opens and validates a package for upload: its format and tile type, every tile inside its declared
   * bounds and zoom range, and its bounds overlapping {@code cityArea}. The caller closes the answer.
   */
  public TilePackage read(Path file, TilePackage.Bounds cityArea) {
    TilePackage p = open(file);
    try {
      if (!p.bounds().intersects(cityArea)) {
        throw new TilePackageException("outside_city", "The package's bounds " + p.bounds() + " do not overlap the "
            + "city's area " + cityArea + "; check that it is the right package (and in WGS84/CGCS2000 degrees).");
      }
      if (p instanceof MbTilesPackage m) {
        m.validate(limits);
      } else {
        ((PmTilesPackage) p).validate(limits);
      }
      return p;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** Opens a package by its first bytes, without walking its tiles. */
  public TilePackage open(Path file) {
    byte[] head = new byte[16];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new TilePackageException("corrupt_file", "The file cannot be read: " + e.getMessage(), false, e);
    }
    if (n == SQLITE.length && Arrays.equals(head, SQLITE)) {
      return MbTilesPackage.open(file);
    }
    if (n >= PmTilesPackage.MAGIC.length
        && Arrays.equals(Arrays.copyOf(head, PmTilesPackage.MAGIC.length), PmTilesPackage.MAGIC)) {
      return PmTilesPackage.open(file, limits);
    }
    throw new TilePackageException("not_a_tile_package", "The file is neither an MBTiles (SQLite) nor a PMTiles "
        + "package: it does not start with \"SQLite format 3\" or \"PMTiles\".");
  }

  /** Refuses a tile whose bytes are not of the declared type (or not gzip'd as declared). */
  static void requireType(TileType declared, boolean gzipped, byte[] tile, String where) {
    if (tile == null || tile.length == 0) {
      return;
    }
    TileType found = TileType.sniff(tile);
    if (found != declared || (declared.vector() && gzipped != TileType.isGzip(tile))) {
      throw new TilePackageException("tile_type_mismatch", "Tile " + where + " is "
          + (found == null ? "of no known image or vector format" : found.apiName()
              + (TileType.isGzip(tile) ? " (gzip'd)" : ""))
          + " but the package declares " + declared.apiName() + (declared.vector() && gzipped ? " (gzip'd)" : "") + ".");
    }
  }
}
