package org.safegrid.gisdata.tilepackage;

/**
 * Limits a tile package is held to besides its file size (which the upload enforces while receiving it).
 *
 * @param maxTiles      most tiles (addressed tiles for PMTiles)
 * @param maxTileBytes  largest single tile
 * @param maxDirectoryBytes largest decompressed PMTiles directory
 * @param sampleTiles   how many tiles are read to check their bytes against the declared type
 */
public record TilePackageLimits(long maxTiles, long maxTileBytes, long maxDirectoryBytes, int sampleTiles) {

  public static final TilePackageLimits DEFAULT = new TilePackageLimits(20_000_000, 4 << 20, 64 << 20, 64);
}
