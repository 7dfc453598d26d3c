package org.safegrid.server.live;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.LiveSessionRegistry;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.web.ApiExceptionHandler;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live map's endpoints: {@code GET /api/live} (the Server-Sent Events stream),
 * {@code GET /api/live/events} (stored events in column form) and {@code GET /api/patrol/positions}.
 * The map's feed-health layer is {@code GET /api/feed-health} ({@code server.feedhealth}). A
 * district-scoped user gets only what lies in its district, on the stream too; a stream asking for
 * another district ({@code ?district=}) is refused (403).
 */
@RestController
class LiveController {

  /** How far a reconnecting client's catch-up reaches back before its last id: late commits. */
  private static final Duration CATCH_UP_OVERLAP = Duration.ofSeconds(5);
  private static final int MAX_EVENTS = 200_000;

  private final LiveBroadcaster hub;
  private final RecentEventService events;
  private final PatrolService patrol;
  private final LiveProperties properties;
  private final CoastEventDensityService coast;
  private final LiveSessionRegistry liveSessions;
  private final ScopeFilter scopes;

  LiveController(LiveBroadcaster hub, RecentEventService events, PatrolService patrol,
                 LiveProperties properties, CoastEventDensityService coast, LiveSessionRegistry liveSessions,
                 ScopeFilter scopes) {
    this.scopes = scopes;
    this.coast = coast;
    this.liveSessions = liveSessions;
    this.hub = hub;
    this.events = events;
    this.patrol = patrol;
    this.properties = properties;
  }

  /**
   * Opens the stream. A client that lost its stream passes the last id it saw (the browser's
   * {@code Last-Event-ID} header, or {@code since} in epoch ms) and first gets what it missed.
   * {@code district} narrows the stream to one district (a district-scoped user may name only its own).
   */
  @GetMapping(value = "/api/live", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter stream(@RequestHeader(value = "Last-Event-ID", required = false) String lastEventId,
                    @RequestParam(required = false) Long since, @RequestParam(required = false) String district,
                    Principal user, HttpServletRequest request) {
    DataScope scope = scopes.requireAllowed(district, "live_stream");
    Long from = since;
    if (lastEventId != null && !lastEventId.isBlank()) {
      try {
        from = Long.parseLong(lastEventId.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Last-Event-ID must be the id of a message from this stream");
      }
    }
    EventColumns catchUp = from == null
        ? EventColumns.of(java.util.List.of(), hub.watermark(), false)
        : events.findEvents(RecentEventService.TimeField.RECEIVED, Instant.ofEpochMilli(from).minus(CATCH_UP_OVERLAP),
            Instant.now().plusSeconds(60), properties.catchUpLimit(), scope);
    // the stream ends when its user is disabled, its rights change or its session expires
    String name = user == null ? "?" : user.getName();
    AtomicReference<SseEmitter> opened = new AtomicReference<>();
    LiveSessionRegistry.Registration registration = liveSessions.register(name, request.getRequestedSessionId(), () -> {
      SseEmitter e = opened.get();
      if (e != null) {
        e.complete();
      }
    });
    try {
      opened.set(hub.open(name, catchUp, registration::close, scope));
    } catch (RuntimeException e) {
      registration.close();
      throw e;
    }
    return opened.get();
  }

  /**
   * Stored events in column form with {@code field} ({@code observed} or {@code received}) in
   * {@code (since, until]} (epoch ms; until defaults to now), oldest first.
   */
  @GetMapping("/api/live/events")
  EventColumns events(@RequestParam long since, @RequestParam(required = false) Long until,
                      @RequestParam(defaultValue = "observed") String field,
                      @RequestParam(defaultValue = "50000") int limit,
                      @RequestParam(defaultValue = "true") boolean positions) {
    if (limit < 1 || limit > MAX_EVENTS) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_EVENTS);
    }
    RecentEventService.TimeField f = switch (field) {
      case "observed" -> RecentEventService.TimeField.OBSERVED;
      case "received" -> RecentEventService.TimeField.RECEIVED;
      default -> throw new IllegalArgumentException("field must be 'observed' or 'received'");
    };
    Instant to = until == null ? Instant.now().plusSeconds(60) : Instant.ofEpochMilli(until);
    Instant from = Instant.ofEpochMilli(since);
    if (Duration.between(from, to).compareTo(Duration.ofDays(8)) > 0) {
      throw new IllegalArgumentException("a time range may span at most 8 days");
    }
    return events.findEvents(f, from, to, limit, scopes.current(), positions);
  }

  /** The coastline in 1 km segments with the events of the last 24 hours near each. */
  @GetMapping(value = "/api/live/coast-segments", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection coastSegments() {
    return scopes.current().filter(coast.listSegments());
  }

  /** Latest position of each patrol unit with a short trail of its recent positions. */
  @GetMapping(value = "/api/patrol/positions", produces = {"application/geo+json", "application/json"})
  GeoJsonFeatureCollection positions() {
    return patrol.listPositions(scopes.current());
  }

  /** Events per source observed since {@code since} (epoch ms): the wall screen's night counters. */
  @GetMapping("/api/live/counts")
  java.util.Map<String, Long> counts(@RequestParam long since) {
    Instant from = Instant.ofEpochMilli(since);
    if (Duration.between(from, Instant.now()).compareTo(Duration.ofDays(8)) > 0) {
      throw new IllegalArgumentException("since may reach back at most 8 days");
    }
    return events.countBySource(from, scopes.current());
  }

  /** Hourly event counts by source in one cell of the active grid set (default: last 24 hours). */
  @GetMapping("/api/live/cell-history")
  RecentEventService.CellHistory cellHistory(@RequestParam String code, @RequestParam(defaultValue = "24") int hours) {
    if (hours < 1 || hours > 168) {
      throw new IllegalArgumentException("hours must be between 1 and 168");
    }
    return events.cellHistory(code, hours, scopes.current());
  }

  @ExceptionHandler(LiveBroadcaster.TooManyClientsException.class)
  ProblemDetail tooMany(LiveBroadcaster.TooManyClientsException e) {
    return ApiExceptionHandler.problem(HttpStatus.SERVICE_UNAVAILABLE, "Too many live streams", e.getMessage());
  }
}
