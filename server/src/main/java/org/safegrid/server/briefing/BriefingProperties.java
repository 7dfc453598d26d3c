package org.safegrid.server.briefing;

import java.time.Duration;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The printable briefing ({@code safegrid.briefing.*}).
 *
 * @param timezone    zone in which a date without a time ({@code from=2026-11-23}) starts
 * @param topHotspots how many hotspots the briefing lists, strongest first
 * @param maxSpan     the longest period one briefing may cover
 */
@ConfigurationProperties("safegrid.briefing")
public record BriefingProperties(@DefaultValue("Asia/Shanghai") ZoneId timezone, @DefaultValue("10") int topHotspots,
                                 @DefaultValue("366d") Duration maxSpan) {

  public BriefingProperties {
    if (topHotspots < 1 || topHotspots > 50) {
      throw new IllegalArgumentException("safegrid.briefing.top-hotspots must be 1..50, got " + topHotspots);
    }
    if (maxSpan.isNegative() || maxSpan.isZero()) {
      throw new IllegalArgumentException("safegrid.briefing.max-span must be positive");
    }
  }
}
