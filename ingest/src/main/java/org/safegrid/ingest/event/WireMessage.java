package org.safegrid.ingest.event;

import java.util.Map;

/**
 * The top-level fields of one message as {@link MessageReader} streamed them, before any check.
 *
 * <p>Each field holds the value as Jackson's untyped binding would give it ({@code String},
 * {@code Integer}, {@code Long}, {@code BigInteger}, {@code Double}, {@code Boolean}, {@code null},
 * {@code List}, {@code Map}), or {@link #MISSING} when the message does not have it. {@code attrs},
 * when it is an object, is the map the event record keeps. Mutable, filled once by the reader, not
 * shared between threads.
 */
final class WireMessage {

  /** The value of a field the message does not have (a JSON {@code null} is Java {@code null}). */
  static final Object MISSING = new Object() {
    @Override
    public String toString() {
      return "(missing)";
    }
  };

  Object id = MISSING;
  Object source = MISSING;
  Object sourceId = MISSING;
  Object kind = MISSING;
  Object severity = MISSING;
  Object observedAt = MISSING;
  Object lon = MISSING;
  Object lat = MISSING;
  Object datum = MISSING;
  Object attrs = MISSING;
  /** A top-level field the schemas do not have ({@code additionalProperties: false}). */
  boolean unknownField;

  /** The attrs as a map; only after the contract check accepted the message. */
  @SuppressWarnings("unchecked")
  Map<String, Object> attrsMap() {
    return (Map<String, Object>) attrs;
  }
}
