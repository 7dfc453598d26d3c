package org.safegrid.server.upload;

/**
 * Published (after commit) when a grid set becomes the active one, so that the engine recomputes
 * risk and hotspots on its cells.
 *
 * @param gridSetId id of the grid set now active
 */
public record GridSetActivated(long gridSetId) {}
