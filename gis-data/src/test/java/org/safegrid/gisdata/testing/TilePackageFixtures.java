package org.safegrid.gisdata.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Tile packages for tests: MBTiles made by GDAL (raster with {@code gdal_translate -of MBTILES} from a
 * generated GeoTIFF with a road burnt in, vector with {@code ogr2ogr -f MBTILES}), and PMTiles v3 written
 * here by a minimal writer after the specification (GDAL 3.6 has no PMTiles driver). The writer is
 * independent of the reader under test: it encodes tile ids and directories from the specification's
 * text, and a test that compares the two would catch a reader that only agrees with itself.
 */
public final class TilePackageFixtures {

  private TilePackageFixtures() {}

  /**
   * A raster MBTiles of a dark 512-pixel square over the box with a bright road (one east-west line
   * at {@code roadLat}), made by GDAL: gdal_create, gdal_rasterize, gdal_translate -of MBTILES.
   */
  public static Path rasterMbtiles(Path dir, double west, double south, double east, double north, double roadLat)
      throws IOException {
    Path tif = dir.resolve("base.tif");
    Path road = dir.resolve("road.geojson");
    Path out = dir.resolve("raster.mbtiles");
    Files.writeString(road, lineGeoJson(west, roadLat, east, roadLat));
    gdal(dir, "gdal_create", "-of", "GTiff", "-outsize", "512", "512", "-bands", "3", "-burn", "20", "-burn", "30",
        "-burn", "40", "-ot", "Byte", "-a_srs", "EPSG:4326", "-a_ullr", "" + west, "" + north, "" + east, "" + south,
        tif.toString());
    gdal(dir, "gdal_rasterize", "-b", "1", "-b", "2", "-b", "3", "-burn", "255", "-burn", "200", "-burn", "0",
        "-at", road.toString(), tif.toString());
    gdal(dir, "gdal_translate", "-q", "-of", "MBTILES", tif.toString(), out.toString());
    return out;
  }

  /** A vector (MVT) MBTiles of one road layer {@code roads} made by GDAL's MVT driver: ogr2ogr -f MBTILES. */
  public static Path vectorMbtiles(Path dir, String geojson, int minZoom, int maxZoom) throws IOException {
    Path src = dir.resolve("roads.geojson");
    Path out = dir.resolve("vector.mbtiles");
    Files.writeString(src, geojson);
    gdal(dir, "ogr2ogr", "-f", "MBTILES", out.toString(), src.toString(), "-nln", "roads",
        "-dsco", "MINZOOM=" + minZoom, "-dsco", "MAXZOOM=" + maxZoom);
    return out;
  }

  public static String lineGeoJson(double lon1, double lat1, double lon2, double lat2) {
    return "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"kind\":\"primary\","
        + "\"name\":\"S1\"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[" + lon1 + "," + lat1 + "],["
        + lon2 + "," + lat2 + "]]}}]}";
  }

  /** Runs a GDAL command line tool and fails with its message (or a clear one when GDAL is not installed). */
  public static void gdal(Path dir, String... command) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(command[0] + " is not installed: the tile package tests need GDAL's command "
          + "line tools (Debian: gdal-bin)", e);
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command[0] + " did not finish in 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  /**
   * A minimal PMTiles v3 writer (spec: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
   * header, one root directory (gzip'd or not), empty metadata, no leaf directories, the tiles in tile-id
   * order, one entry per tile (run length 1).
   */
  public static final class PmTilesWriter {
    /** Tile type codes of the header: 1 MVT, 2 PNG, 3 JPEG. */
    public int tileType = 2;
    /** Compression codes: 1 none, 2 gzip. */
    public int tileCompression = 1;
    public int internalCompression = 2;
    public int minZoom;
    public int maxZoom;
    public double west;
    public double south;
    public double east;
    public double north;
    private final Map<Long, byte[]> tiles = new TreeMap<>();

    public PmTilesWriter tile(int z, int x, int y, byte[] bytes) {
      tiles.put(tileId(z, x, y), bytes);
      return this;
    }

    public byte[] write() throws IOException {
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      List<long[]> entries = new ArrayList<>(); // id, offset, length
      for (Map.Entry<Long, byte[]> t : tiles.entrySet()) {
        entries.add(new long[] {t.getKey(), data.size(), t.getValue().length});
        data.write(t.getValue());
      }
      ByteArrayOutputStream dir = new ByteArrayOutputStream();
      writeVarint(dir, entries.size());
      long last = 0;
      for (long[] e : entries) {
        writeVarint(dir, e[0] - last);
        last = e[0];
      }
      for (int i = 0; i < entries.size(); i++) {
        writeVarint(dir, 1);
      }
      for (long[] e : entries) {
        writeVarint(dir, e[2]);
      }
      for (long[] e : entries) {
        writeVarint(dir, e[1] + 1);
      }
      byte[] root = dir.toByteArray();
      if (internalCompression == 2) {
        root = gzip(root);
      }
      long rootOffset = 127;
      long metaOffset = rootOffset + root.length;
      byte[] meta = "{}".getBytes(StandardCharsets.UTF_8);
      long dataOffset = metaOffset + meta.length;
      ByteBuffer h = ByteBuffer.allocate(127).order(ByteOrder.LITTLE_ENDIAN);
      h.put("PMTiles".getBytes(StandardCharsets.US_ASCII)).put((byte) 3);
      h.putLong(rootOffset).putLong(root.length).putLong(metaOffset).putLong(meta.length)
          .putLong(dataOffset + data.size()).putLong(0).putLong(dataOffset).putLong(data.size())
          .putLong(entries.size()).putLong(entries.size()).putLong(entries.size());
      h.put((byte) 1).put((byte) internalCompression).put((byte) tileCompression).put((byte) tileType)
          .put((byte) minZoom).put((byte) maxZoom);
      h.putInt((int) Math.round(west * 1e7)).putInt((int) Math.round(south * 1e7))
          .putInt((int) Math.round(east * 1e7)).putInt((int) Math.round(north * 1e7));
      h.put((byte) minZoom).putInt((int) Math.round((west + east) / 2 * 1e7))
          .putInt((int) Math.round((south + north) / 2 * 1e7));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(h.array());
      out.write(root);
      out.write(meta);
      out.write(data.toByteArray());
      return out.toByteArray();
    }

    /** Tile id: (4^z - 1) / 3 tiles of the lower zooms, then the Hilbert curve index of x, y (spec, "Tile IDs"). */
    public static long tileId(int z, int x, int y) {
      long base = 0;
      for (int i = 0; i < z; i++) {
        base += 1L << (2 * i);
      }
      long n = 1L << z;
      long px = x;
      long py = y;
      long d = 0;
      for (long s = n / 2; s > 0; s /= 2) {
        long rx = (px & s) > 0 ? 1 : 0;
        long ry = (py & s) > 0 ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        // rotate the quadrant (Wikipedia's xy2d, with the full side n)
        if (ry == 0) {
          if (rx == 1) {
            px = n - 1 - px;
            py = n - 1 - py;
          }
          long t = px;
          px = py;
          py = t;
        }
      }
      return base + d;
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
      long value = v;
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }

  public static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  /** The bytes of a tiny PNG (the 8-byte signature and an IHDR chunk: enough for type checks, not for drawing). */
  public static byte[] pngStub() {
    return new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  }
}
