package org.safegrid.gisdata.tilepackage;

import java.util.Locale;

/** What a package's tiles are: raster images or Mapbox Vector Tiles. */
public enum TileType {
  PNG("png", "image/png"),
  JPEG("jpg", "image/jpeg"),
  WEBP("webp", "image/webp"),
  MVT("pbf", "application/vnd.mapbox-vector-tile");

  private final String mbtilesFormat;
  private final String contentType;

  TileType(String mbtilesFormat, String contentType) {
    this.mbtilesFormat = mbtilesFormat;
    this.contentType = contentType;
  }

  /** The HTTP Content-Type of one tile. */
  public String contentType() {
    return contentType;
  }

  public boolean vector() {
    return this == MVT;
  }

  /** The name used in the API and the database: png, jpeg, webp, mvt. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TileType ofApiName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** The type an MBTiles {@code metadata.format} value names, or null when it names none SafeGrid serves. */
  static TileType ofMbtilesFormat(String format) {
    if (format == null) {
      return null;
    }
    String f = format.trim().toLowerCase(Locale.ROOT);
    if (f.equals("jpeg")) {
      return JPEG;
    }
    for (TileType t : values()) {
      if (t.mbtilesFormat.equals(f) || (t == MVT && f.equals("mvt"))) {
        return t;
      }
    }
    return null;
  }

  /**
   * The type the bytes of one tile are, from their first bytes, or null when they are none of them.
   * A gzip stream counts as MVT (vector tiles are stored gzip'd); an uncompressed MVT starts with
   * field 3 (layers), wire type 2: byte 0x1A.
   */
  static TileType sniff(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return PNG;
    }
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return JPEG;
    }
    if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
        && b[10] == 'B' && b[11] == 'P') {
      return WEBP;
    }
    if (isGzip(b) || (b.length > 0 && b[0] == 0x1A)) {
      return MVT;
    }
    return null;
  }

  static boolean isGzip(byte[] b) {
    return b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B;
  }
}
