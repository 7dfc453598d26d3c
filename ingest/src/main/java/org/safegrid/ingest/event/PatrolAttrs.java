package org.safegrid.ingest.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code attrs} of a patrol event: a {@code position} ping carries speed, heading and status;
 * a report carries the unit and optionally a note.
 *
 * @param unitId     patrol unit id
 * @param speedKmh   speed in km/h, sent as {@code speed}; null on reports
 * @param headingDeg heading in degrees clockwise from north, sent as {@code heading}; null on reports
 * @param status     {@code patrolling|responding|stationary|off_duty}; null on reports
 * @param note       free text of a report, or null
 */
public record PatrolAttrs(String unitId, Double speedKmh, Double headingDeg, String status, String note) {

  /** The JSON object form. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("unitId", unitId);
    if (speedKmh != null) {
      m.put("speed", speedKmh);
    }
    if (headingDeg != null) {
      m.put("heading", headingDeg);
    }
    if (status != null) {
      m.put("status", status);
    }
    if (note != null) {
      m.put("note", note);
    }
    return m;
  }
}
