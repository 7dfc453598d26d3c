package org.safegrid.gisdata.boundary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The boundary file formats SafeGrid reads, recognised by their first bytes rather than by file name. */
public enum BoundaryFormat {
  GEOJSON,
  SHAPEFILE_ZIP,
  GEOPACKAGE;

  /** Recognises the format of a file from its magic bytes; refuses an empty file. */
  public static BoundaryFormat detect(Path file) throws IOException {
    byte[] head = new byte[16];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (n == 0) {
      throw new BoundaryReadException("empty_file", "The file is empty.");
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return SHAPEFILE_ZIP;
    }
    if (n >= 16 && new String(head, 0, 15, java.nio.charset.StandardCharsets.US_ASCII).equals("SQLite format 3")) {
      return GEOPACKAGE;
    }
    for (int i = 0; i < n; i++) {
      int b = head[i] & 0xff;
      if (b == '{' || b == '[') {
        return GEOJSON;
      }
      // UTF-8 byte order mark and white space may precede the JSON
      if (!(b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0xEF || b == 0xBB || b == 0xBF)) {
        throw new BoundaryReadException("unsupported_format",
            "This is not a GeoJSON, a zipped Shapefile or a GeoPackage file.");
      }
    }
    // only white space so far: let the JSON reader decide (it refuses an empty document)
    return GEOJSON;
  }
}
