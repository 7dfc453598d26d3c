package org.safegrid.server.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Security settings ({@code safegrid.security.*}).
 *
 * @param adminPassword     password given to the {@code admin} account when it is first created; when
 *                          blank a random one is generated and logged once (there is no default password)
 * @param maxFailedLogins   failed logins in a row (form or HTTP Basic) after which an account is locked; default 5
 * @param lockDuration      how long a locked account stays locked unless an admin unlocks it; default 10 minutes
 * @param minPasswordLength shortest password accepted on creation or change; default 12
 * @param totpIssuer        issuer name shown by authenticator apps for TOTP enrolment; default {@code SafeGrid}
 * @param liveSessionCheck  how often open live streams are checked against expired sessions; default 15 s
 * @param allowedOrigins    origins besides the server's own whose pages may call the API and open the live
 *                          stream (browser {@code Origin} header); default none. Behind a reverse proxy either
 *                          forward the original host and scheme ({@code server.forward-headers-strategy}) or list
 *                          the public origin here
 */
@ConfigurationProperties("safegrid.security")
public record SecurityProperties(String adminPassword, Integer maxFailedLogins, Duration lockDuration,
                                 Integer minPasswordLength, String totpIssuer, Duration liveSessionCheck,
                                 java.util.List<String> allowedOrigins) {

  public SecurityProperties {
    maxFailedLogins = maxFailedLogins == null ? 5 : maxFailedLogins;
    lockDuration = lockDuration == null ? Duration.ofMinutes(10) : lockDuration;
    minPasswordLength = minPasswordLength == null ? 12 : minPasswordLength;
    totpIssuer = totpIssuer == null || totpIssuer.isBlank() ? "SafeGrid" : totpIssuer;
    liveSessionCheck = liveSessionCheck == null ? Duration.ofSeconds(15) : liveSessionCheck;
    allowedOrigins = allowedOrigins == null ? java.util.List.of() : java.util.List.copyOf(allowedOrigins);
    for (String o : allowedOrigins) {
      if (!isOrigin(o)) {
        throw new IllegalArgumentException("safegrid.security.allowed-origins: '" + o
            + "' is not an origin (scheme://host[:port])");
      }
    }
    if (maxFailedLogins < 1) {
      throw new IllegalArgumentException("safegrid.security.max-failed-logins must be at least 1");
    }
    if (lockDuration.isNegative() || lockDuration.isZero()) {
      throw new IllegalArgumentException("safegrid.security.lock-duration must be positive");
    }
    if (minPasswordLength < 8) {
      throw new IllegalArgumentException("safegrid.security.min-password-length must be at least 8");
    }
  }

  /** {@code scheme://host[:port]} and nothing else (no path, no wildcard), as a browser sends it. */
  private static boolean isOrigin(String o) {
    try {
      java.net.URI u = new java.net.URI(o);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
          && (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null && u.getRawUserInfo() == null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
