package org.safegrid.gisdata.tilepackage;

import java.util.Optional;

/**
 * An open tile package. Tiles are addressed in the XYZ scheme of web maps (y grows southwards); an
 * MBTiles file's TMS rows are flipped inside. Thread-safe; close it when the package is no longer served.
 */
public interface TilePackage extends AutoCloseable {

  /** {@code mbtiles} or {@code pmtiles}. */
  String format();

  TileType tileType();

  /** True when the stored tile bytes are gzip'd (vector tiles): they are served with {@code Content-Encoding: gzip}. */
  boolean gzipped();

  /** The declared bounds in WGS84 degrees. */
  Bounds bounds();

  int minZoom();

  int maxZoom();

  /** The bytes of tile z/x/y as stored, or empty when the package has none there. */
  Optional<byte[]> findTile(int z, int x, int y);

  @Override
  void close();

  /** West, south, east, north in degrees. */
  record Bounds(double west, double south, double east, double north) {

    public boolean valid() {
      return west <= east && south <= north && west >= -180 && east <= 180 && south >= -85.06 && north <= 85.06;
    }

    public boolean intersects(Bounds o) {
      return west <= o.east && o.west <= east && south <= o.north && o.south <= north;
    }

    @Override
    public String toString() {
      return west + "," + south + "," + east + "," + north;
    }
  }
}
