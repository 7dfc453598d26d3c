package org.safegrid.server.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL's settings that decide whether a committed transaction survives a crash, and the values
 * SafeGrid needs (reliability check 9): {@code synchronous_commit}, {@code fsync},
 * {@code full_page_writes} on, {@code data_sync_retry} off (so a failed fsync panics instead of
 * silently losing writes). Plain value; read with {@link #read(JdbcClient)}.
 *
 * @param actual each setting's current value in the session that read it
 */
public record DurabilitySettings(Map<String, String> actual) {

  /** The required value of each setting. */
  public static final Map<String, String> REQUIRED = requiredSettings();

  private static Map<String, String> requiredSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("synchronous_commit", "on");
    m.put("fsync", "on");
    m.put("full_page_writes", "on");
    m.put("data_sync_retry", "off");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Reads the settings with {@code SHOW} (which also reflects per-database and per-role overrides). */
  public static DurabilitySettings read(JdbcClient jdbc) {
    Map<String, String> actual = new LinkedHashMap<>();
    for (String name : REQUIRED.keySet()) {
      actual.put(name, jdbc.sql("SHOW " + name).query(String.class).single());
    }
    return new DurabilitySettings(actual);
  }

  /** Each deviation as {@code name=actual (need required)}; empty when durable. */
  public List<String> problems() {
    return REQUIRED.entrySet().stream()
        .filter(e -> !e.getValue().equalsIgnoreCase(actual.get(e.getKey())))
        .map(e -> e.getKey() + "=" + actual.get(e.getKey()) + " (need " + e.getValue() + ")")
        .toList();
  }

  public boolean durable() {
    return problems().isEmpty();
  }
}
