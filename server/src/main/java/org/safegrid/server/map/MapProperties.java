package org.safegrid.server.map;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The map's base layer and start view ({@code safegrid.map.*}). With no base tile URL the map makes
 * no request outside the server's own origin: land, districts and coastline give the picture.
 *
 * @param baseTileUrl  an XYZ tile URL template such as {@code https://tiles.intranet/{z}/{x}/{y}.png}
 *                     (an intranet Tianditu or OpenStreetMap mirror), or empty for none; its origin is
 *                     added to the Content-Security-Policy {@code img-src}
 * @param baseDatum    the datum of the base map: {@code wgs84}, {@code cgcs2000} (Tianditu; within
 *                     centimetres of WGS84) or {@code gcj02} (most Chinese commercial maps); with
 *                     gcj02 the map shifts its overlays into GCJ-02 so they line up
 * @param baseAttribution attribution text shown for the base map
 * @param baseMaxZoom  the highest zoom level the base map has
 * @param centerLon    longitude of the start view
 * @param centerLat    latitude of the start view
 * @param zoom         zoom of the start view
 * @param eventWindowMinutes how long an event stays on the live map, fading with age
 */
@ConfigurationProperties("safegrid.map")
public record MapProperties(@DefaultValue("") String baseTileUrl, @DefaultValue("wgs84") String baseDatum,
                            @DefaultValue("") String baseAttribution, @DefaultValue("18") int baseMaxZoom,
                            @DefaultValue("114.6") double centerLon, @DefaultValue("23.1") double centerLat,
                            @DefaultValue("9") int zoom, @DefaultValue("60") int eventWindowMinutes) {

  public MapProperties {
    if (!baseDatum.equals("wgs84") && !baseDatum.equals("cgcs2000") && !baseDatum.equals("gcj02")) {
      throw new IllegalArgumentException("safegrid.map.base-datum must be wgs84, cgcs2000 or gcj02, not " + baseDatum);
    }
    if (!baseTileUrl.isBlank()) {
      tileOrigin(baseTileUrl);
    }
    if (eventWindowMinutes < 1 || eventWindowMinutes > 24 * 60) {
      throw new IllegalArgumentException("safegrid.map.event-window-minutes must be between 1 and 1440");
    }
  }

  /** The origin ({@code scheme://host[:port]}) of the base tiles, or empty when tiles come from this server or none are set. */
  public String baseTileOrigin() {
    return baseTileUrl.isBlank() ? "" : tileOrigin(baseTileUrl);
  }

  private static String tileOrigin(String url) {
    if (url.startsWith("/")) {
      return "";
    }
    URI uri;
    try {
      // the template's {z}/{x}/{y}/{s} are not valid URI characters
      uri = URI.create(url.replaceAll("\\{[a-z]+}", "0"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("safegrid.map.base-tile-url is not a URL: " + url);
    }
    String scheme = uri.getScheme();
    if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
      throw new IllegalArgumentException("safegrid.map.base-tile-url must be an http(s) URL or a path on this server: " + url);
    }
    if (url.contains("{s}")) {
      throw new IllegalArgumentException("safegrid.map.base-tile-url: use one host, not {s} subdomains, so the "
          + "Content-Security-Policy can name it");
    }
    return scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }
}
