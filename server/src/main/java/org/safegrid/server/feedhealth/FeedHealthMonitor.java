package org.safegrid.server.feedhealth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.live.LiveEvent;
import org.safegrid.server.live.LiveEventListener;
import org.safegrid.server.loop.BackgroundLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Knows when each camera, checkpoint and patrol unit was last heard from, and which have been silent
 * for longer than their expected interval — so that a dead feed is never mistaken for a quiet night.
 *
 * <p>Last-seen times live in a concurrent map fed by the event feed ({@code feed.EventFeeds})
 * (receipt time, so a device with a wrong clock is not judged dead) and are flushed to table
 * {@code feed_source} so that a restart remembers them. A check thread publishes
 * {@link FeedHealthSignals.SourceSilent} once per silence and {@link FeedHealthSignals.SourceResumed}
 * when the source is heard again. A patrol unit is keyed by its unit id.
 *
 * <p>The layer ({@link #toGeoJson}) also lists the cameras and checkpoints of the active overlay
 * layers that have never been heard, and patrol units known only from {@code patrol_position}
 * whose latest position is older than their expected interval: the live map shows one feed-health
 * layer, this one.
 */
@Component
public class FeedHealthMonitor implements LiveEventListener, SmartLifecycle {

  /**
   * What is known of one source.
   *
   * @param source     camera, checkpoint or patrol
   * @param sourceId   device or unit id
   * @param lastSeenAt when last heard
   * @param lon        last position
   * @param lat        last position
   * @param status     last patrol status, or null
   */
  public record Seen(String source, String sourceId, Instant lastSeenAt, double lon, double lat, String status) {
  }

  private static final Logger log = LoggerFactory.getLogger(FeedHealthMonitor.class);

  /** Cameras and checkpoints of the active overlay layers: the devices expected to be heard. */
  private static final String DEVICES = """
      SELECT f.code, CASE f.layer WHEN 'cameras' THEN 'camera' ELSE 'checkpoint' END, f.name,
             ST_X(ST_PointOnSurface(f.geom)), ST_Y(ST_PointOnSurface(f.geom))
      FROM overlay_feature f JOIN overlay_layer l ON l.layer = f.layer AND l.version = f.version
      WHERE f.layer IN ('cameras', 'checkpoints') ORDER BY 2, 1""";

  private static final String UNITS = "SELECT unit_id, observed_at, ST_X(geom), ST_Y(geom), status FROM patrol_position ORDER BY unit_id";

  private final JdbcTemplate jdbc;
  private final FeedHealthProperties properties;
  private final ApplicationEventPublisher publisher;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final Set<String> silent = ConcurrentHashMap.newKeySet();
  private BackgroundLoop loop;
  private volatile boolean running;

  public FeedHealthMonitor(JdbcTemplate jdbc, FeedHealthProperties properties, ApplicationEventPublisher publisher) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.publisher = publisher;
  }

  @Override
  public void onEvents(List<LiveEvent> batch) {
    for (LiveEvent e : batch) {
      // kinds that speak only when something happens, and sources with no expected interval (reported
      // incidents: a 110 call centre is not a device that reports in)
      if (properties.ignoreKinds().contains(e.kind()) || !properties.expectedInterval().containsKey(e.source())) {
        continue;
      }
      String id = e.sourceId();
      String status = null;
      if (e.source().equals("patrol")) {
        try {
          JsonNode attrs = json.readTree(e.attrsJson());
          id = attrs.path("unitId").asText(id);
          status = attrs.hasNonNull("status") ? attrs.get("status").asText() : null;
        } catch (java.io.IOException ex) {
          // keep the source id; a bad attrs text does not make the unit less alive
        }
      }
      String key = e.source() + "|" + id;
      final String unitStatus = status;
      Seen next = new Seen(e.source(), id, e.receivedAt(), e.lon(), e.lat(), status);
      seen.merge(key, next, (old, now) -> now.lastSeenAt().isBefore(old.lastSeenAt()) ? old
          : new Seen(now.source(), now.sourceId(), now.lastSeenAt(), now.lon(), now.lat(),
              unitStatus != null ? unitStatus : old.status()));
      dirty.add(key);
      if (silent.remove(key)) {
        publisher.publishEvent(new FeedHealthSignals.SourceResumed(e.source(), id, e.receivedAt()));
      }
    }
  }

  /**
   * A source silent at a given time: down since it was last heard plus its expected interval.
   *
   * @param sourceId device id
   * @param lon      last position
   * @param lat      last position
   * @param since    when it went silent
   */
  public record Outage(String sourceId, double lon, double lat, Instant since) {}

  /**
   * The sources of {@code source} (e.g. camera) silent at {@code now}, with the time each went silent.
   * Read-only: unlike {@link #check} it publishes nothing. Devices never heard are not listed.
   */
  public List<Outage> outages(String source, Instant now) {
    List<Outage> out = new ArrayList<>();
    for (Seen s : seen.values()) {
      if (s.source().equals(source) && isSilent(s, now)) {
        out.add(new Outage(s.sourceId(), s.lon(), s.lat(), s.lastSeenAt().plus(expected(s))));
      }
    }
    return out;
  }

  /** Looks for sources silent longer than expected at {@code now}; publishes each new silence once. */
  public List<Seen> check(Instant now) {
    List<Seen> newlySilent = new ArrayList<>();
    for (Map.Entry<String, Seen> entry : seen.entrySet()) {
      Seen s = entry.getValue();
      if (isSilent(s, now) && silent.add(entry.getKey())) {
        newlySilent.add(s);
        publisher.publishEvent(new FeedHealthSignals.SourceSilent(s.source(), s.sourceId(), s.lastSeenAt(),
            expected(s), s.lon(), s.lat(), now));
      }
    }
    return newlySilent;
  }

  /**
   * The sources silent at {@code now} (or all known sources) as GeoJSON points: first the overlay
   * devices never heard ({@code lastSeenAt} null), then the rest, longest silent first.
   */
  public GeoJsonFeatureCollection toGeoJson(Instant now, boolean all) {
    List<GeoJsonFeature> features = new ArrayList<>();
    jdbc.query(DEVICES, rs -> {
      String source = rs.getString(2);
      String code = rs.getString(1);
      if (!seen.containsKey(source + "|" + code)) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("source", source);
        p.put("sourceId", code);
        p.put("name", rs.getString(3));
        p.put("lastSeenAt", null);
        p.put("expectedIntervalSeconds", properties.expectedInterval().get(source).toSeconds());
        p.put("silentForSeconds", null);
        p.put("silent", true);
        features.add(new GeoJsonFeature(source + ":" + code,
            "{\"type\":\"Point\",\"coordinates\":[" + rs.getDouble(4) + "," + rs.getDouble(5) + "]}", p));
      }
    });
    List<Seen> known = new ArrayList<>(seen.values());
    jdbc.query(UNITS, rs -> {
      if (!seen.containsKey("patrol|" + rs.getString(1))) {
        known.add(new Seen("patrol", rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getDouble(3), rs.getDouble(4),
            rs.getString(5)));
      }
    });
    known.stream().filter(s -> expected(s) != null).filter(s -> all || isSilent(s, now))
        .sorted(Comparator.comparing(Seen::lastSeenAt))
        .forEach(s -> {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("source", s.source());
          p.put("sourceId", s.sourceId());
          p.put("lastSeenAt", s.lastSeenAt().toString());
          p.put("expectedIntervalSeconds", expected(s).toSeconds());
          p.put("silentForSeconds", Duration.between(s.lastSeenAt(), now).toSeconds());
          p.put("silent", isSilent(s, now));
          if (s.status() != null) {
            p.put("status", s.status());
          }
          features.add(new GeoJsonFeature(s.source() + ":" + s.sourceId(),
              "{\"type\":\"Point\",\"coordinates\":[" + s.lon() + "," + s.lat() + "]}", p));
        });
    return new GeoJsonFeatureCollection(features, Map.of("layer", "feed-health", "at", now.toString(),
        "known", seen.size()));
  }

  private boolean isSilent(Seen s, Instant now) {
    if (s.status() != null && properties.ignoreStatuses().contains(s.status())) {
      return false;
    }
    Duration expected = expected(s);
    // a source kept from before its kind lost its interval (or a row of an older release) is never silent
    return expected != null && Duration.between(s.lastSeenAt(), now).compareTo(expected) > 0;
  }

  private Duration expected(Seen s) {
    return properties.expectedInterval().get(s.source());
  }

  /** Writes changed last-seen times to {@code feed_source}. */
  public void flush() {
    List<Object[]> rows = new ArrayList<>();
    for (String key : List.copyOf(dirty)) {
      dirty.remove(key);
      Seen s = seen.get(key);
      if (s != null) {
        rows.add(new Object[] {s.source(), s.sourceId(), Timestamp.from(s.lastSeenAt()), s.status(), s.lon(), s.lat()});
      }
    }
    if (!rows.isEmpty()) {
      jdbc.batchUpdate("INSERT INTO feed_source (source, source_id, last_seen_at, status, geom) "
          + "VALUES (?, ?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)) ON CONFLICT (source, source_id) DO UPDATE "
          + "SET last_seen_at = greatest(feed_source.last_seen_at, excluded.last_seen_at), status = excluded.status, "
          + "geom = excluded.geom", rows);
    }
  }

  /** Loads last-seen times remembered from before a restart. */
  public void load() {
    jdbc.query("SELECT source, source_id, last_seen_at, ST_X(geom), ST_Y(geom), status FROM feed_source", rs -> {
      Seen s = new Seen(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getDouble(4),
          rs.getDouble(5), rs.getString(6));
      seen.merge(s.source() + "|" + s.sourceId(), s, (old, loaded) -> old);
    });
  }

  @Override
  public void start() {
    if (!properties.enabled()) {
      return;
    }
    load();
    loop = BackgroundLoop.named("feed-health").runEach(
        new BackgroundLoop.Task(properties.checkInterval(), properties.checkInterval(), () -> check(Instant.now())),
        new BackgroundLoop.Task(properties.flushInterval(), properties.flushInterval(), this::flush));
    loop.start();
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    if (loop != null) {
      loop.stop();
      try {
        flush();
      } catch (RuntimeException e) {
        log.warn("feed health flush at stop failed: {}", e.getMessage());
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
