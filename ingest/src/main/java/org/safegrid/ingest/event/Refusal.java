package org.safegrid.ingest.event;

/**
 * Why a message was refused and sent to {@value Source#DLQ_TOPIC}. The {@link #code()} is stable:
 * integrators and alert rules may match on it.
 */
public enum Refusal {
  /** Larger than the configured maximum message size. */
  TOO_LARGE("too_large"),
  /** Not valid JSON (or empty). */
  MALFORMED_JSON("malformed_json"),
  /** {@code source} missing or not camera/checkpoint/patrol/incident. */
  UNKNOWN_SOURCE("unknown_source"),
  /** {@code source} does not match the topic the message came on. */
  SOURCE_TOPIC_MISMATCH("source_topic_mismatch"),
  /** {@code kind} is not one of the source's kinds. */
  UNKNOWN_KIND("unknown_kind"),
  /** lon outside [-180, 180] or lat outside [-90, 90]. */
  COORDINATES_OUT_OF_RANGE("coordinates_out_of_range"),
  /** Breaks the source's JSON Schema (missing field, wrong type, bad attrs, bad timestamp). */
  SCHEMA_VIOLATION("schema_violation"),
  /** Valid coordinates outside the configured service area (with its margin). */
  OUTSIDE_SERVICE_AREA("outside_service_area"),
  /** observedAt further in the future than the allowed clock skew. */
  TIMESTAMP_IN_FUTURE("timestamp_in_future"),
  /** observedAt older than the allowed age. */
  TIMESTAMP_TOO_OLD("timestamp_too_old"),
  /** Passed every check but the database refused the row for a permanent reason (never used for outages). */
  DATABASE_REJECTED("database_rejected"),
  /**
   * Well-formed, but its {@code sourceId} (or a patrol event's {@code unitId}) is not one the sending
   * principal may speak for (the device registry; docs/security.md).
   */
  UNAUTHORISED_SOURCE("unauthorised_source");

  private final String code;

  Refusal(String code) {
    this.code = code;
  }

  /** The refusal of a {@link #code()}. */
  public static Refusal fromCode(String code) {
    for (Refusal r : values()) {
      if (r.code.equals(code)) {
        return r;
      }
    }
    throw new IllegalArgumentException("no refusal reason '" + code + "'");
  }

  /** The stable reason code carried in the DLQ header and envelope. */
  public String code() {
    return code;
  }
}
