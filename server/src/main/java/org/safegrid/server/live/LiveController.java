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

  /** How far a catch-up by commit time ({@code since}, old ids) reaches back: late commits. */
  private static final Duration CATCH_UP_OVERLAP = Duration.ofSeconds(5);
  private static final int MAX_EVENTS = 200_000;

  private final LiveBroadcaster hub;
  private final RecentEventService events;
  private final PatrolService patrol;
  private final LiveProperties properties;
  private final CoastEventDensityService coast;
  private final LiveSessionRegistry liveSessions;
  private final ScopeFilter scopes;
  private final LiveReplay replay;

  LiveController(LiveBroadcaster hub, RecentEventService events, PatrolService patrol,
                 LiveProperties properties, CoastEventDensityService coast, LiveSessionRegistry liveSessions,
                 ScopeFilter scopes, LiveReplay replay) {
    this.scopes = scopes;
    this.replay = replay;
    this.coast = coast;
    this.liveSessions = liveSessions;
    this.hub = hub;
    this.events = events;
    this.patrol = patrol;
    this.properties = properties;
  }

  /**
   * Opens the stream. Its messages' ids are positions in the commit-ordered event feed of the shared
   * database. A client that lost its stream passes the last id it saw (the browser's
   * {@code Last-Event-ID} header, or {@code after} for a page that reconnects by itself) and first gets
   * exactly the events it missed, on this replica or any other ({@code reset} when too many were
   * missed). An id in epoch ms (an older release) or {@code since} (epoch ms) resumes by commit time,
   * with an overlap. {@code district} narrows the stream to one district (a district-scoped user may
   * name only its own).
   */
  @GetMapping(value = "/api/live", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter stream(@RequestHeader(value = "Last-Event-ID", required = false) String lastEventId,
                    @RequestParam(required = false) String after,
                    @RequestParam(required = false) Long since, @RequestParam(required = false) String district,
                    Principal user, HttpServletRequest request) {
    DataScope scope = scopes.requireAllowed(district, "live_stream");
    String resumeAfter = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim()
        : after != null && !after.isBlank() ? after.trim() : null;
    if (resumeAfter != null && replay.isPosition(resumeAfter)) {
      String position = resumeAfter;
      return register(user, request, onEnd ->
          hub.openAfter(name(user), position, replay, properties.catchUpLimit(), onEnd, scope));
    }
    if (resumeAfter == null && since == null) {
      return register(user, request, onEnd ->
          hub.openAfter(name(user), null, replay, properties.catchUpLimit(), onEnd, scope));
    }
    Long from = since;
    if (resumeAfter != null) {
      try {
        from = Long.parseLong(resumeAfter);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Last-Event-ID must be the id of a message from this stream");
      }
    }
    EventColumns catchUp = events.findEvents(RecentEventService.TimeField.RECEIVED, Instant.ofEpochMilli(from).minus(CATCH_UP_OVERLAP),
            Instant.now().plusSeconds(60), properties.catchUpLimit(), scope);
    return register(user, request, onEnd -> hub.open(name(user), catchUp, onEnd, scope));
  }

  private static String name(Principal user) {
    return user == null ? "?" : user.getName();
  }

  /** Opens a stream with {@code open} (given what to run when it ends) and registers it so revocation can close it. */
  private SseEmitter register(Principal user, HttpServletRequest request,
                              java.util.function.Function<Runnable, SseEmitter> open) {
    // the stream ends when its user is disabled, its rights change or its session expires
    AtomicReference<SseEmitter> opened = new AtomicReference<>();
    LiveSessionRegistry.Registration registration = liveSessions.register(name(user), request.getRequestedSessionId(),
        () -> {
          SseEmitter e = opened.get();
          if (e != null) {
            e.complete();
          }
        });
    try {
      opened.set(open.apply(registration::close));
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

  /** 503: the balancer (nginx {@code proxy_next_upstream http_503}) passes the request on to another replica. */
  @ExceptionHandler(LiveBroadcaster.StoppingException.class)
  ProblemDetail stopping(LiveBroadcaster.StoppingException e) {
    return ApiExceptionHandler.problem(HttpStatus.SERVICE_UNAVAILABLE, "Server stopping", e.getMessage());
  }

  @ExceptionHandler(LiveBroadcaster.TooManyClientsException.class)
  ProblemDetail tooMany(LiveBroadcaster.TooManyClientsException e) {
    return ApiExceptionHandler.problem(HttpStatus.SERVICE_UNAVAILABLE, "Too many live streams", e.getMessage());
  }
}
