package org.safegrid.gisdata.tilepackage;

/** A tile package refused, with a stable machine reason (e.g. {@code not_a_tile_package}) and a message a user can act on. */
public final class TilePackageException extends RuntimeException {

  private final String reason;
  private final boolean tooLarge;

  public TilePackageException(String reason, String message) {
    this(reason, message, false, null);
  }

  public TilePackageException(String reason, String message, boolean tooLarge, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.tooLarge = tooLarge;
  }

  public static TilePackageException tooLarge(String reason, String message) {
    return new TilePackageException(reason, message, true, null);
  }

  public String reason() {
    return reason;
  }

  /** True for size and count limits (HTTP 413), false for content (422). */
  public boolean tooLarge() {
    return tooLarge;
  }
}
