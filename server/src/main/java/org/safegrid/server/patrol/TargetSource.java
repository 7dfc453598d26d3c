package org.safegrid.server.patrol;

import java.time.Duration;
import java.util.List;

/**
 * Where patrols should be: the hotspots and high-risk cells with their risk. Implemented over the
 * spatial engine's risk and hotspot services; {@link RecentEventTargetSource} is the fallback that
 * ranks cells by their recent events.
 */
public interface TargetSource {

  /**
   * A place worth patrolling.
   *
   * @param id   stable id (hotspot id or cell code)
   * @param kind {@code hotspot} or {@code cell}
   * @param name human label
   * @param wkt  its area, WGS84 WKT
   * @param lon  representative point inside it
   * @param lat  representative point inside it
   * @param risk its risk (same scale as {@link Targets#totalRisk()})
   */
  record Target(String id, String kind, String name, String wkt, double lon, double lat, double risk) {
  }

  /**
   * The riskiest places and the risk of the whole city, for "share of risk covered".
   *
   * @param targets   riskiest first
   * @param totalRisk the city's total risk over every cell
   * @param source    which implementation answered
   */
  record Targets(List<Target> targets, double totalRisk, String source) {
  }

  /** The {@code limit} riskiest places judged over the last {@code window}. */
  default Targets listTargets(int limit, Duration window) {
    return listTargets(limit, window, null);
  }

  /**
   * The {@code limit} riskiest places of one district (its grid cells, by district code; null: the
   * whole city); {@link Targets#totalRisk()} is then the district's.
   */
  Targets listTargets(int limit, Duration window, String district);
}
