package org.safegrid.server.risk;

import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of grid risk ({@code safegrid.risk.*}); every field has a documented default, see
 * {@link #defaults()}. Usable without Spring.
 *
 * @param kindWeights        weight of one event by {@code source:kind}, {@code kind} or {@code source:*}
 *                           (first match in that order); default 1.0; {@code patrol:position} pings
 *                           default to 0 (they measure coverage, not risk)
 * @param defaultKindWeight  weight of a kind not listed (default 1.0)
 * @param severityWeights    multiplier by severity 0..5 (default 0.5, 1, 1.5, 2, 3, 4)
 * @param halfLives          half-life of the time decay by window (keys PT1H or 1h style; default
 *                           1h→PT30M, 24h→PT6H, 7d→P2D); an ad-hoc interval uses a quarter of its length
 * @param campusRadiusMeters distance over which campus exposure falls linearly to 0 (default 300)
 * @param checkpointRadiusMeters distance over which checkpoint exposure falls to 0 (default 300)
 * @param overlayWeights     hand-set risk per unit of exposure to another overlay layer, by layer name
 *                           (the only hand weight left in the score, off by default: campuses, the
 *                           coastal zone and checkpoints are learned by the environment model;
 *                           default none); exposure = share of the cell covered (polygons) or
 *                           distance-weighted feature count within {@code campusRadiusMeters} (points, lines)
 * @param zone               local time zone of the hour classes and of the forecast's days (default Asia/Shanghai)
 * @param elevatedProbability a cell with events is "elevated" when the probability that its rate in
 *                           the window exceeds its own baseline is at least this (default 0.80;
 *                           see {@link org.safegrid.server.stats.risk.ExceedanceProbability})
 * @param highProbability    ... "high" (default 0.95)
 * @param criticalProbability ... "critical" (default 0.99)
 * @param maxLiveEvents      events kept in memory for the live windows (default 4,000,000)
 * @param pollInterval       how often the live engine polls new events (default PT1S)
 * @param pollOverlap        how far behind its watermark it re-reads to catch late commits (default PT10S)
 * @param patrolPingInterval time one patrol position ping stands for, for coverage (default PT5S)
 * @param enabled            run the live engine (default true)
 * @param baselinePriorWindows how many windows of evidence a cell's baseline is worth in the
 *                           exceedance probability (κ, default 4)
 * @param sources            the sources whose events are the thing risk, hotspots and the forecast
 *                           predict (default {@code incident}); events of the other sources carry no
 *                           risk weight (patrol position pings still measure patrol coverage, the
 *                           exposure of the coverage-normalised risk). List {@code camera},
 *                           {@code checkpoint}, {@code patrol} too for the sensor-driven risk of
 *                           earlier versions
 */
@ConfigurationProperties("safegrid.risk")
public record RiskProperties(
    Map<String, Double> kindWeights,
    Double defaultKindWeight,
    List<Double> severityWeights,
    Map<String, Duration> halfLives,
    Double campusRadiusMeters,
    Double checkpointRadiusMeters,
    Map<String, Double> overlayWeights,
    ZoneId zone,
    Double elevatedProbability,
    Double highProbability,
    Double criticalProbability,
    Integer maxLiveEvents,
    Duration pollInterval,
    Duration pollOverlap,
    Duration patrolPingInterval,
    Boolean enabled,
    Double baselinePriorWindows,
    List<String> sources) {

  /** The sources events come from. */
  public static final List<String> ALL_SOURCES = List.of("camera", "checkpoint", "patrol", "incident");

  public RiskProperties {
    kindWeights = kindWeights == null ? Map.of("patrol:position", 0.0) : Map.copyOf(kindWeights);
    defaultKindWeight = defaultKindWeight == null ? 1.0 : defaultKindWeight;
    severityWeights = severityWeights == null ? List.of(0.5, 1.0, 1.5, 2.0, 3.0, 4.0) : List.copyOf(severityWeights);
    if (severityWeights.size() != 6) {
      throw new IllegalArgumentException("safegrid.risk.severity-weights needs 6 values (severity 0..5), got " + severityWeights.size());
    }
    if (halfLives == null) {
      Map<String, Duration> h = new LinkedHashMap<>();
      h.put("PT1H", Duration.ofMinutes(30));
      h.put("PT24H", Duration.ofHours(6));
      h.put("P7D", Duration.ofDays(2));
      halfLives = h;
    }
    halfLives.forEach((w, h) -> {
      Duration window = parseWindow(w);
      if (window.isNegative() || window.isZero() || h.isNegative() || h.isZero()) {
        throw new IllegalArgumentException("safegrid.risk.half-lives: window and half-life must be positive, got " + w + "=" + h);
      }
    });
    campusRadiusMeters = campusRadiusMeters == null ? 300.0 : campusRadiusMeters;
    checkpointRadiusMeters = checkpointRadiusMeters == null ? 300.0 : checkpointRadiusMeters;
    overlayWeights = overlayWeights == null ? Map.of() : Map.copyOf(overlayWeights);
    zone = zone == null ? ZoneId.of("Asia/Shanghai") : zone;
    elevatedProbability = elevatedProbability == null ? 0.80 : elevatedProbability;
    highProbability = highProbability == null ? 0.95 : highProbability;
    criticalProbability = criticalProbability == null ? 0.99 : criticalProbability;
    if (!(elevatedProbability > 0.5 && elevatedProbability < highProbability && highProbability < criticalProbability
        && criticalProbability < 1)) {
      throw new IllegalArgumentException(
          "safegrid.risk: need 0.5 < elevated-probability < high-probability < critical-probability < 1");
    }
    baselinePriorWindows = baselinePriorWindows == null ? 4.0 : baselinePriorWindows;
    if (!(baselinePriorWindows >= 0)) {
      throw new IllegalArgumentException("safegrid.risk.baseline-prior-windows must be at least 0");
    }
    sources = sources == null || sources.isEmpty() ? List.of("incident") : List.copyOf(sources);
    for (String src : sources) {
      if (!ALL_SOURCES.contains(src)) {
        throw new IllegalArgumentException("safegrid.risk.sources: '" + src + "' is not a source (one of "
            + String.join(", ", ALL_SOURCES) + ")");
      }
    }
    maxLiveEvents = maxLiveEvents == null ? 4_000_000 : maxLiveEvents;
    if (maxLiveEvents < 1000) {
      throw new IllegalArgumentException("safegrid.risk.max-live-events must be at least 1000");
    }
    pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    pollOverlap = pollOverlap == null ? Duration.ofSeconds(10) : pollOverlap;
    patrolPingInterval = patrolPingInterval == null ? Duration.ofSeconds(5) : patrolPingInterval;
    enabled = enabled == null ? Boolean.TRUE : enabled;
  }

  /** The documented defaults. */
  public static RiskProperties defaults() {
    return new RiskProperties(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null);
  }

  /** These properties with other predicted sources. */
  public RiskProperties withSources(List<String> predicted) {
    return new RiskProperties(kindWeights, defaultKindWeight, severityWeights, halfLives,
        campusRadiusMeters, checkpointRadiusMeters, overlayWeights, zone, elevatedProbability, highProbability, criticalProbability,
        maxLiveEvents, pollInterval, pollOverlap, patrolPingInterval, enabled, baselinePriorWindows, predicted);
  }

  /** Weight of one event of this source, kind and severity. */
  public double eventWeight(String source, String kind, int severity) {
    if (!sources.contains(source)) {
      return 0;
    }
    Double w = kindWeights.get(source + ":" + kind);
    if (w == null) {
      w = kindWeights.get(kind);
    }
    if (w == null) {
      w = kindWeights.get(source + ":*");
    }
    if (w == null) {
      w = defaultKindWeight;
    }
    return w * severityWeights.get(Math.max(0, Math.min(5, severity)));
  }

  /** Half-life for a window: the configured one, else a quarter of the window. */
  public Duration halfLifeFor(Duration window) {
    for (Map.Entry<String, Duration> e : halfLives.entrySet()) {
      if (parseWindow(e.getKey()).equals(window)) {
        return e.getValue();
      }
    }
    return window.dividedBy(4);
  }

  /** A window key: ISO-8601 ({@code PT1H}, {@code P7D}) or short ({@code 1h}, {@code 7d}). */
  static Duration parseWindow(String key) {
    String k = key.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (k.startsWith("p")) {
        return k.contains("t") ? Duration.parse(k.toUpperCase(java.util.Locale.ROOT))
            : Duration.ofDays(java.time.Period.parse(k.toUpperCase(java.util.Locale.ROOT)).getDays());
      }
      long v = Long.parseLong(k.substring(0, k.length() - 1));
      return switch (k.charAt(k.length() - 1)) {
        case 'h' -> Duration.ofHours(v);
        case 'd' -> Duration.ofDays(v);
        case 'm' -> Duration.ofMinutes(v);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("safegrid.risk.half-lives: '" + key + "' is not a window (use PT1H, P7D, 1h or 7d)");
    }
  }
}
