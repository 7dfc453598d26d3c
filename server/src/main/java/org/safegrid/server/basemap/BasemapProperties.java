package org.safegrid.server.basemap;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Base-map tile packages ({@code safegrid.basemap.*}).
 *
 * @param storageDir   where uploaded packages are kept, one file per package named by its SHA-256
 *                     (default {@code <data dir>/basemaps}; env {@code SAFEGRID_BASEMAP_STORAGE_DIR})
 * @param maxFileBytes largest package accepted (bytes, default 1 GiB); a larger one is refused with 413
 *                     while it is received, never stored whole
 * @param maxTiles     most tiles in one package (default 20,000,000)
 * @param maxTileBytes largest single tile (default 4 MiB)
 */
@ConfigurationProperties("safegrid.basemap")
public record BasemapProperties(@DefaultValue(".safegrid/basemaps") Path storageDir,
                                @DefaultValue("1073741824") long maxFileBytes,
                                @DefaultValue("20000000") long maxTiles,
                                @DefaultValue("4194304") long maxTileBytes) {

  public BasemapProperties {
    if (maxFileBytes <= 0 || maxTiles <= 0 || maxTileBytes <= 0) {
      throw new IllegalArgumentException("safegrid.basemap.max-file-bytes, max-tiles and max-tile-bytes must be positive");
    }
  }
}
