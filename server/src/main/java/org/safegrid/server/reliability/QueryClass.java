package org.safegrid.server.reliability;

/**
 * The kinds of database work that get their own statement timeout ({@link QueryTimeoutProperties}).
 * The ingest write path is not among them: the ingest module sets its own.
 */
public enum QueryClass {
  /** Reads behind an interactive API call or map view (events, audit pages). */
  INTERACTIVE,
  /** Bulk reads that stream a file to the caller (grid-set and audit exports). */
  EXPORT,
  /** An upload's validation and insert, and an activation (ST_IsValid/ST_MakeValid, coastal buffers). */
  UPLOAD,
  /** The spatial engine's recompute reads (events and patrol pings of a window). */
  ENGINE
}
