/**
 * Readers of base-map tile packages: MBTiles 1.3 (an SQLite file, read with sqlite-jdbc, read-only)
 * and PMTiles v3 (a single file with a 127-byte header and varint directories, read by hand after the
 * specification: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md; no maintained Java
 * reader is published on Maven Central).
 *
 * <p>{@link org.safegrid.gisdata.tilepackage.TilePackageReader} opens a file and validates it against
 * the city's area before anything is stored: format, tile type against the tile bytes, zoom range,
 * every tile inside the declared bounds, counts and sizes. Refusals are
 * {@link org.safegrid.gisdata.tilepackage.TilePackageException}s with a stable reason code. Open
 * packages are thread-safe for {@code findTile}.
 */
package org.safegrid.gisdata.tilepackage;
