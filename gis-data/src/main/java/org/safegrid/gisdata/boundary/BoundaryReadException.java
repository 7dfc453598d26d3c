package org.safegrid.gisdata.boundary;

import java.util.List;

/**
 * A boundary file refused before anything was stored, with a reason a GIS officer can act on.
 *
 * <p>{@link #reason()} is a stable machine code (e.g. {@code zip_bomb}, {@code unknown_crs}); the
 * message is the human explanation. {@link #tooLarge()} tells callers that the refusal is about
 * size (HTTP 413) rather than content (HTTP 422).
 */
public class BoundaryReadException extends RuntimeException {

  private final String reason;
  private final boolean tooLarge;
  private List<Integer> suggestedEpsg = List.of();

  public BoundaryReadException(String reason, String message) {
    this(reason, message, false, null);
  }

  public BoundaryReadException(String reason, String message, boolean tooLarge, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.tooLarge = tooLarge;
  }

  public static BoundaryReadException tooLarge(String reason, String message) {
    return new BoundaryReadException(reason, message, true, null);
  }

  /** Stable code of the refusal, one of the problem types of {@code ProblemType} or a file-level code. */
  public String reason() {
    return reason;
  }

  public boolean tooLarge() {
    return tooLarge;
  }

  /** EPSG codes that would put the file's coordinates in the jurisdiction, most likely first (may be empty). */
  public List<Integer> suggestedEpsg() {
    return suggestedEpsg;
  }

  /** This refusal with the coordinate systems it suggests. */
  public BoundaryReadException withSuggestedEpsg(List<Integer> codes) {
    this.suggestedEpsg = List.copyOf(codes);
    return this;
  }
}
