package org.safegrid.ingest.worker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.safegrid.ingest.event.Event;
import org.safegrid.ingest.event.Source;

/**
 * The device registry as a worker sees it: which {@code sourceId}s (exact ids and prefixes) and which
 * patrol {@code unitId}s each integrator principal may speak for (table {@code source_binding}, kept by
 * the admin API {@code /api/source-bindings}).
 *
 * <p>Kafka records do not carry their producer's principal; the broker's ACLs bind it instead: an
 * integrator principal may write only its own topics {@code safegrid.events.<source>.<principal>}, so
 * the topic a record came on names its sender ({@link IngestSettings#principalOf}). The base topics
 * {@code safegrid.events.<source>} are written only by the built-in principals {@code src-<source>}
 * (the simulator), which speak for every {@code sourceId} of their source type; the registry is not
 * asked about them.
 *
 * <p>Each worker thread holds its own copy and reloads it when it is older than the maximum staleness
 * (30 s by default), on the worker's own database connection, before authorising a batch: a binding
 * added or removed through the API takes effect within that time. A failed reload is a database
 * failure like any other (the batch is rewound and retried), never an open door. Not thread-safe.
 */
public final class DeviceRegistry {

  /** How old a worker's copy of the registry may be before the next batch reloads it. */
  public static final Duration DEFAULT_MAX_STALENESS = Duration.ofSeconds(30);

  /** What one principal may speak for. */
  private record Grants(Map<Source, Set<String>> ids, Map<Source, List<String>> prefixes, Set<String> units) {

    static Grants empty() {
      return new Grants(new EnumMap<>(Source.class), new EnumMap<>(Source.class), new HashSet<>());
    }

    boolean sourceId(Source s, String id) {
      if (ids.getOrDefault(s, Set.of()).contains(id)) {
        return true;
      }
      for (String p : prefixes.getOrDefault(s, List.of())) {
        if (id.startsWith(p)) {
          return true;
        }
      }
      return false;
    }
  }

  private final Duration maxStaleness;
  private final LongSupplier nanoTime;
  private Map<String, Grants> grants = Map.of();
  private long loadedAt;
  private boolean loaded;

  public DeviceRegistry(Duration maxStaleness) {
    this(maxStaleness, System::nanoTime);
  }

  DeviceRegistry(Duration maxStaleness, LongSupplier nanoTime) {
    this.maxStaleness = maxStaleness;
    this.nanoTime = nanoTime;
  }

  /** Reloads the bindings when this copy is older than the maximum staleness (or was never loaded). */
  public void refreshIfStale(Connection c) throws SQLException {
    long now = nanoTime.getAsLong();
    if (loaded && now - loadedAt < maxStaleness.toNanos()) {
      return;
    }
    Map<String, Grants> fresh = new HashMap<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT principal, source, kind, value FROM source_binding")) {
      while (rs.next()) {
        Grants g = fresh.computeIfAbsent(rs.getString(1), k -> Grants.empty());
        Source s = Source.findByWireName(rs.getString(2)).orElse(null);
        if (s == null) {
          continue;
        }
        String value = rs.getString(4);
        switch (rs.getString(3)) {
          case "source_id" -> g.ids().computeIfAbsent(s, k -> new HashSet<>()).add(value);
          case "source_id_prefix" -> g.prefixes().computeIfAbsent(s, k -> new ArrayList<>()).add(value);
          case "unit_id" -> g.units().add(value);
          default -> {
            // a kind this release does not know grants nothing
          }
        }
      }
    }
    grants = fresh;
    loadedAt = now;
    loaded = true;
  }

  /**
   * Whether {@code principal} may speak for the event's {@code sourceId} (and, for a patrol event, its
   * {@code unitId}). A principal without bindings may speak for nothing.
   */
  public boolean mayPublish(String principal, Event e) {
    Grants g = grants.get(principal);
    if (g == null || !g.sourceId(e.source(), e.sourceId())) {
      return false;
    }
    if (e.source() == Source.PATROL) {
      Object unit = e.attrs().get("unitId");
      return unit != null && g.units().contains(unit.toString());
    }
    return true;
  }

  /** Why {@link #mayPublish} said no, for the dead letter. */
  public static String refusal(String principal, Event e) {
    String unit = e.source() == Source.PATROL ? " / unitId " + e.attrs().get("unitId") : "";
    return "principal " + principal + " may not speak for " + e.source().wireName() + " sourceId " + e.sourceId()
        + unit + " (device registry)";
  }
}
