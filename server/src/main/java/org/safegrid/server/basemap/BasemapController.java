package org.safegrid.server.basemap;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import org.safegrid.server.security.ScopeFilter;
import org.safegrid.server.upload.Actor;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/basemaps}: upload a tile package (the request body is the file), list, activate, delete,
 * and its tiles at {@code /api/basemaps/{id}/{z}/{x}/{y}} (XYZ scheme) with the package's digest as
 * ETag: a package never changes under its id, so tiles are cached as immutable.
 */
@RestController
class BasemapController {

  private final BasemapService basemaps;
  private final ScopeFilter scopes;

  BasemapController(BasemapService basemaps, ScopeFilter scopes) {
    this.basemaps = basemaps;
    this.scopes = scopes;
  }

  /**
   * Stores the package sent as the request body ({@code application/octet-stream}, the bytes of the
   * .mbtiles or .pmtiles file). {@code datum} is required as for boundary uploads.
   */
  @PostMapping(path = "/api/basemaps", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  ResponseEntity<BasemapService.Basemap> upload(@RequestParam(required = false) String name,
      @RequestParam(required = false) String datum, Principal principal, HttpServletRequest request) throws IOException {
    if (!scopes.current().isCity()) {
      throw new BasemapRefusedException(HttpStatus.FORBIDDEN, "outside_scope", "A base map covers the whole city; "
          + "an account confined to a district may not upload one.");
    }
    try (InputStream in = request.getInputStream()) {
      return ResponseEntity.status(HttpStatus.CREATED)
          .body(basemaps.upload(in, request.getContentLengthLong(), name, datum, actor(principal, request)));
    }
  }

  @GetMapping("/api/basemaps")
  List<BasemapService.Basemap> list() {
    return basemaps.list();
  }

  @PostMapping("/api/basemaps/{id}/activate")
  BasemapService.Basemap activate(@PathVariable long id, Principal principal, HttpServletRequest request) {
    return basemaps.activate(id, actor(principal, request));
  }

  @DeleteMapping("/api/basemaps/{id}")
  ResponseEntity<Void> delete(@PathVariable long id, Principal principal, HttpServletRequest request) {
    basemaps.delete(id, actor(principal, request));
    return ResponseEntity.noContent().build();
  }

  /** One tile as stored: 200 with its bytes, 304 for a matching If-None-Match, 204 where the package has no tile. */
  @GetMapping("/api/basemaps/{id}/{z}/{x}/{y}")
  ResponseEntity<byte[]> tile(@PathVariable long id, @PathVariable int z, @PathVariable int x, @PathVariable int y,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    if (z < 0 || z > 30 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z)) {
      throw new BasemapRefusedException(HttpStatus.BAD_REQUEST, "bad_tile", "Tile " + z + "/" + x + "/" + y
          + " does not exist: z is 0-30, x and y 0 to 2^z - 1.");
    }
    var tile = basemaps.findTile(id, z, x, y);
    // a package's bytes under one URL never change (a package is new under a new id); the reference base
    // map's change with the live layers, so they are revalidated after five minutes
    CacheControl cache = id == ReferenceBasemap.ID ? CacheControl.maxAge(Duration.ofMinutes(5)).cachePrivate()
        : CacheControl.maxAge(Duration.ofDays(365)).cachePrivate().immutable();
    if (tile.isEmpty()) {
      return ResponseEntity.noContent().cacheControl(cache).build();
    }
    BasemapService.Tile t = tile.get();
    String etag = "\"" + t.etag() + "\"";
    if (etag.equals(ifNoneMatch)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(cache).build();
    }
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok().contentType(MediaType.parseMediaType(t.type().contentType()))
        .eTag(etag).cacheControl(cache);
    if (t.gzipped()) {
      ok.header(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    return ok.body(t.bytes());
  }

  private static Actor actor(Principal principal, HttpServletRequest request) {
    return new Actor(principal == null ? null : principal.getName(), request.getRemoteAddr());
  }
}
