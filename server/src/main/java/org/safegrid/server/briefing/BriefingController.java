package org.safegrid.server.briefing;

import java.util.Map;
import org.safegrid.server.security.DataScope;
import org.safegrid.server.security.ScopeFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/briefing?from&to&district}: the figures of the printable briefing. Without
 * {@code district} a city-wide user gets the whole city and a district-scoped user its own district;
 * a district-scoped user naming another district is refused (403), a district not in the live
 * districts layer is a 400.
 */
@RestController
class BriefingController {

  private final BriefingService briefings;
  private final ScopeFilter scopes;
  private final BriefingProperties properties;

  BriefingController(BriefingService briefings, ScopeFilter scopes, BriefingProperties properties) {
    this.briefings = briefings;
    this.scopes = scopes;
    this.properties = properties;
  }

  @GetMapping("/api/briefing")
  Map<String, Object> briefing(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
                               @RequestParam(required = false) String district) {
    DataScope scope = scopes.requireAllowed(district, "briefing");
    BriefingPeriod period = BriefingPeriod.parse(from, to, properties.timezone(), properties.maxSpan());
    if (!scope.isCity() && scope.envelopeOrNull() == null) {
      throw new IllegalArgumentException("district " + scope.districtCodeOrNull()
          + " is not in the live districts layer");
    }
    return briefings.getBriefing(period, scope);
  }
}
