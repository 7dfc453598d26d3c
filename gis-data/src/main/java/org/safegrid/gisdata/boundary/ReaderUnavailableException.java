package org.safegrid.gisdata.boundary;

/**
 * A file that could be read, but not on this server: the external tool its format needs (GDAL's
 * {@code ogr2ogr} for Shapefiles) is missing. Reason {@code reader_unavailable}; the server answers
 * 503, since the fault is the installation's, not the file's.
 */
public final class ReaderUnavailableException extends BoundaryReadException {

  private final String tool;

  public ReaderUnavailableException(String tool, String message) {
    super("reader_unavailable", message);
    this.tool = tool;
  }

  /** The missing tool, e.g. {@code ogr2ogr}. */
  public String tool() {
    return tool;
  }
}
