package org.safegrid.server.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Security settings ({@code safegrid.security.*}).
 *
 * @param adminPassword     password given to the {@code admin} account when it is first created; when
 *                          blank a random one is generated and written to {@code secretsDir/admin-password}
 *                          (readable by the server's OS user only; never logged; there is no default password)
 * @param maxFailedLogins   failed logins in a row (form or HTTP Basic) after which an account's attempts are
 *                          slowed down: each next password check waits {@code loginBackoff}, doubling with
 *                          every further failure up to {@code lockDuration}; default 5
 * @param lockDuration      the longest wait of an account's backoff (an admin's unlock lifts it at once);
 *                          default 1 minute. The account's open sessions go on meanwhile
 * @param loginBackoff      the first wait of the account and address backoffs; default 1 s
 * @param maxFailedLoginsPerAddress failed logins from one source address (on any accounts) after which its
 *                          login attempts get 429 for a wait doubling from {@code loginBackoff}; default 20
 * @param addressBackoffMax the longest wait of an address; default 15 minutes
 * @param secretsDir        where the server keeps what it generates itself, readable by its OS user only: the
 *                          generated admin password and the generated TOTP key; default {@code ~/.safegrid}
 * @param totpKey           the key that encrypts TOTP secrets at rest, Base64 of 32 bytes (env
 *                          {@code SAFEGRID_TOTP_KEY}); takes precedence over {@code totpKeyFile}
 * @param totpKeyFile       a file holding that key in Base64 (for a secret mounted by the platform); when neither
 *                          is set the server generates one in {@code secretsDir/totp.key}
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
                                 java.util.List<String> allowedOrigins, Duration loginBackoff,
                                 Integer maxFailedLoginsPerAddress, Duration addressBackoffMax,
                                 java.nio.file.Path secretsDir, String totpKey, java.nio.file.Path totpKeyFile) {

  public SecurityProperties {
    maxFailedLogins = maxFailedLogins == null ? 5 : maxFailedLogins;
    lockDuration = lockDuration == null ? Duration.ofMinutes(1) : lockDuration;
    loginBackoff = loginBackoff == null ? Duration.ofSeconds(1) : loginBackoff;
    maxFailedLoginsPerAddress = maxFailedLoginsPerAddress == null ? 20 : maxFailedLoginsPerAddress;
    addressBackoffMax = addressBackoffMax == null ? Duration.ofMinutes(15) : addressBackoffMax;
    secretsDir = secretsDir == null || secretsDir.toString().isBlank() ? java.nio.file.Path.of(System.getProperty("user.home"), ".safegrid") : secretsDir;
    totpKey = totpKey == null || totpKey.isBlank() ? null : totpKey.strip();
    totpKeyFile = totpKeyFile == null || totpKeyFile.toString().isBlank() ? null : totpKeyFile;
    if (loginBackoff.isNegative() || loginBackoff.isZero() || addressBackoffMax.compareTo(loginBackoff) < 0) {
      throw new IllegalArgumentException("safegrid.security.login-backoff must be positive and no longer than "
          + "safegrid.security.address-backoff-max");
    }
    if (maxFailedLoginsPerAddress < 1) {
      throw new IllegalArgumentException("safegrid.security.max-failed-logins-per-address must be at least 1");
    }
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
