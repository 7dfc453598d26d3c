package org.safegrid.ingest.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code attrs} of a camera event.
 *
 * @param cameraId       camera (or campus alarm station) id
 * @param detectionClass detection class of the analytics model, sent as {@code class}
 * @param confidence     0..1
 * @param campusCode     campus the camera belongs to, or null
 */
public record CameraAttrs(String cameraId, String detectionClass, double confidence, String campusCode) {

  /** The JSON object form. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cameraId", cameraId);
    m.put("class", detectionClass);
    m.put("confidence", confidence);
    if (campusCode != null) {
      m.put("campusCode", campusCode);
    }
    return m;
  }
}
