/**
 * Offline base maps: tile packages (MBTiles, PMTiles) a GIS administrator uploads, validated by
 * gis-data's {@code tilepackage} readers, stored as files under {@code safegrid.basemap.storage-dir}
 * with a {@code basemap_package} row, and served tile by tile from this server's origin.
 *
 * <p>Uploads stream the request body (not multipart) to a temporary file beside the store, capped at
 * {@code safegrid.basemap.max-file-bytes} while reading; a declared length over the cap is refused
 * before the body is read. A refused package leaves only its audit record. Open packages are kept in
 * {@link org.safegrid.server.basemap.BasemapService}'s map (one read-only handle per package, closed on
 * delete); each is thread-safe, so tile requests take no lock of their own.
 */
package org.safegrid.server.basemap;
