package org.safegrid.ingest.event;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code attrs} of a reported incident.
 *
 * @param channel          {@code 110}, {@code 12345} or {@code grid}
 * @param reportedAt       when the call or report was received
 * @param occurredAt       when it happened, or null when unknown
 * @param originalCode     the reporting system's category code, or null
 * @param originalCategory the reporting system's category text, or null
 * @param quality          how the position was found: {@code geocoded_address}, {@code caller_gps},
 *                         {@code district_centroid}
 * @param accuracyMeters   accuracy of the position, metres
 * @param extra            further attributes kept as given (e.g. the police area of an imported row), or null
 */
public record IncidentAttrs(String channel, Instant reportedAt, Instant occurredAt, String originalCode,
                            String originalCategory, String quality, double accuracyMeters,
                            Map<String, Object> extra) {

  /** Location quality of an incident known only to its district. */
  public static final String DISTRICT_CENTROID = "district_centroid";

  /** The JSON object form. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("channel", channel);
    String reported = IsoInstant.format(reportedAt);
    m.put("reportedAt", reported);
    if (occurredAt != null) {
      // an imported row's two times are one
      m.put("occurredAt", occurredAt.equals(reportedAt) ? reported : IsoInstant.format(occurredAt));
    }
    if (originalCode != null) {
      m.put("originalCode", originalCode);
    }
    if (originalCategory != null) {
      m.put("originalCategory", originalCategory);
    }
    Map<String, Object> location = new LinkedHashMap<>();
    location.put("quality", quality);
    location.put("accuracyMeters", accuracyMeters);
    m.put("location", location);
    if (extra != null) {
      extra.forEach(m::putIfAbsent);
    }
    return m;
  }
}
