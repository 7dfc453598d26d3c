package org.safegrid.server.locate;

import org.safegrid.server.geojson.BoundingBox;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/locate?lon=..&lat=..}: the live district, town and active grid cell at a point
 * (what a duty officer's click on the wall map or a caller's position falls in). Read-only, every
 * reading role; a district-scoped caller sees only its own district's answer (see {@link LocateService}).
 */
@RestController
class LocateController {

  private final LocateService locator;
  private final ScopeFilter scopes;

  LocateController(LocateService locator, ScopeFilter scopes) {
    this.locator = locator;
    this.scopes = scopes;
  }

  @GetMapping("/api/locate")
  Location locate(@RequestParam(required = false) String lon, @RequestParam(required = false) String lat) {
    LocateRequest req = LocateRequest.parse(lon, lat);
    DataScope scope = scopes.current();
    LocateService.Result r = locator.locate(req.lon(), req.lat(), scope);
    if (r.filtered()) {
      // audited like a bbox read that reached beyond the district (rate-limited by ScopeFilter)
      scopes.noteFiltered(scope, new BoundingBox(req.lon(), req.lat(), req.lon(), req.lat()), "locate");
    }
    return r.location();
  }
}
