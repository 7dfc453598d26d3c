package org.safegrid.ingest.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code attrs} of a checkpoint check.
 *
 * @param checkpointId checkpoint id
 * @param subject      {@code vehicle} or {@code person}
 * @param result       {@code clear} or {@code hit}
 * @param plate        licence plate; required for vehicles, null for people
 */
public record CheckpointAttrs(String checkpointId, String subject, String result, String plate) {

  /** The JSON object form. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("checkpointId", checkpointId);
    m.put("subject", subject);
    m.put("result", result);
    if (plate != null) {
      m.put("plate", plate);
    }
    return m;
  }
}
