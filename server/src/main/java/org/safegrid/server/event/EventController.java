package org.safegrid.server.event;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.safegrid.server.geojson.GeoJsonFeature;
import org.safegrid.server.geojson.GeoJsonFeatureCollection;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Stored events and ingest figures: {@code GET /api/events}, {@code GET /api/events/{id}},
 * {@code GET /api/stats}. Read-only; any signed-in role. A district-scoped user sees only the events
 * inside its district (an event outside is "not found", so its existence does not leak).
 */
@RestController
class EventController {

  static final MediaType GEO_JSON = MediaType.parseMediaType("application/geo+json");

  private final EventService events;
  private final IngestStatsService stats;
  private final ScopeFilter scopes;

  EventController(EventService events, IngestStatsService stats, ScopeFilter scopes) {
    this.events = events;
    this.stats = stats;
    this.scopes = scopes;
  }

  @GetMapping("/api/events/{id}")
  ResponseEntity<GeoJsonFeature> event(@PathVariable String id, @RequestParam(required = false) String source,
      @RequestParam(required = false) String sourceId) {
    return ResponseEntity.ok().contentType(GEO_JSON).body(events.getEvent(id, blankToNull(source),
        blankToNull(sourceId), scopes.current()));
  }

  @GetMapping("/api/events")
  ResponseEntity<GeoJsonFeatureCollection> events(@RequestParam(required = false) String bbox,
      @RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(required = false) String source, @RequestParam(required = false) String kind,
      @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
    EventQuery q = EventQuery.parse(bbox, from, to, source, kind, limit, cursor);
    DataScope scope = scopes.current();
    scopes.noteFiltered(scope, q.bbox(), "events");
    EventService.Page page = events.listEvents(q, scope);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("numberReturned", page.features().size());
    if (page.next() != null) {
      String next = ServletUriComponentsBuilder.fromCurrentRequest().replaceQueryParam("cursor",
          page.next().encode()).build().toUriString();
      meta.put("next", next);
      meta.put("links", List.of(Map.of("rel", "next", "type", GEO_JSON.toString(), "href", next)));
    }
    return ResponseEntity.ok().contentType(GEO_JSON).body(new GeoJsonFeatureCollection(page.features(), meta));
  }

  @GetMapping("/api/stats")
  IngestStatsService.Stats stats(@RequestParam(required = false) String since) {
    Instant s = null;
    if (since != null && !since.isBlank()) {
      try {
        s = OffsetDateTime.parse(since).toInstant();
      } catch (DateTimeParseException e) {
        try {
          s = Instant.parse(since);
        } catch (DateTimeParseException e2) {
          throw new IllegalArgumentException("since must be an ISO-8601 time with offset, e.g. 2026-11-22T21:00:00+08:00");
        }
      }
    }
    return stats.stats(s, !scopes.current().isCity());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
